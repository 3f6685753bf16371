/**
 * Currency conversion with monthly exchange rates. Amounts keep full precision through storage and
 * aggregation; only presentation rounds, to the currency's minor unit. A missing rate is reported as
 * missing (null), never replaced by 1.0: a wrong total is worse than a flagged gap.
 */
import type { ExchangeRateUsed, IsoDay, IsoMonth } from "./cost-record.js";
import { firstDayOfMonth, isIsoMonth, monthOf } from "./dates.js";
import { minorUnitDigits } from "./currency-codes.js";
import { IssueCollector, validateCurrencyCode } from "./validation.js";

/** One published rate: 1 `from` = `rate` `to`, valid for every day of `month`. */
export interface ExchangeRate {
  month: IsoMonth;
  from: string;
  to: string;
  rate: number;
  /** e.g. "ecb-monthly-2026-01", "admin-upload". */
  source: string;
}

/** Rates keyed by rateKey(month, from, to); plain data, so it can be cached or serialized as is. */
export interface ExchangeRateTable {
  readonly rates: Readonly<Record<string, ExchangeRate>>;
}

export const rateKey = (month: IsoMonth, from: string, to: string): string => `${month}:${from}:${to}`;

/** Validates every rate (all problems at once) and indexes them; a pair given twice for a month is an error. */
export function createExchangeRateTable(rates: readonly ExchangeRate[]): ExchangeRateTable {
  const issues = new IssueCollector();
  const indexed: Record<string, ExchangeRate> = {};
  rates.forEach((rate, index) => {
    const at = `rates[${index}]`;
    if (!isIsoMonth(rate.month))
      issues.add(`${at}.month`, `${JSON.stringify(rate.month)} is not a month in the form YYYY-MM`);
    issues.check(() => validateCurrencyCode(rate.from, `${at}.from`));
    issues.check(() => validateCurrencyCode(rate.to, `${at}.to`));
    if (!(Number.isFinite(rate.rate) && rate.rate > 0))
      issues.add(`${at}.rate`, `${rate.rate} is not a positive finite number`);
    const key = rateKey(rate.month, rate.from, rate.to);
    if (indexed[key]) issues.add(at, `duplicates the ${rate.from}->${rate.to} rate for ${rate.month}`);
    indexed[key] = rate;
  });
  issues.throwIfAny();
  return { rates: indexed };
}

/**
 * The rate to turn `from` into `to` for a month. When only the opposite pair was published, its
 * reciprocal is used and the source says "(inverse)": a published EUR->USD rate is as authoritative
 * for USD->EUR. No triangulation through a third currency (it would compound two sources silently).
 */
export function findRate(
  table: ExchangeRateTable,
  from: string,
  to: string,
  month: IsoMonth,
): ExchangeRateUsed | null {
  const rateDate = firstDayOfMonth(month);
  if (from === to) return { from, to, rate: 1, rateDate, source: "identity" };
  const direct = table.rates[rateKey(month, from, to)];
  if (direct) return { from, to, rate: direct.rate, rateDate, source: direct.source };
  const inverse = table.rates[rateKey(month, to, from)];
  if (inverse) return { from, to, rate: 1 / inverse.rate, rateDate, source: `${inverse.source} (inverse)` };
  return null;
}

/** Converts at the rate of the day's month; null when no rate is known (callers must flag it). */
export function convert(
  amount: number,
  from: string,
  to: string,
  day: IsoDay,
  table: ExchangeRateTable,
): { amount: number; rate: ExchangeRateUsed } | null {
  const rate = findRate(table, from, to, monthOf(day));
  return rate ? { amount: amount * rate.rate, rate } : null;
}

/** Rounds to the currency's minor unit (2 for USD, 0 for JPY, 3 for KWD), half away from zero; never -0. */
export function roundForPresentation(amount: number, currency: string): number {
  const factor = 10 ** minorUnitDigits(currency);
  const rounded = (Math.sign(amount) * Math.round(Math.abs(amount) * factor * (1 + Number.EPSILON))) / factor;
  return rounded === 0 ? 0 : rounded;
}
