/** FX rates: the sandbox file, the admin path's all-or-nothing validation, and the table normalization reads. */
import { writeFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ExchangeRateService } from "../../src/collection/exchange-rates.js";
import { SANDBOX_EXCHANGE_RATES_FILE } from "../../src/sandbox/exchange-rates.js";
import { findRate } from "../../src/domain/currency.js";
import { addMonths } from "../../src/domain/dates.js";
import { ValidationError } from "../../src/domain/validation.js";
import { ExchangeRateStore } from "../../src/store/exchange-rate-store.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";

let context: TestStoreContext;
let rates: ExchangeRateService;
let store: ExchangeRateStore;

beforeAll(async () => {
  context = await createTestStoreContext();
  store = new ExchangeRateStore(context);
  rates = new ExchangeRateService(store);
});

const MONTHS = Array.from({ length: 36 }, (_, i) => addMonths("2025-01", i));

describe("the sandbox exchange rates", () => {
  it("cover EUR, USD and GBP both ways for every month of 2025-2027", async () => {
    expect(await rates.loadFile(SANDBOX_EXCHANGE_RATES_FILE)).toBe(36 * 3);
    const table = await rates.ratesFor(MONTHS);
    for (const month of MONTHS) {
      for (const [from, to] of [
        ["EUR", "USD"],
        ["USD", "EUR"],
        ["GBP", "USD"],
        ["USD", "GBP"],
        ["EUR", "GBP"],
        ["GBP", "EUR"],
      ] as const) {
        const rate = findRate(table, from, to, month);
        expect(rate?.source).toMatch(/^sandbox-fixed/);
        expect(rate?.rate).toBeGreaterThan(0.6);
        expect(rate?.rate).toBeLessThan(1.6);
      }
    }
    expect(findRate(table, "EUR", "JPY", "2026-01")).toBeNull();
  });
});

describe("setExchangeRates", () => {
  it("stores valid rates and replaces a month's pair", async () => {
    await rates.setExchangeRates([
      { month: "2030-01", from: "CHF", to: "USD", rate: 1.1, source: "admin-upload" },
    ]);
    await rates.setExchangeRates([
      { month: "2030-01", from: "CHF", to: "USD", rate: 1.2, source: "admin-upload" },
    ]);
    const table = await rates.ratesFor(["2030-01", "2030-01"]);
    expect(Object.values(table.rates)).toEqual([
      { month: "2030-01", from: "CHF", to: "USD", rate: 1.2, source: "admin-upload" },
    ]);
  });

  it("names every bad field and writes nothing when one entry is bad", async () => {
    const error = await rates
      .setExchangeRates([
        { month: "2031-01", from: "EUR", to: "USD", rate: 1.08, source: "ecb-monthly" },
        { month: "2031-13", from: "EUR", to: "GBP", rate: 0.85, source: "ecb-monthly" },
        { month: "2031-02", from: "EURO", to: "USD", rate: -1, source: "" },
        { month: "2031-03", from: "EUR", to: "USD", rate: Number.POSITIVE_INFINITY, source: "ecb-monthly" },
      ])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.field).sort()).toEqual([
      "rates[1].month",
      "rates[2].from",
      "rates[2].rate",
      "rates[2].source",
      "rates[3].rate",
    ]);
    expect(await store.getRates(["2031-01", "2031-02", "2031-03"])).toEqual([]);
  });

  it("refuses what is not a list of objects", async () => {
    await expect(rates.setExchangeRates({ month: "2031-01" })).rejects.toThrow(/^rates: .* is not a list/);
    await expect(rates.setExchangeRates([42])).rejects.toThrow(/^rates\[0\]: 42 is not an object/);
  });

  it("reports a file that is not JSON by its name", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fx-"));
    const file = join(dir, "rates.json");
    await writeFile(file, "[{ not json");
    await expect(rates.loadFile(file)).rejects.toThrow(/rates\.json is not valid JSON/);
  });
});
