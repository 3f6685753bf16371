/**
 * The Cost Management Query API's semantics over a BillingDataset: validates a query body the way
 * the service does (400 BadRequest naming the problem) and answers it with Azure's columns and rows.
 */
import type { ChargeCategory, IsoDay } from "../../domain/cost-record.js";
import { dayOfInstant, daysInRange } from "../../domain/dates.js";
import type { BillingDataset, SimulatedLine } from "../billing-dataset.js";

/** An error the simulator answers with Azure's error JSON. */
export class AzureApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra reply headers (the 429's retry-after, the 401's challenge). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const badRequest = (message: string) => new AzureApiError(400, "BadRequest", message);

/**
 * How the dataset's charge categories read in Azure's ChargeType dimension: its Adjustments are
 * refunds. Real ActualCost has no Tax or Credit rows; should a dataset hold some, they keep their name.
 */
const CHARGE_TYPES: Record<ChargeCategory, string> = {
  Usage: "Usage",
  Purchase: "Purchase",
  Adjustment: "Refund",
  Tax: "Tax",
  Credit: "Credit",
};

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");

/** Groupable dimensions, by their canonical name. The dataset has no resource groups: one per service. */
const DIMENSIONS: Record<string, (line: SimulatedLine) => string> = {
  ServiceName: (line) => line.serviceName,
  MeterCategory: (line) => line.serviceName,
  MeterSubCategory: (line) => line.usageType ?? "",
  ResourceLocation: (line) => line.region,
  SubscriptionId: (line) => line.accountId,
  SubscriptionName: (line) => line.accountName,
  ResourceGroupName: (line) => (line.region ? `rg-${slug(line.serviceName)}` : ""),
  ChargeType: (line) => CHARGE_TYPES[line.chargeCategory],
};
const DIMENSION_BY_LOWER = new Map(Object.keys(DIMENSIONS).map((name) => [name.toLowerCase(), name]));

const QUERY_TYPES = ["Usage", "ActualCost", "AmortizedCost"];
/** Cost in the billing currency; "PreTaxCost" is the older name of the same measure. */
const MEASURES = ["Cost", "PreTaxCost"];
const MAX_GROUPINGS = 2;

type LinePredicate = (line: SimulatedLine) => boolean;

export interface ParsedQuery {
  /** Column names of the aggregated measures, in request order. */
  measures: string[];
  from: IsoDay;
  to: IsoDay;
  /** Canonical dimension names. */
  grouping: string[];
  filter: LinePredicate;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const oneOf = (value: unknown, allowed: string[]) =>
  typeof value === "string"
    ? allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase())
    : undefined;

function dimensionName(value: unknown, field: string): string {
  const name = typeof value === "string" ? DIMENSION_BY_LOWER.get(value.toLowerCase()) : undefined;
  if (!name)
    throw badRequest(
      `Invalid ${field} '${String(value)}'. Supported dimensions: ${Object.keys(DIMENSIONS).join(", ")}.`,
    );
  return name;
}

function parseDay(value: unknown, field: string): IsoDay {
  const ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms))
    throw badRequest(`Invalid query definition: timePeriod.${field} is not a valid date time.`);
  return dayOfInstant(new Date(ms));
}

function parseFilter(raw: unknown, path: string): LinePredicate {
  if (!isObject(raw)) throw badRequest(`Invalid query definition: ${path} must be an object.`);
  for (const logical of ["and", "or"] as const) {
    const operands = raw[logical];
    if (operands === undefined) continue;
    if (!Array.isArray(operands) || operands.length < 2) {
      throw badRequest(`Invalid query definition: ${path}.${logical} must have at least 2 items.`);
    }
    const predicates = operands.map((operand, i) => parseFilter(operand, `${path}.${logical}[${i}]`));
    return logical === "and"
      ? (line) => predicates.every((predicate) => predicate(line))
      : (line) => predicates.some((predicate) => predicate(line));
  }
  const comparison = raw.dimensions;
  if (!isObject(comparison))
    throw badRequest(`Invalid query definition: ${path} needs and, or or dimensions.`);
  const name = dimensionName(comparison.name, `${path}.dimensions.name`);
  if (oneOf(comparison.operator, ["In"]) === undefined) {
    throw badRequest(`Invalid query definition: ${path}.dimensions.operator must be In.`);
  }
  const values = comparison.values;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "string")) {
    throw badRequest(
      `Invalid query definition: ${path}.dimensions.values must be a non-empty list of strings.`,
    );
  }
  const wanted = new Set(values.map((v) => v.toLowerCase()));
  const valueOf = DIMENSIONS[name] as (line: SimulatedLine) => string;
  return (line) => wanted.has(valueOf(line).toLowerCase());
}

