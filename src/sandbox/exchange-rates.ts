/**
 * The sandbox's rates: EUR, USD and GBP pairs for every month of 2025-2027 in a file, repeated
 * every three years so a sandbox started on any date (SANDBOX_TODAY) converts every month it holds.
 * An FX decoy (labelled-events.ts) is one of these months with its rate moved by 8%.
 */
import { readFileSync } from "node:fs";
import type { IsoMonth } from "../domain/cost-record.js";
import { parseExchangeRates } from "../collection/exchange-rates.js";
import type { ExchangeRate } from "../domain/currency.js";
import type { InjectedEvent } from "./billing-dataset.js";

export const SANDBOX_EXCHANGE_RATES_FILE = new URL("./exchange-rates.json", import.meta.url);

const CYCLE_START_YEAR = 2025;
const CYCLE_YEARS = 3;

/** The file's month in the same place of the three-year cycle. */
function cycleMonth(month: IsoMonth): IsoMonth {
  const year = Number(month.slice(0, 4));
  const offset = (((year - CYCLE_START_YEAR) % CYCLE_YEARS) + CYCLE_YEARS) % CYCLE_YEARS;
  return `${CYCLE_START_YEAR + offset}${month.slice(4)}`;
}

/** The sandbox's rates for these months. */
export function sandboxExchangeRates(months: readonly IsoMonth[]): ExchangeRate[] {
  const file = parseExchangeRates(JSON.parse(readFileSync(SANDBOX_EXCHANGE_RATES_FILE, "utf8")));
  return months.flatMap((month) =>
    file.filter((rate) => rate.month === cycleMonth(month)).map((rate) => ({ ...rate, month })),
  );
}

/** A month whose rate moves: every rate from `currency` × factor, every rate to it ÷ factor. */
export interface ExchangeRateJump {
  month: IsoMonth;
  currency: string;
  factor: number;
}

/**
 * The rates with each jump applied (to its month only; other months and pairs unchanged). Rates
 * keep their source, so nothing but the rate tells a jumped month from the others.
 */
export function withExchangeRateJumps(
  rates: readonly ExchangeRate[],
  jumps: readonly ExchangeRateJump[],
): ExchangeRate[] {
  const round = (rate: number) => Math.round(rate * 1e10) / 1e10;
  return rates.map((rate) => {
    let moved = rate.rate;
    for (const jump of jumps) {
      if (jump.month !== rate.month || rate.from === rate.to) continue;
      if (rate.from === jump.currency) moved *= jump.factor;
      if (rate.to === jump.currency) moved /= jump.factor;
    }
    return moved === rate.rate ? { ...rate } : { ...rate, rate: round(moved) };
  });
}

/**
 * The sandbox's rates for these months with every DECOY_FX event's month jumped (its `key` the
 * billed currency, its `factor` the multiplier, e.g. 1.08): what an eval harness loads into the
 * store instead of `sandboxExchangeRates(months)` when its plan has an FX decoy. Other events are
 * ignored.
 */
export function sandboxExchangeRatesWithDecoys(
  months: readonly IsoMonth[],
  events: readonly InjectedEvent[],
): ExchangeRate[] {
  const jumps = events
    .filter((event) => event.kind === "DECOY_FX")
    .map((event) => ({ month: event.start.slice(0, 7), currency: event.key, factor: event.factor ?? 1 }));
  return withExchangeRateJumps(sandboxExchangeRates(months), jumps);
}
