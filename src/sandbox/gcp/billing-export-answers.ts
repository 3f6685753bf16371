/**
 * Answers the collector's billing export queries from a BillingDataset, as BigQuery would run them
 * over a real export table. No SQL engine: the query text must be exactly what the adapter's
 * builders produce for the configured table, and the dates must arrive as named DATE parameters.
 * Anything else is refused the way BigQuery refuses it (invalidQuery, notFound).
 */
import type { IsoDay } from "../../domain/cost-record.js";
import { addDays, dayOfInstant, daysInRange, isIsoDay, startOfDayEpochSeconds } from "../../domain/dates.js";
import {
  CREDIT_COST_TYPE,
  DAILY_COST_COLUMNS,
  DAILY_COST_PARAMETER_TYPES,
  EXPORT_FIRST_DAY_COLUMNS,
  EXPORT_FRESHNESS_COLUMNS,
  EXPORT_FRESHNESS_PARAMETER_TYPES,
  dailyCostsSql,
  exportFirstDaySql,
  exportFreshnessSql,
  type BigQueryColumn,
  type DailyCostColumn,
} from "../../providers/gcp/billing-export-query.js";
import type { BillingDataset, SimulatedLine } from "../billing-dataset.js";
import { invalidQuery, notFound, type Cell } from "./bigquery-wire.js";

/** The query part of a jobs.query body or of a jobs.insert configuration. */
export interface QueryRequest {
  query?: unknown;
  useLegacySql?: unknown;
  parameterMode?: unknown;
  queryParameters?: unknown;
  location?: unknown;
}

export interface QueryResult {
  columns: readonly BigQueryColumn[];
  rows: Cell[][];
}

export interface BillingExportContext {
  dataset: BillingDataset;
  /** The one table this simulated project exports to: `project.dataset.table`. */
  billingTable: string;
  location: string;
  now: Date;
}

/** Rows of day D are loaded a little after D ends; the odd microseconds prove int64 decoding. */
const EXPORT_LAG_MICROS = BigInt(28 * 3600) * 1_000_000n + 123_456n;

