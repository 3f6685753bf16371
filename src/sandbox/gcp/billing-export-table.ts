/**
 * The simulated Cloud Billing export table: a BillingDataset's lines as rows of the standard export
 * schema (service, project, location, cost_type, cost, usage, credits, usage_start_time, invoice,
 * export_time, _PARTITIONTIME), what each column expression a query may use means on such a row, and
 * the WHERE conditions on the usage day and _PARTITIONTIME it can evaluate.
 *
 * Time: a GCP dataset's day is Google's billing day, the Pacific calendar day. Each line is metered in
 * two hours of it, the first (00:00 Pacific, 07:00 or 08:00 UTC) and the last (23:00 Pacific, already
 * the next day in UTC), half each; so DATE(usage_start_time, "America/Los_Angeles") gives back the
 * dataset's days (daylight saving included), and a UTC day mixes two of them.
 *
 * Loading: the rows of usage day D are exported at 10:00:00.123456 UTC on D+1 (after the Pacific day
 * ended; the odd microseconds prove int64 timestamp decoding) into that day's partition. A late row,
 * billed on the next invoice month, loads on that month's LATE_LOAD_DAY. Rows whose export is still
 * ahead are already in the table as estimates, with export_time NULL.
 */
import type { IsoDay } from "../../domain/cost-record.js";
import {
  addDays,
  daysInRange,
  firstDayOfMonth,
  monthOf,
  startOfDayEpochSeconds,
} from "../../domain/dates.js";
import { roundAmount, type BillingDataset, type SimulatedLine } from "../billing-dataset.js";
import { dayInTimeZone, instantOfLocalHour, isTimeZone } from "../../domain/time-zones.js";
import { invalidQuery, type BigQueryType } from "./bigquery-wire.js";

/** Google's billing day (its own fact, written here again so the simulator owes nothing to the collector). */
const BILLING_TIME_ZONE = "America/Los_Angeles";
/** The Pacific hours each line is metered in: the day's first and its last. */
const USAGE_HOURS = [0, 23] as const;
const EXPORT_LAG_MICROS = BigInt(10 * 3600) * 1_000_000n + 123_456n;
/** The day of the next month on which rows that missed the invoice's close are loaded. */
const LATE_LOAD_DAY = 6;
/** The most days after its usage day a row is loaded (a late row of a month's last day). */
const MAX_LOAD_LAG_DAYS = LATE_LOAD_DAY;

export type Value = string | number | null;

export interface ExportRow {
  /** usage_start_time, epoch milliseconds. */
  usageStart: number;
  partitionDay: IsoDay;
  /** Scalar columns by path: `service.id`, `cost`, `usage.amount`, `export_time`, ... */
  columns: Record<string, Value>;
  credits: { type: string; amount: number }[];
}

/** Rows of the export table for the simulated lines of a (Pacific) day: one per line and usage hour. */
function exportRows(dataset: BillingDataset, day: IsoDay, now: Date): ExportRow[] {
  const hours = USAGE_HOURS.map((hour) => instantOfLocalHour(day, hour, BILLING_TIME_ZONE));
  return dataset.linesForDay(day).flatMap((line) => {
    const invoiceMonth = line.invoiceMonth ?? monthOf(day);
    const partitionDay =
      invoiceMonth > monthOf(day)
        ? addDays(firstDayOfMonth(invoiceMonth), LATE_LOAD_DAY - 1)
        : addDays(day, 1);
    const exportedAt = BigInt(startOfDayEpochSeconds(partitionDay)) * 1_000_000n + EXPORT_LAG_MICROS;
    const exported = exportedAt <= BigInt(now.getTime()) * 1000n;
    const columns = columnsOf(line);
    const credits = creditsOf(line);
    return hours.map((usageStart, index) => ({
      usageStart,
      partitionDay,
      columns: {
        ...columns,
        cost: halfOf(columns.cost as number, index),
        "usage.amount":
          columns["usage.amount"] === null ? null : halfOf(columns["usage.amount"] as number, index),
        usage_start_time: String(usageStart * 1000),
        "invoice.month": invoiceMonth.replace("-", ""),
        export_time: exported ? exportedAt.toString() : null,
      },
      credits: credits.map((credit) => ({ ...credit, amount: halfOf(credit.amount, index) })),
    }));
  });
}

/** The first or second part of an amount split over the two usage hours; the parts add up to it. */
function halfOf(amount: number, index: number): number {
  const first = roundAmount(amount / 2);
  return index === 0 ? first : roundAmount(amount - first);
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
  usage_start_time: "TIMESTAMP",
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
  "invoice.month": "STRING",
  export_time: "TIMESTAMP",
};

/** Fields of one element of `credits`. */
export const CREDIT_FIELD_TYPES: Record<string, BigQueryType> = { type: "STRING", amount: "FLOAT" };

/** Top-level fields (what a WITH query can pass through by name). */
export const EXPORT_FIELDS = new Set([
  ...Object.keys(EXPORT_COLUMN_TYPES).map((path) => path.split(".")[0]!),
  "credits",
]);

/** `DATE(usage_start_time, "<time zone>")`: the usage day in any IANA time zone, as BigQuery has it. */
const USAGE_DAY = /^DATE\(usage_start_time, "([^"]+)"\)$/i;

function timeZoneOf(expression: string): string | undefined {
  const zone = USAGE_DAY.exec(expression)?.[1];
  if (zone !== undefined && !isTimeZone(zone)) throw invalidQuery(`Invalid time zone: ${zone}`);
  return zone;
}

/** True for a usage-day expression (whatever its time zone). */
export const isUsageDay = (path: string): boolean => USAGE_DAY.test(path);

/** The type of a column or of a usage-day expression; undefined for anything else. */
export function columnType(path: string): BigQueryType | undefined {
  return timeZoneOf(path) === undefined ? EXPORT_COLUMN_TYPES[path] : "DATE";
}

/** The value of an export column (or usage-day expression) on a row. */
export function columnValue(row: ExportRow, path: string): Value {
  const zone = timeZoneOf(path);
  return zone === undefined ? (row.columns[path] ?? null) : dayInTimeZone(row.usageStart, zone);
}

/** The rows a WHERE keeps, and the usage days they can come from (so only those are generated). */
export interface RowFilter {
  from: IsoDay | undefined;
  to: IsoDay | undefined;
  keep(row: ExportRow): boolean;
}

const PARTITION_BOUND =
  /^_PARTITIONTIME (>=|<) TIMESTAMP\((?:@(\w+)|DATE_(SUB|ADD)\(@(\w+), INTERVAL (\d+) DAY\))\)(?: AND |$)/i;
const USAGE_DAY_RANGE = /^(DATE\(usage_start_time, "[^"]+"\)) BETWEEN @(\w+) AND @(\w+)(?: AND |$)/i;

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
      // A row's partition is its load day: the day after its usage day, or up to MAX_LOAD_LAG_DAYS after.
      if (op === ">=") {
        tests.push((row) => row.partitionDay >= bound);
        from = later(from, addDays(bound, -MAX_LOAD_LAG_DAYS));
      } else {
        tests.push((row) => row.partitionDay < bound);
        to = earlier(to, addDays(bound, -2));
      }
    } else if (usage) {
      const [, expression, startName, endName] = usage;
      const [start, end] = [parameters[startName!]!, parameters[endName!]!];
      tests.push((row) => {
        const day = columnValue(row, expression!) as IsoDay;
        return day >= start && day <= end;
      });
      // A (Pacific) dataset day's rows fall within a day of it in any time zone.
      [from, to] = [later(from, addDays(start, -1)), earlier(to, addDays(end, 1))];
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
