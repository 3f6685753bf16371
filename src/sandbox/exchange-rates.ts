/**
 * The sandbox's rates: EUR, USD and GBP pairs for every month of 2025-2027 in a file, repeated
 * every three years so a sandbox started on any date (SANDBOX_TODAY) converts every month it holds.
 */
import { readFileSync } from "node:fs";
import type { IsoMonth } from "../domain/cost-record.js";
import { parseExchangeRates } from "../collection/exchange-rates.js";
import type { ExchangeRate } from "../domain/currency.js";

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