const DATE_LITERAL = /['"]\d{4}-\d{2}-\d{2}['"]/;
const normalise = (sql: string) => sql.replace(/\s+/g, " ").trim();

export function answerQuery(request: QueryRequest, context: BillingExportContext): QueryResult {
  if (typeof request.query !== "string" || request.query.trim() === "") {
    throw invalidQuery("Required parameter is missing: query");
  }
  if (request.useLegacySql !== false) {
    throw invalidQuery("Legacy SQL is not supported for billing export queries; set useLegacySql to false");
  }
  const table = /FROM\s+`([^`]+)`/i.exec(request.query)?.[1];
  if (!table) throw invalidQuery("Syntax error: expected a SELECT from the billing export table");
  const location = typeof request.location === "string" ? request.location : "US";
  if (location.toUpperCase() !== context.location.toUpperCase()) {
    const dataset = table.split(".").slice(0, 2).join(":");
    throw notFound(`Not found: Dataset ${dataset} was not found in location ${location}`);
  }
  if (table !== context.billingTable) {
    throw notFound(`Not found: Table ${table.replace(".", ":")} was not found in location ${location}`);
  }

  const sql = normalise(request.query);
  if (sql === normalise(dailyCostsSql(table))) {
    const { start, end } = dateParameters(request, DAILY_COST_PARAMETER_TYPES);
    return { columns: DAILY_COST_COLUMNS, rows: dailyCostRows(context.dataset, start!, end!) };
  }
  if (sql === normalise(exportFreshnessSql(table))) {
    const { since } = dateParameters(request, EXPORT_FRESHNESS_PARAMETER_TYPES);
    return { columns: EXPORT_FRESHNESS_COLUMNS, rows: [freshnessRow(context.dataset, since!, context.now)] };
  }
  if (sql === normalise(exportFirstDaySql(table))) {
    const { firstDay, today } = context.dataset;
    return { columns: EXPORT_FIRST_DAY_COLUMNS, rows: [[firstDay <= today ? firstDay : null]] };
  }
  if (DATE_LITERAL.test(sql)) {
    throw invalidQuery(
      "Dates must be passed as query parameters (@start, @end), not written into the SQL text",
    );
  }
  throw invalidQuery(
    "Unrecognized query: this simulator answers only the collector's billing export queries",
  );
}

interface QueryParameter {
  name?: unknown;
  parameterType?: { type?: unknown };
  parameterValue?: { value?: unknown };
}

function dateParameters(request: QueryRequest, expected: Record<string, "DATE">): Record<string, IsoDay> {
  if (typeof request.parameterMode !== "string" || request.parameterMode.toUpperCase() !== "NAMED") {
    throw invalidQuery("Query parameters must be named (@start, @end): parameterMode must be NAMED");
  }
  const given = Array.isArray(request.queryParameters) ? (request.queryParameters as QueryParameter[]) : [];
  const values: Record<string, IsoDay> = {};
  for (const [name, type] of Object.entries(expected)) {
    const parameter = given.find((candidate) => candidate?.name === name);
    if (!parameter) throw invalidQuery(`Query parameter '${name}' not found`);
    if (parameter.parameterType?.type !== type) {
      throw invalidQuery(`Query parameter '${name}' must be of type ${type}`);
    }
    const value = parameter.parameterValue?.value;
    if (!isIsoDay(value)) throw invalidQuery(`Invalid DATE value for query parameter '${name}'`);
    values[name] = value;
  }
  return values;
}

type DailyCostRow = Record<DailyCostColumn, Cell>;

/** The export's view of a simulated line: promotions arrive as a credit on a zero-cost row. */
function exportRow(line: SimulatedLine) {
  const costType = {
    Usage: "regular",
    Purchase: "regular",
    Tax: "tax",
    Adjustment: "adjustment",
    Credit: "regular",
  }[line.chargeCategory];
  const credits =
    line.chargeCategory === "Credit"
      ? [{ type: line.usageType ?? "PROMOTION", amount: line.cost }]
      : (line.credits ?? []).map(({ type, amount }) => ({ type, amount }));
  const projectId = line.accountId === "" ? null : line.accountId;
  return {
    key: {
      usage_date: line.date,
      service_id: line.serviceId ?? null,
      service_name: line.serviceName === "" ? null : line.serviceName,
      project_id: projectId,
      project_name: projectId === null ? null : line.accountName,
      region: line.region === "" ? null : line.region,
      currency: line.currency,
    },
    costType,
    cost: line.chargeCategory === "Credit" ? 0 : line.cost,
    usageAmount: line.chargeCategory === "Credit" ? undefined : line.usageQuantity,
    usageUnit: line.chargeCategory === "Credit" ? null : (line.usageUnit ?? null),
    credits,
  };
}

/** SUM(...) GROUP BY as the daily cost query does it, in float arithmetic like BigQuery. */
function dailyCostRows(dataset: BillingDataset, start: IsoDay, end: IsoDay): Cell[][] {
  const groups = new Map<string, { row: DailyCostRow; cost: number; usage: number | null }>();
  const add = (row: DailyCostRow, cost: number, usage: number | null | undefined) => {
    const id = JSON.stringify(
      DAILY_COST_COLUMNS.map(({ name }) => (name === "cost" || name === "usage_amount" ? "" : row[name])),
    );
    const group = groups.get(id) ?? { row, cost: 0, usage: null };
    group.cost += cost;
    if (usage !== undefined && usage !== null) group.usage = (group.usage ?? 0) + usage;
    groups.set(id, group);
  };
  for (const day of daysInRange(start, end)) {
    for (const line of dataset.linesForDay(day)) {
      const source = exportRow(line);
      const base = { ...source.key, cost: null, usage_amount: null };
      add(
        { ...base, cost_type: source.costType, credit_type: null, usage_unit: source.usageUnit },
        source.cost,
        source.usageAmount,
      );
      for (const credit of source.credits) {
        add(
          { ...base, cost_type: CREDIT_COST_TYPE, credit_type: credit.type, usage_unit: null },
          credit.amount,
          undefined,
        );
      }
    }
  }
  return [...groups.values()].map(({ row, cost, usage }) =>
    DAILY_COST_COLUMNS.map(({ name }) => {
      if (name === "cost") return String(cost);
      if (name === "usage_amount") return usage === null ? null : String(usage);
      return row[name];
    }),
  );
}

/** MAX(export_time), COUNT(1) over rows loaded since `since` and already exported by `now`. */
function freshnessRow(dataset: BillingDataset, since: IsoDay, now: Date): Cell[] {
  const sinceMicros = BigInt(startOfDayEpochSeconds(since)) * 1_000_000n;
  const nowMicros = BigInt(now.getTime()) * 1000n;
  let last: bigint | null = null;
  let count = 0;
  for (const day of daysInRange(addDays(since, -2), dayOfInstant(now))) {
    const exportedAt = BigInt(startOfDayEpochSeconds(day)) * 1_000_000n + EXPORT_LAG_MICROS;
    if (exportedAt < sinceMicros || exportedAt > nowMicros) continue;
    const rows = dataset.linesForDay(day).length;
    if (rows === 0) continue;
    count += rows;
    if (last === null || exportedAt > last) last = exportedAt;
  }
  return [last === null ? null : last.toString(), String(count)];
}
