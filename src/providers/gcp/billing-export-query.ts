/**
 * The SQL the GCP adapter sends to the Cloud Billing export in BigQuery, and the columns it gets back.
 * The BigQuery simulator (src/sandbox/gcp) does not use these builders: it reads the SQL it receives
 * on its own, so a query that asks for the wrong columns, filters or grouping fails the tests.
 *
 * Only the table name is written into the SQL (BigQuery cannot take a table as a parameter): it is
 * checked against BILLING_EXPORT_TABLE_PATTERN here, at the last moment, and quoted with backticks.
 * Every date travels as a named DATE parameter.
 */
import { BILLING_TIME_ZONES } from "../../domain/billing-days.js";

/** `project.dataset.table` of a standard or detailed (resource-level) billing export table. */
export const BILLING_EXPORT_TABLE_PATTERN =
  /^([a-z][a-z0-9-]{4,28}[a-z0-9])\.([A-Za-z0-9_]{1,1024})\.(gcp_billing_export_(?:resource_)?v1_[A-Za-z0-9_]{1,200})$/;

/** The cost_type the credits half of the daily query reports (the export itself has no such type). */
export const CREDIT_COST_TYPE = "credit";

/**
 * Partitions are load days, not usage days: rows for a day keep arriving for days after it. After the
 * window's end, the window also reaches the first days of the next month, when the last rows of the
 * month are loaded; those that miss the invoice's close carry the next invoice.month, and are still
 * stored on their usage day.
 */
export const PARTITION_DAYS_BEFORE = 7;
export const PARTITION_DAYS_AFTER = 10;

export type BigQueryColumnType = "DATE" | "STRING" | "FLOAT" | "INTEGER" | "TIMESTAMP";

export interface BigQueryColumn {
  name: string;
  type: BigQueryColumnType;
}

/** Columns of the daily cost query, in SELECT order. */
export const DAILY_COST_COLUMNS = [
  { name: "usage_date", type: "DATE" },
  { name: "service_id", type: "STRING" },
  { name: "service_name", type: "STRING" },
  { name: "project_id", type: "STRING" },
  { name: "project_name", type: "STRING" },
  { name: "region", type: "STRING" },
  { name: "cost_type", type: "STRING" },
  { name: "credit_type", type: "STRING" },
  { name: "currency", type: "STRING" },
  { name: "cost", type: "FLOAT" },
  { name: "usage_amount", type: "FLOAT" },
  { name: "usage_unit", type: "STRING" },
  { name: "invoice_month", type: "STRING" },
] as const satisfies readonly BigQueryColumn[];

export type DailyCostColumn = (typeof DAILY_COST_COLUMNS)[number]["name"];

/** Columns of the freshness query the health check runs. */
export const EXPORT_FRESHNESS_COLUMNS = [
  { name: "last_export_time", type: "TIMESTAMP" },
  { name: "exported_rows", type: "INTEGER" },
] as const satisfies readonly BigQueryColumn[];

/** Columns of the query that finds the first usage day the table holds. */
export const EXPORT_FIRST_DAY_COLUMNS = [
  { name: "first_usage_date", type: "DATE" },
] as const satisfies readonly BigQueryColumn[];

/** Named parameters and their BigQuery types, passed as the SDK's `types`. */
export const DAILY_COST_PARAMETER_TYPES = { start: "DATE", end: "DATE" } as const;
export const EXPORT_FRESHNESS_PARAMETER_TYPES = { since: "DATE" } as const;

export class UnsafeTableNameError extends Error {
  override name = "UnsafeTableNameError";
}

/** The table reference as it appears in the SQL; refuses anything but a billing export table name. */
export function quoteBillingTable(table: string): string {
  if (!BILLING_EXPORT_TABLE_PATTERN.test(table)) {
    throw new UnsafeTableNameError(
      "billingExportTable must be project.dataset.gcp_billing_export_v1_<account> (or _resource_v1_)",
    );
  }
  return `\`${table}\``;
}

/**
 * The billing day of a row: the calendar day of its usage start in Google's billing time zone
 * (Pacific, daylight saving observed), so daily and monthly figures equal the console's.
 */
const USAGE_DAY = `DATE(usage_start_time, "${BILLING_TIME_ZONES.GCP}")`;

/**
 * Daily net cost per (billing day, service, project, region, cost type, currency, usage unit,
 * invoice month) for @start..@end inclusive (Pacific days), plus one line per credit type on its
 * own, so credits stay visible instead of being netted into cost. Credits keep the service and
 * project they reduce.
 */
export function dailyCostsSql(table: string): string {
  return `WITH billing_rows AS (
  SELECT
    ${USAGE_DAY} AS usage_date,
    service, project, location, cost_type, currency, cost, usage, credits, invoice
  FROM ${quoteBillingTable(table)}
  WHERE _PARTITIONTIME >= TIMESTAMP(DATE_SUB(@start, INTERVAL ${PARTITION_DAYS_BEFORE} DAY))
    AND _PARTITIONTIME < TIMESTAMP(DATE_ADD(@end, INTERVAL ${PARTITION_DAYS_AFTER + 1} DAY))
    AND ${USAGE_DAY} BETWEEN @start AND @end
)
SELECT
  usage_date,
  service.id AS service_id,
  service.description AS service_name,
  project.id AS project_id,
  project.name AS project_name,
  location.region AS region,
  cost_type,
  CAST(NULL AS STRING) AS credit_type,
  currency,
  SUM(cost) AS cost,
  SUM(usage.amount) AS usage_amount,
  usage.unit AS usage_unit,
  invoice.month AS invoice_month
FROM billing_rows
GROUP BY usage_date, service_id, service_name, project_id, project_name, region, cost_type, credit_type, currency, usage_unit, invoice_month
UNION ALL
SELECT
  usage_date, service.id, service.description, project.id, project.name, location.region,
  "${CREDIT_COST_TYPE}", credit.type, currency, SUM(credit.amount), CAST(NULL AS FLOAT64), CAST(NULL AS STRING),
  invoice.month
FROM billing_rows, UNNEST(credits) AS credit
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 13`;
}

/** Latest export time and row count since @since: a cheap proof that the table is readable and fed. */
export function exportFreshnessSql(table: string): string {
  return `SELECT MAX(export_time) AS last_export_time, COUNT(1) AS exported_rows
FROM ${quoteBillingTable(table)}
WHERE _PARTITIONTIME >= TIMESTAMP(@since)`;
}

/**
 * The first billing day (Pacific) the table holds: the export only has what was billed after it was
 * turned on. It reads one column of every partition, a small scan that a collection runs once.
 */
export function exportFirstDaySql(table: string): string {
  return `SELECT MIN(${USAGE_DAY}) AS first_usage_date
FROM ${quoteBillingTable(table)}`;
}
