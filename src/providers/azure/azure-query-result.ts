/**
 * Cost Management query rows -> ProviderCostLine. Columns are found BY NAME (the service does not
 * promise an order), UsageDate is the number yyyymmdd, amounts are JSON numbers and each row names
 * its own currency. A row without a cost that is a number, or without a currency, is passed on with
 * NaN or "" for the normalizer to quarantine (named in that day's data quality): one odd row never
 * fails the month. A row without a valid UsageDate has no day to be kept on, so the reply is refused.
 */
import {
  UNASSIGNED_SERVICE,
  type ChargeCategory,
  type IsoDay,
  type ProviderCostLine,
} from "../../domain/cost-record.js";
import { isIsoDay } from "../../domain/dates.js";
import { InvalidRequestError } from "../errors.js";
import { COST_MEASURE } from "./azure-query-plan.js";

export interface QueryPage {
  columns?: { name?: string; type?: string }[];
  rows?: unknown[][];
  nextLink?: string | null;
}

export interface RowContext {
  /** The account of rows without a SubscriptionId column (the scope's subscription or billing account). */
  accountId: string;
  isEstimated: (day: IsoDay) => boolean;
  keepChargeType?: (chargeType: string) => boolean;
}

/**
 * Azure ChargeType -> FOCUS ChargeCategory. A refund corrects an earlier charge (an Adjustment, as
 * the rest of this project books refunds); unused reservations and savings plans are commitment
 * usage, as FOCUS has them. Azure's ActualCost carries no tax or credits, but the names are mapped
 * should a scope ever return them.
 */
const CHARGE_CATEGORY_BY_TYPE: Record<string, ChargeCategory> = {
  usage: "Usage",
  unusedreservation: "Usage",
  unusedsavingsplan: "Usage",
  purchase: "Purchase",
  refund: "Adjustment",
  roundingadjustment: "Adjustment",
  adjustment: "Adjustment",
  tax: "Tax",
  credit: "Credit",
};

/**
 * A negative amount under a Usage charge type, or under one we do not know, is a correction that
 * lowers the bill: an Adjustment, so usage is never understated by a hidden refund.
 */
export function chargeCategoryOf(chargeType: string | undefined, cost: number): ChargeCategory {
  const known = chargeType === undefined ? undefined : CHARGE_CATEGORY_BY_TYPE[chargeType.toLowerCase()];
  if (known === "Usage" || known === undefined) return cost < 0 ? "Adjustment" : "Usage";
  return known;
}

/** 20260131 (or "20260131", or "2026-01-31T00:00:00") -> "2026-01-31". */
export function usageDateToIsoDay(value: unknown): IsoDay | undefined {
  const digits =
    typeof value === "number"
      ? String(value)
      : typeof value === "string"
        ? value.replace(/-/g, "").slice(0, 8)
        : "";
  const day = /^\d{8}$/.test(digits)
    ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)}`
    : undefined;
  return isIsoDay(day) ? day : undefined;
}

function columnIndex(page: QueryPage): Map<string, number> {
  const index = new Map<string, number>();
  (page.columns ?? []).forEach((column, position) => {
    if (column.name) index.set(column.name.toLowerCase(), position);
  });
  return index;
}

function malformed(detail: string): InvalidRequestError {
  return new InvalidRequestError(`Azure Cost Management reply is not as expected: ${detail}`);
}

export function mapQueryRows(page: QueryPage, context: RowContext): ProviderCostLine[] {
  const rows = page.rows ?? [];
  if (rows.length === 0) return [];
  const index = columnIndex(page);
  const required = (name: string) => {
    const position = index.get(name.toLowerCase());
    if (position === undefined) throw malformed(`no "${name}" column`);
    return position;
  };
  // The legacy measure name is accepted too: a reply names the column after the measure queried.
  const costAt = index.get(COST_MEASURE.toLowerCase()) ?? index.get("pretaxcost") ?? required(COST_MEASURE);
  const dateAt = required("UsageDate");
  const currencyAt = required("Currency");
  const optional = (name: string) => index.get(name.toLowerCase());
  const serviceAt = optional("ServiceName");
  const regionAt = optional("ResourceLocation");
  const accountAt = optional("SubscriptionId");
  const accountNameAt = optional("SubscriptionName");
  const chargeTypeAt = optional("ChargeType");
  const text = (row: unknown[], at: number | undefined) => {
    const value = at === undefined ? undefined : row[at];
    return typeof value === "string" ? value : undefined;
  };

  const lines: ProviderCostLine[] = [];
  rows.forEach((row, rowNumber) => {
    const chargeType = text(row, chargeTypeAt);
    if (chargeType !== undefined && context.keepChargeType && !context.keepChargeType(chargeType)) return;
    const given = row[costAt];
    const cost = typeof given === "number" ? given : Number.NaN;
    const date = usageDateToIsoDay(row[dateAt]);
    const currency = text(row, currencyAt) ?? "";
    if (!date) throw malformed(`row ${rowNumber} has no valid UsageDate`);
    const accountName = text(row, accountNameAt);
    lines.push({
      date,
      serviceName: text(row, serviceAt) || UNASSIGNED_SERVICE,
      accountId: text(row, accountAt) || context.accountId,
      ...(accountName ? { accountName } : {}),
      region: text(row, regionAt) ?? "",
      chargeCategory: chargeCategoryOf(chargeType, cost),
      billedCost: cost,
      billingCurrency: currency.toUpperCase(),
      estimated: context.isEstimated(date),
    });
  });
  return lines;
}
