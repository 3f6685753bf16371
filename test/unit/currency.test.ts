import { describe, expect, it } from "vitest";
import {
  convert,
  createExchangeRateTable,
  findRate,
  roundForPresentation,
} from "../../src/domain/currency.js";
import { ValidationError } from "../../src/domain/validation.js";
import { rates } from "./support/cost-lines.js";

describe("convert", () => {
  it("uses the rate of the day's month and says which rate it used", () => {
    expect(convert(100, "EUR", "USD", "2026-01-31", rates)).toEqual({
      amount: expect.closeTo(104.12, 10),
      rate: { from: "EUR", to: "USD", rate: 1.0412, rateDate: "2026-01-01", source: "ecb-monthly-2026-01" },
    });
    expect(convert(100, "EUR", "USD", "2026-02-01", rates)?.rate.rate).toBe(1.0375);
  });

  it("converts a currency to itself at 1 with source identity, even with an empty table", () => {
    const empty = createExchangeRateTable([]);
    expect(convert(0.0000008, "USD", "USD", "2026-01-10", empty)).toEqual({
      amount: 0.0000008,
      rate: { from: "USD", to: "USD", rate: 1, rateDate: "2026-01-01", source: "identity" },
    });
  });

  it("derives the inverse pair from a published rate and labels it", () => {
    const result = convert(104.12, "USD", "EUR", "2026-01-15", rates);
    expect(result?.amount).toBeCloseTo(100, 10);
    expect(result?.rate.source).toBe("ecb-monthly-2026-01 (inverse)");
  });

  it("returns null for a missing rate instead of assuming 1.0", () => {
    expect(convert(10, "EUR", "USD", "2026-03-01", rates)).toBeNull();
    expect(findRate(rates, "GBP", "EUR", "2026-01")).toBeNull(); // no triangulation through USD
    expect(convert(10, "JPY", "USD", "2026-01-10", rates)).toBeNull();
  });

  it("keeps full precision: converting tiny amounts does not round", () => {
    const result = convert(0.0000008, "EUR", "USD", "2026-01-10", rates);
    expect(result?.amount).toBeCloseTo(0.00000083296, 15);
  });

  it("converts credits (negative amounts) at the same rate", () => {
    expect(convert(-2, "GBP", "USD", "2026-01-10", rates)?.amount).toBeCloseTo(-2.4936, 12);
  });
});

describe("createExchangeRateTable", () => {
  it("reports every bad rate with its field path", () => {
    try {
      createExchangeRateTable([
        { month: "2026-13", from: "EUR", to: "USD", rate: 1.04, source: "x" },
        { month: "2026-01", from: "EUR", to: "usd", rate: 0, source: "x" },
        { month: "2026-01", from: "EUR", to: "USD", rate: 1.04, source: "x" },
        { month: "2026-01", from: "EUR", to: "USD", rate: 1.05, source: "y" },
      ]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const fields = (error as ValidationError).issues.map((issue) => issue.field);
      expect(fields).toEqual(["rates[0].month", "rates[1].to", "rates[1].rate", "rates[3]"]);
    }
  });
});

describe("roundForPresentation", () => {
  it("rounds to each currency's minor unit, half away from zero", () => {
    expect(roundForPresentation(1.005, "USD")).toBe(1.01);
    expect(roundForPresentation(-1.005, "USD")).toBe(-1.01);
    expect(roundForPresentation(1234.5, "JPY")).toBe(1235);
    expect(roundForPresentation(1.23456, "KWD")).toBe(1.235);
    expect(roundForPresentation(0.0000008, "USD")).toBe(0);
    expect(Object.is(roundForPresentation(-0.0000008, "USD"), 0)).toBe(true);
  });

  it("refuses codes that are not active ISO 4217", () => {
    expect(() => roundForPresentation(1, "HRK")).toThrow(/not an ISO 4217 currency code/);
  });
});
