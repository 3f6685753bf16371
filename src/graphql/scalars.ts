import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

import { isIsoDay } from "../domain/dates.js";

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT" } });
}

function parseDay(value: unknown): string {
  if (typeof value !== "string" || !isIsoDay(value)) {
    throw badInput(`Date must be a calendar day as "YYYY-MM-DD", got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value;
}

/** "YYYY-MM-DD", a calendar day (a billing day for costs); kept as a string end to end (no time zone can shift it). */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: "Date",
  description:
    "A calendar day, \"YYYY-MM-DD\". A cost's day is its provider's billing day, the day that provider's console and invoice put it on: UTC for AWS and Azure, Pacific time (America/Los_Angeles, daylight saving observed) for GCP. A client's day, where totals across providers are shown, is the sum of its providers' billing days.",
  serialize: (value) => parseDay(value),
  parseValue: parseDay,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badInput("Date must be a string literal");
    return parseDay(ast.value);
  },
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function parseInstant(value: unknown): string {
  if (typeof value !== "string" || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw badInput(`DateTime must be an ISO-8601 instant, got ${JSON.stringify(value)?.slice(0, 40)}`);
  }
  return value;
}

export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: "DateTime",
  description: "An ISO-8601 instant.",
  serialize: (value) => (value instanceof Date ? value.toISOString() : parseInstant(value)),
  parseValue: parseInstant,
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING) throw badInput("DateTime must be a string literal");
    return parseInstant(ast.value);
  },
});
