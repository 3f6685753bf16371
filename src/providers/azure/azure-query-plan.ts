/**
 * Which Cost Management queries one collection sends, and why.
 *
 * The Query API groups by at most two dimensions, and we need four: service, subscription, region
 * and charge type. Charge types must never be guessed (refunds, purchases and taxes are their own
 * FOCUS charge categories), so each calendar month costs TWO queries (times their pages):
 *
 * 1. usage:   ChargeType In [Usage], grouped by ServiceName + ResourceLocation (subscription scope)
 *             or ServiceName + SubscriptionId (billing-account scope; region is then unknown, "").
 * 2. charges: no filter, grouped by ServiceName + ChargeType; only its non-Usage rows are kept
 *             (refunds, purchases, taxes, adjustments and any charge type not known today), so
 *             nothing is dropped and no cost is counted twice. Their region is "" (such charges
 *             rarely have one) and their account is the scope's.
 *
 * At a subscription scope the subscription is the scope itself. Each call covers one calendar month
 * at most (domain/dates.ts monthWindows): Azure limits a query to one year, and month-sized calls keep
 * pages and restatements small.
 */
import type { QueryDefinition, QueryFilter } from "@azure/arm-costmanagement";
import type { DayRange } from "../../domain/dates.js";
import type { AzureScope } from "./azure-credentials.js";

/** The measure we sum; the reply names its column after it. */
export const COST_MEASURE = "Cost";
export const USAGE_CHARGE_TYPE = "Usage";

export interface AzureQuerySpec {
  name: "usage" | "charges";
  grouping: [string, string];
  filter?: QueryFilter;
  /** Rows of this query we keep, by their ChargeType column (absent: all). */
  keepChargeType?: (chargeType: string) => boolean;
}

const isUsage = (chargeType: string) => chargeType.toLowerCase() === USAGE_CHARGE_TYPE.toLowerCase();

export function querySpecsFor(scope: AzureScope): [usage: AzureQuerySpec, charges: AzureQuerySpec] {
  return [
    {
      name: "usage",
      grouping: ["ServiceName", scope.kind === "subscription" ? "ResourceLocation" : "SubscriptionId"],
      filter: { dimensions: { name: "ChargeType", operator: "In", values: [USAGE_CHARGE_TYPE] } },
    },
    {
      name: "charges",
      grouping: ["ServiceName", "ChargeType"],
      keepChargeType: (chargeType) => !isUsage(chargeType),
    },
  ];
}

export function buildQueryDefinition(spec: AzureQuerySpec, window: DayRange): QueryDefinition {
  return {
    type: "ActualCost",
    timeframe: "Custom",
    timePeriod: { from: new Date(`${window.start}T00:00:00Z`), to: new Date(`${window.end}T23:59:59Z`) },
    dataset: {
      granularity: "Daily",
      aggregation: { totalCost: { name: COST_MEASURE, function: "Sum" } },
      grouping: spec.grouping.map((name) => ({ type: "Dimension", name })),
      ...(spec.filter ? { filter: spec.filter } : {}),
    },
  };
}