/** Validates a query body as the service does; throws AzureApiError 400 naming the bad part. */
export function parseQueryBody(body: unknown): ParsedQuery {
  if (!isObject(body)) throw badRequest("The request body is missing or is not a JSON object.");
  if (!oneOf(body.type, QUERY_TYPES))
    throw badRequest(`Invalid query type '${String(body.type)}'. Valid values: ${QUERY_TYPES.join(", ")}.`);
  if (!oneOf(body.timeframe, ["Custom"])) {
    throw badRequest(
      `Invalid timeframe '${String(body.timeframe)}'. This simulator answers timeframe Custom.`,
    );
  }
  const period = body.timePeriod;
  if (!isObject(period))
    throw badRequest("Invalid query definition: timePeriod is required when timeframe is Custom.");
  const from = parseDay(period.from, "from");
  const to = parseDay(period.to, "to");
  if (from > to)
    throw badRequest("Invalid query definition: timePeriod.from must not be later than timePeriod.to.");
  const sameDayNextYear = `${String(Number(from.slice(0, 4)) + 1).padStart(4, "0")}${from.slice(4)}`;
  if (to >= sameDayNextYear)
    throw badRequest("The time period for pulling the data cannot exceed 1 year(s).");

  const dataset = body.dataset;
  if (!isObject(dataset)) throw badRequest("Invalid query definition: dataset is required.");
  if (!oneOf(dataset.granularity, ["Daily"])) {
    throw badRequest(
      `Invalid dataset.granularity '${String(dataset.granularity)}'. This simulator answers Daily.`,
    );
  }
  const aggregation = dataset.aggregation;
  if (!isObject(aggregation) || Object.keys(aggregation).length < 1 || Object.keys(aggregation).length > 2) {
    throw badRequest("Invalid query definition: dataset.aggregation must have 1 or 2 entries.");
  }
  const measures = Object.entries(aggregation).map(([alias, spec]) => {
    const measure = isObject(spec) ? oneOf(spec.name, MEASURES) : undefined;
    if (!measure || !isObject(spec) || !oneOf(spec.function, ["Sum"])) {
      throw badRequest(
        `Invalid aggregation '${alias}': name must be one of ${MEASURES.join(", ")} and function Sum.`,
      );
    }
    return measure;
  });

  const grouping = dataset.grouping ?? [];
  if (!Array.isArray(grouping))
    throw badRequest("Invalid query definition: dataset.grouping must be a list.");
  if (grouping.length > MAX_GROUPINGS)
    throw badRequest(`Query can have up to ${MAX_GROUPINGS} group by clauses.`);
  const groupNames = grouping.map((clause: unknown, i) => {
    if (!isObject(clause) || !oneOf(clause.type, ["Dimension"])) {
      throw badRequest(`Invalid query definition: dataset.grouping[${i}].type must be Dimension.`);
    }
    return dimensionName(clause.name, `dataset.grouping[${i}].name`);
  });
  const filter = dataset.filter === undefined ? () => true : parseFilter(dataset.filter, "dataset.filter");
  return { measures, from, to, grouping: groupNames, filter };
}

export interface QueryAnswer {
  columns: { name: string; type: "Number" | "String" }[];
  rows: (string | number)[][];
}

/** Sums the dataset's lines per day, grouping values and currency: columns measures, UsageDate, groups, Currency. */
export function answerQuery(dataset: BillingDataset, query: ParsedQuery): QueryAnswer {
  const sums = new Map<string, { day: IsoDay; keys: string[]; currency: string; cost: number }>();
  for (const day of daysInRange(query.from, query.to)) {
    for (const line of dataset.linesForDay(day)) {
      if (!query.filter(line)) continue;
      const keys = query.grouping.map((name) => (DIMENSIONS[name] as (l: SimulatedLine) => string)(line));
      const id = JSON.stringify([day, ...keys, line.currency]);
      const sum = sums.get(id) ?? { day, keys, currency: line.currency, cost: 0 };
      sum.cost += line.cost + (line.credits ?? []).reduce((total, credit) => total + credit.amount, 0);
      sums.set(id, sum);
    }
  }
  const ordered = [...sums.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, sum]) => sum);
  return {
    columns: [
      ...query.measures.map((name) => ({ name, type: "Number" as const })),
      { name: "UsageDate", type: "Number" },
      ...query.grouping.map((name) => ({ name, type: "String" as const })),
      { name: "Currency", type: "String" },
    ],
    rows: ordered.map((sum) => [
      ...query.measures.map(() => sum.cost),
      Number(sum.day.replace(/-/g, "")),
      ...sum.keys,
      sum.currency,
    ]),
  };
}
