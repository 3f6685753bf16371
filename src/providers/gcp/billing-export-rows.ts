/**
 * Rows of the daily cost query (as the BigQuery client decodes them) -> ProviderCostLines.
 *
 * - cost_type: regular -> Usage, tax -> Tax, adjustment and "rounding error" -> Adjustment; the
 *   credits half of the query reports "credit" -> Credit, with the credit type (e.g.
 *   COMMITTED_USAGE_DISCOUNT, FREE_TIER, PROMOTION) in usageType and the service it reduces kept.
 *   A cost_type Google adds later lands in Adjustment rather than being dropped.
 * - Null project, location or service (tax and adjustment rows) become "": the normalizer files a
 *   line without a service under "Unassigned" and keeps an empty account or region as unassigned.
 * - A FLOAT cost BigQuery answers as NaN or Infinity, or a NULL currency, is passed on as it is: the
 *   normalizer quarantines that one line (named in the day's data quality) instead of the whole
 *   month failing here.
 * - invoice.month ("YYYYMM") is kept on every line as "YYYY-MM".
 */
import { z } from "zod";
import type { ChargeCategory, IsoDay, ProviderCostLine } from "../../domain/cost-record.js";
import { isIsoDay, isIsoMonth } from "../../domain/dates.js";
import { InvalidRequestError } from "../errors.js";
import { CREDIT_COST_TYPE } from "./billing-export-query.js";

const CHARGE_CATEGORY_BY_COST_TYPE: Record<string, ChargeCategory> = {
  regular: "Usage",
  tax: "Tax",
  adjustment: "Adjustment",
  "rounding error": "Adjustment",
  [CREDIT_COST_TYPE]: "Credit",
};

export function chargeCategoryOfCostType(costType: string | null): ChargeCategory {
  return CHARGE_CATEGORY_BY_COST_TYPE[costType ?? ""] ?? "Adjustment";
}

const nullableString = z.string().nullable();

/** A decoded row: DATE arrives as a BigQueryDate ({ value }), FLOAT as a number, NULL as null. */
const dailyCostRowSchema = z.object({
  usage_date: z.object({ value: z.string().refine(isIsoDay, "must be a calendar day") }),
  service_id: nullableString,
  service_name: nullableString,
  project_id: nullableString,
  project_name: nullableString,
  region: nullableString,
  cost_type: nullableString,
  credit_type: nullableString,
  currency: nullableString,
  // Any FLOAT, NaN and Infinity included: an unreadable amount is the normalizer's to quarantine.
  cost: z.custom<number>((value) => typeof value === "number", "must be a FLOAT"),
  usage_amount: z.custom<number>((value) => typeof value === "number", "must be a FLOAT").nullable(),
  usage_unit: nullableString,
  invoice_month: z
    .string()
    .transform((month) => `${month.slice(0, 4)}-${month.slice(4)}`)
    .refine(isIsoMonth, "must be a month YYYYMM")
    .nullable(),
});

type DailyCostRow = z.infer<typeof dailyCostRowSchema>;

function decodeRow(row: unknown, index: number): DailyCostRow {
  const parsed = dailyCostRowSchema.safeParse(row);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidRequestError(
    `BigQuery returned an unexpected row ${index}: ${issue?.path.join(".") ?? "row"} ${issue?.message ?? "is malformed"}`,
  );
}

/**
 * `isEstimated` says whether a day may still change (GCP keeps restating until the invoice month
 * closes); the export itself carries no such flag.
 */
export function toProviderCostLines(
  rows: unknown[],
  isEstimated: (day: IsoDay) => boolean,
): ProviderCostLine[] {
  return rows.map((raw, index) => {
    const row = decodeRow(raw, index);
    const date = row.usage_date.value;
    return {
      date,
      serviceName: row.service_name ?? "",
      ...(row.service_id === null ? {} : { serviceId: row.service_id }),
      ...(row.credit_type === null ? {} : { usageType: row.credit_type }),
      accountId: row.project_id ?? "",
      ...(row.project_name === null ? {} : { accountName: row.project_name }),
      region: row.region ?? "",
      chargeCategory: chargeCategoryOfCostType(row.cost_type),
      billedCost: row.cost,
      billingCurrency: row.currency ?? "",
      ...(row.usage_amount === null || !Number.isFinite(row.usage_amount)
        ? {}
        : { usageQuantity: row.usage_amount }),
      ...(row.usage_unit === null ? {} : { usageUnit: row.usage_unit }),
      ...(row.invoice_month === null ? {} : { invoiceMonth: row.invoice_month }),
      estimated: isEstimated(date),
    };
  });
}
