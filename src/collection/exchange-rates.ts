/**
 * Monthly FX rates: loaded from a JSON file (the sandbox's fixed rates, or a published series an
 * operator drops in) or set by an admin, validated in full before anything is written, and read back
 * as the domain's ExchangeRateTable for normalization.
 */
import { readFile } from "node:fs/promises";
import type { IsoMonth } from "../domain/cost-record.js";
import { createExchangeRateTable, type ExchangeRate, type ExchangeRateTable } from "../domain/currency.js";
import { describeValue, IssueCollector, ValidationError } from "../domain/validation.js";
import type { ExchangeRateStore } from "../store/exchange-rate-store.js";

const MAX_SOURCE_LENGTH = 100;

/**
 * Checks untrusted entries (`[{ month, from, to, rate, source }]`) and returns them as rates. Every
 * problem is reported at once, each naming its field (`rates[3].rate: ...`).
 */
export function parseExchangeRates(value: unknown): ExchangeRate[] {
  if (!Array.isArray(value)) {
    throw new ValidationError("rates", `${describeValue(value)} is not a list of exchange rates`);
  }
  const issues = new IssueCollector();
  value.forEach((entry: unknown, index) => {
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      issues.add(
        `rates[${index}]`,
        `${describeValue(entry)} is not an object { month, from, to, rate, source }`,
      );
    }
  });
  issues.throwIfAny();
  const rates = (value as Record<string, unknown>[]).map(({ month, from, to, rate, source }, index) => {
    if (typeof source !== "string" || source.trim() === "" || source.length > MAX_SOURCE_LENGTH) {
      issues.add(
        `rates[${index}].source`,
        `${describeValue(source)} is not a non-empty string of at most ${MAX_SOURCE_LENGTH} characters`,
      );
    }
    return { month, from, to, rate, source } as ExchangeRate;
  });
  // The domain table checks the months, currency codes, positive finite rates and duplicate pairs.
  issues.check(() => createExchangeRateTable(rates));
  issues.throwIfAny();
  return rates;
}

export class ExchangeRateService {
  constructor(private readonly store: ExchangeRateStore) {}

  /** Validates every entry, then stores them all (replacing the same month and pair); nothing is written when one is bad. */
  async setExchangeRates(entries: unknown): Promise<ExchangeRate[]> {
    const rates = parseExchangeRates(entries);
    await this.store.putRates(rates);
    return rates;
  }

  /** Loads a JSON file of entries; returns how many rates were stored. */
  async loadFile(file: URL | string): Promise<number> {
    let entries: unknown;
    try {
      entries = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      const reason = error instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
      throw new Error(`exchange rates file ${String(file)} ${reason}`, { cause: error });
    }
    return (await this.setExchangeRates(entries)).length;
  }

  /** The rates published for the months, as the table normalization converts with. */
  async ratesFor(months: readonly IsoMonth[]): Promise<ExchangeRateTable> {
    return createExchangeRateTable(await this.store.getRates([...new Set(months)]));
  }
}
