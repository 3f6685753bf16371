/**
 * Cost Explorer RECORD_TYPE values -> FOCUS charge categories. Refunds are Adjustments (FOCUS: a
 * correction of earlier charges), not Credits (which are promotional or contractual money off);
 * negation rows of Savings Plans offset covered usage, so they stay Usage and usage nets to what
 * was paid through the plan's fee (a Purchase). Unknown record types become Adjustment, so a new
 * AWS record type is kept and visible rather than inflating usage.
 */
import type { ChargeCategory } from "../../domain/cost-record.js";

const CATEGORIES: Record<string, ChargeCategory> = {
  Usage: "Usage",
  DiscountedUsage: "Usage",
  SavingsPlanCoveredUsage: "Usage",
  SavingsPlanNegation: "Usage",
  Tax: "Tax",
  Credit: "Credit",
  "Enterprise Discount Program Discount": "Credit",
  "Private Rate Card Discount": "Credit",
  "Bundled Discount": "Credit",
  "Distributor Discount": "Credit",
  "Solution Provider Program Discount": "Credit",
  Refund: "Adjustment",
  Fee: "Purchase",
  RIFee: "Purchase",
  "Recurring reservation fee": "Purchase",
  "Upfront reservation fee": "Purchase",
  SavingsPlanRecurringFee: "Purchase",
  SavingsPlanUpfrontFee: "Purchase",
};

export function chargeCategoryOfRecordType(recordType: string): ChargeCategory {
  return CATEGORIES[recordType] ?? "Adjustment";
}
