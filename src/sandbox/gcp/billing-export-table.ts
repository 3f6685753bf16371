/**
 * The simulated Cloud Billing export table: a BillingDataset's lines as rows of the standard export
 * schema (service, project, location, cost_type, cost, usage, credits, export_time, _PARTITIONTIME),
 * what each column expression a query may use means on such a row, and the WHERE conditions on the
 * usage day and _PARTITIONTIME it can evaluate.
 *
 * Loading: the rows of usage day D are exported at 04:00:00.123456 UTC on D+1 (the odd microseconds
 * prove int64 timestamp decoding) into that day's partition. Rows of days whose export is still
 * ahead are already in the table as estimates, with export_time NULL.
 */
import type { IsoDay } from "../../domain/cost-record.js";
import { addDays, daysInRange, startOfDayEpochSeconds } from "../../domain/dates.js";
import type { BillingDataset, SimulatedLine } from "../billing-dataset.js";
import { invalidQuery, type BigQueryType } from "./bigquery-wire.js";

const EXPORT_LAG_MICROS = BigInt(28 * 3600) * 1_000_000n + 123_456n;

export type Value = string | number | null;

export interface ExportRow {
  usageDay: IsoDay;
  partitionDay: IsoDay;
  /** Scalar columns by path: `service.id`, `cost`, `usage.amount`, `export_time`, ... */
  columns: Record<string, Value>;
  credits: { type: string; amount: number }[];
}

/** One row of the export table per simulated line of the day. */
function exportRows(dataset: BillingDataset, day: IsoDay, now: Date): ExportRow[] {
  const exportedAt = BigInt(startOfDayEpochSeconds(day)) * 1_000_000n + EXPORT_LAG_MICROS;
  const exported = exportedAt <= BigInt(now.getTime()) * 1000n;
  return dataset.linesForDay(day).map((line) => ({
    usageDay: day,
    partitionDay: addDays(day, 1),
    columns: { ...columnsOf(line), export_time: exported ? exportedAt.toString() : null },
    credits: creditsOf(line),
  }));
}

/** A promotion arrives as a credit on a zero-cost row of its service, like in a real export. */
function columnsOf(line: SimulatedLine): Record<string, Value> {
  const credit = line.chargeCategory === "Credit";
  const project = line.accountId === "" ? null : line.accountId;
  return {
    "service.id": line.serviceId ?? null,
    "service.description": line.serviceName === "" ? null : line.serviceName,
    "project.id": project,
    "project.name": project === null ? null : line.accountName,
    "location.region": line.region === "" ? null : line.region,
    cost_type: {
      Usage: "regular",
      Purchase: "regular",
      Tax: "tax",
      Adjustment: "adjustment",
      Credit: "regular",
    }[line.chargeCategory],
    currency: line.currency,
    cost: credit ? 0 : line.cost,
    "usage.amount": credit ? null : (line.usageQuantity ?? null),
    "usage.unit": credit ? null : (line.usageUnit ?? null),
  };
}

function creditsOf(line: SimulatedLine): ExportRow["credits"] {
  if (line.chargeCategory === "Credit") return [{ type: line.usageType ?? "PROMOTION", amount: line.cost }];
  return (line.credits ?? []).map(({ type, amount }) => ({ type, amount }));
}

/** The export's columns a query may name, and their types. `credits` is the one array (UNNEST it). */
export const EXPORT_COLUMN_TYPES: Record<string, BigQueryType> = {
  'DATE(usage_start_time, "UTC")': "DATE",
  "service.id": "STRING",
  "service.description": "STRING",
  "project.id": "STRING",
  "project.name": "STRING",
  "location.region": "STRING",
  cost_type: "STRING",
  currency: "STRING",
  cost: "FLOAT",
  "usage.amount": "FLOAT",
  "usage.unit": "STRING",
  export_time: "TIMESTAMP",
};

/** Fields of one element of `credits`. */
export const CREDIT_FIELD_TYPES: Record<string, BigQueryType> = { type: "STRING", amount: "FLOAT" };

/** Top-level fields (what a WITH query can pass through by name). */
export const EXPORT_FIELDS = new Set([
  ...Object.keys(EXPORT_COLUMN_TYPES).map((path) => path.split(".")[0]!),
  "usage_start_time",
  "credits",
]);

/** The value of an export column on a row (the UTC usage day for the one computed column). */
export function columnValue(row: ExportRow, path: string): Value {
  return path === 'DATE(usage_start_time, "UTC")' ? row.usageDay : (row.columns[path] ?? null);
}

/** The rows a WHERE keeps, and the usage days they can come from (so only those are generated). */
export interface RowFilter {
  from: IsoDay | undefined;
  to: IsoDay | undefined;
  keep(row: ExportRow): boolean;
}

const PARTITION_BOUND =
  /^_PARTITIONTIME (>=|<) TIMESTAMP\((?:@(\w+)|DATE_(SUB|ADD)\(@(\w+), INTERVAL (\d+) DAY\))\)(?: AND |$)/i;
const USAGE_DAY_RANGE = /^DATE\(usage_start_time, "UTC"\) BETWEEN @(\w+) AND @(\w+)(?: AND |$)/i;

export function rowFilter(where: string | undefined, parameters: Record<string, IsoDay>): RowFilter {
  const tests: ((row: ExportRow) => boolean)[] = [];
  let from: IsoDay | undefined;
  let to: IsoDay | undefined;
  const later = (a: IsoDay | undefined, b: IsoDay) => (a === undefined || b > a ? b : a);
  const earlier = (a: IsoDay | undefined, b: IsoDay) => (a === undefined || b < a ? b : a);
  let rest = where ?? "";
  while (rest !== "") {
    const partition = PARTITION_BOUND.exec(rest);
    const usage = partition ? undefined : USAGE_DAY_RANGE.exec(rest);
    if (partition) {
      const [, op, bare, shift, shifted, days] = partition;
      const base = parameters[(bare ?? shifted)!]!;
      const bound = shift ? addDays(base, (shift.toUpperCase() === "SUB" ? -1 : 1) * Number(days)) : base;
      // A row's partition is its load day, the day after its usage day.
      if (op === ">=") {
        tests.push((row) => row.partitionDay >= bound);
        from = later(from, addDays(bound, -1));
      } else {
        tests.push((row) => row.partitionDay < bound);
        to = earlier(to, addDays(bound, -2));
      }
    } else if (usage) {
      const [start, end] = [parameters[usage[1]!]!, parameters[usage[2]!]!];
      tests.push((row) => row.usageDay >= start && row.usageDay <= end);
      [from, to] = [later(from, start), earlier(to, end)];
    } else {
      throw invalidQuery(`The simulated export cannot evaluate the condition "${rest}"`);
    }
    rest = rest.slice((partition ?? usage)![0].length);
  }
  return { from, to, keep: (row) => tests.every((test) => test(row)) };
}

/** The rows the filter keeps, in usage day order; only the first one when that is all a MIN needs. */
export function scan(dataset: BillingDataset, now: Date, filter: RowFilter, firstOnly: boolean): ExportRow[] {
  const from = filter.from && filter.from > dataset.firstDay ? filter.from : dataset.firstDay;
  const to = filter.to && filter.to < dataset.today ? filter.to : dataset.today;
  const rows: ExportRow[] = [];
  for (const day of from <= to ? daysInRange(from, to) : []) {
    rows.push(...exportRows(dataset, day, now).filter(filter.keep));
    if (firstOnly && rows.length > 0) return rows.slice(0, 1);
  }
  return rows;
}
