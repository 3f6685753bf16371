/**
 * Invoice months: the invoice a stored line is billed on, and an invoice month's total from stored
 * lines. A line names its invoice month when the provider does (GCP's invoice.month); otherwise its
 * invoice month is its usage month (AWS bills per UTC calendar month; the Azure query used here does
 * not return the billing period). An invoice month can hold late rows of the month before it (GCP
 * rows of a month's last days that missed the invoice's close), never of an earlier one.
 */
import type { BilledTotal, CostLine, IsoDay, IsoMonth } from "./cost-record.js";
import { addMonths, firstDayOfMonth, lastDayOfMonth, monthOf, type DayRange } from "./dates.js";
import type { CloudProvider } from "./provider.js";
import { sumBy } from "./breakdowns.js";

const invoiceMonthOf = (line: Pick<CostLine, "invoiceMonth">, day: IsoDay): IsoMonth =>
  line.invoiceMonth ?? monthOf(day);

/** The usage days whose lines can be billed on `month`: that month and the one before it. */
export function invoiceMonthUsageDays(month: IsoMonth): DayRange {
  return { start: firstDayOfMonth(addMonths(month, -1)), end: lastDayOfMonth(month) };
}

export interface ProviderInvoiceTotal {
  provider: CloudProvider;
  /** Net, in the reporting currency; lines without an exchange rate are left out (as in records). */
  amount: number;
  /** Net per billing currency, unconverted: the figures the provider's invoice shows. */
  billed: BilledTotal[];
}

/** One provider's net total of the lines billed on `month`, from its stored lines by usage day. */
export function invoiceMonthTotal(
  provider: CloudProvider,
  month: IsoMonth,
  linesByDay: ReadonlyMap<IsoDay, readonly CostLine[]>,
): ProviderInvoiceTotal {
  const billedLines = [...linesByDay].flatMap(([day, lines]) =>
    lines.filter((line) => invoiceMonthOf(line, day) === month),
  );
  const billed = [
    ...sumBy(
      billedLines,
      (line) => line.billingCurrency,
      (line) => line.billedCost,
    ),
  ]
    .map(([currency, group]) => ({ currency, amount: group.amount }))
    .sort((a, b) => a.currency.localeCompare(b.currency));
  const amount = billedLines.reduce((sum, line) => sum + (line.cost ?? 0), 0);
  return { provider, amount, billed };
}
