/**
 * Reads a GetCostAndUsage request body the way Cost Explorer validates it, so a malformed request
 * from the adapter fails here as it would in AWS (ValidationException, DataUnavailableException).
 */
import type { IsoDay } from "../../domain/cost-record.js";
import { addMonths, firstDayOfMonth, isIsoDay, monthOf } from "../../domain/dates.js";
import { AwsApiError } from "./aws-json-server.js";

export const CE_DIMENSIONS = ["SERVICE", "LINKED_ACCOUNT", "REGION", "RECORD_TYPE", "USAGE_TYPE"] as const;
export type CeDimension = (typeof CE_DIMENSIONS)[number];

export const CE_METRICS = [
  "UnblendedCost",
  "AmortizedCost",
  "BlendedCost",
  "NetUnblendedCost",
  "NetAmortizedCost",
  "UsageQuantity",
  "NormalizedUsageAmount",
] as const;
export type CeMetric = (typeof CE_METRICS)[number];

export type CeFilter =
  | { kind: "dimension"; key: CeDimension; values: Set<string> }
  | { kind: "and" | "or"; operands: CeFilter[] }
  | { kind: "not"; operand: CeFilter };

export interface CostAndUsageQuery {
  start: IsoDay;
  /** Exclusive, as in the API. */
  end: IsoDay;
  granularity: "DAILY" | "MONTHLY";
  metrics: CeMetric[];
  groupBy: CeDimension[];
  filter?: CeFilter;
  nextPageToken?: string;
}

/** Cost Explorer keeps 13 months of history plus the current month. */
const HISTORY_MONTHS = 13;

const invalid = (message: string) => new AwsApiError("ValidationException", message);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, field: string): T {
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw invalid(
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${allowed.join(", ")}]`,
  );
}

function parseFilter(expression: unknown, path: string): CeFilter {
  if (!isRecord(expression)) throw invalid(`${path} must be an expression object`);
  const present = ["And", "Or", "Not", "Dimensions", "Tags", "CostCategories"].filter(
    (key) => expression[key] !== undefined,
  );
  if (present.length !== 1) {
    throw invalid(
      `${path}: an expression must have exactly one of And, Or, Not, Dimensions, Tags, CostCategories`,
    );
  }
  const [operator] = present;
  if (operator === "And" || operator === "Or") {
    const operands = expression[operator];
    if (!Array.isArray(operands) || operands.length < 2) {
      throw invalid(`${path}.${operator} must have at least 2 expressions`);
    }
    return {
      kind: operator === "And" ? "and" : "or",
      operands: operands.map((operand, index) => parseFilter(operand, `${path}.${operator}[${index}]`)),
    };
  }
  if (operator === "Not") return { kind: "not", operand: parseFilter(expression.Not, `${path}.Not`) };
  if (operator !== "Dimensions")
    throw invalid(`${path}.${String(operator)} is not supported for this account`);
  const dimension = expression.Dimensions;
  if (!isRecord(dimension)) throw invalid(`${path}.Dimensions must be an object`);
  const key = oneOf(CE_DIMENSIONS, dimension.Key, `${path}.Dimensions.Key`);
  const { Values: values, MatchOptions: matchOptions } = dimension;
  if (!Array.isArray(values) || values.length === 0 || !values.every((value) => typeof value === "string")) {
    throw invalid(`${path}.Dimensions.Values must be a non-empty list of strings`);
  }
  if (matchOptions !== undefined && JSON.stringify(matchOptions) !== '["EQUALS"]') {
    throw invalid(`${path}.Dimensions.MatchOptions: only EQUALS is supported for dimensions`);
  }
  return { kind: "dimension", key, values: new Set(values as string[]) };
}

function parseDate(value: unknown, field: string): IsoDay {
  if (!isIsoDay(value)) {
    throw invalid(`${field}: '${String(value)}' is not a valid date in the format yyyy-MM-dd`);
  }
  return value;
}

/** Validates a request body; `today` is the last day the account has data for. */
export function parseCostAndUsageRequest(body: unknown, today: IsoDay): CostAndUsageQuery {
  if (!isRecord(body)) throw new AwsApiError("SerializationException", "Request body must be a JSON object");
  const period = body.TimePeriod;
  if (!isRecord(period)) {
    throw invalid(
      "1 validation error detected: Value null at 'timePeriod' failed to satisfy constraint: Member must not be null",
    );
  }
  const start = parseDate(period.Start, "TimePeriod.Start");
  const end = parseDate(period.End, "TimePeriod.End");
  if (end <= start) throw invalid("Start date (and hour) should be before end date (and hour)");
  if (body.Granularity === "HOURLY") {
    throw invalid(
      "Hourly granularity is not enabled for this account. Enable it in Cost Explorer preferences.",
    );
  }
  const granularity = oneOf(["DAILY", "MONTHLY"] as const, body.Granularity, "granularity");
  if (!Array.isArray(body.Metrics) || body.Metrics.length === 0) throw invalid("Metrics is required");
  const metrics = body.Metrics.map((metric, index) =>
    oneOf(CE_METRICS, metric, `metrics.${index + 1}.member`),
  );

  const groupDefinitions = body.GroupBy ?? [];
  if (!Array.isArray(groupDefinitions)) throw invalid("GroupBy must be a list");
  if (groupDefinitions.length > 2) throw invalid("You can only group by up to two different keys.");
  const groupBy = groupDefinitions.map((definition, index) => {
    if (!isRecord(definition) || definition.Type !== "DIMENSION") {
      throw invalid(`GroupBy[${index}]: only Type DIMENSION is supported for this account`);
    }
    return oneOf(CE_DIMENSIONS, definition.Key, `groupBy.${index + 1}.member.key`);
  });
  if (new Set(groupBy).size !== groupBy.length) throw invalid("GroupBy keys must be different");

  const earliest = firstDayOfMonth(addMonths(monthOf(today), -HISTORY_MONTHS));
  if (start < earliest) {
    throw new AwsApiError(
      "DataUnavailableException",
      `Data is not available before ${earliest}: Cost Explorer keeps ${HISTORY_MONTHS} months of history plus the current month.`,
    );
  }
  const query: CostAndUsageQuery = { start, end, granularity, metrics, groupBy };
  if (body.Filter !== undefined) query.filter = parseFilter(body.Filter, "Filter");
  if (body.NextPageToken !== undefined) {
    if (typeof body.NextPageToken !== "string") throw invalid("NextPageToken must be a string");
    query.nextPageToken = body.NextPageToken;
  }
  return query;
}
