import { describe, expect, it } from "vitest";
import {
  ValidationError,
  validateCalendarDay,
  validateCostRecord,
  validateCurrencyCode,
  validateDateRange,
  validateFiniteAmount,
  validateProvider,
  validateSafeId,
  validateText,
} from "../../src/domain/validation.js";
import { buildCostRecords } from "../../src/domain/normalize.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { collection, providerLine, rates } from "./support/cost-lines.js";

function errorOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("field validators", () => {
  it("names the field and the offending value for impossible days", () => {
    const error = errorOf(() => validateCalendarDay("2026-02-30", "period.start"));
    expect(error.field).toBe("period.start");
    expect(error.message).toBe('period.start: "2026-02-30" is not a calendar day');
    expect(errorOf(() => validateCalendarDay("30/01/2026", "date")).message).toMatch(
      /^date: "30\/01\/2026" is not a date in the form YYYY-MM-DD/,
    );
    expect(validateCalendarDay("2024-02-29", "date")).toBe("2024-02-29");
  });

  it("checks date ranges: reversed, too long, and valid", () => {
    expect(
      errorOf(() => validateDateRange({ start: "2026-02-01", end: "2026-01-31" }, "period", 366)).message,
    ).toBe("period.end: 2026-01-31 is before period.start 2026-02-01");
    const tooLong = errorOf(() =>
      validateDateRange({ start: "2025-01-01", end: "2026-01-02" }, "period", 366),
    );
    expect(tooLong.field).toBe("period");
    expect(tooLong.message).toBe("period: spans 367 days, more than the maximum of 366");
    expect(validateDateRange({ start: "2024-01-01", end: "2024-12-31" }, "period", 366)).toEqual({
      start: "2024-01-01",
      end: "2024-12-31",
    });
    expect(
      errorOf(() => validateDateRange({ start: "2026-02-29", end: "2026-03-01" }, "period", 31)).field,
    ).toBe("period.start");
  });

  it("accepts safe ids and refuses key separators, slashes, spaces, unicode and overlong ids", () => {
    for (const id of [
      "demo",
      "acme-prod_1.eu",
      "0",
      "a".repeat(64),
      "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    ]) {
      expect(validateSafeId(id, "clientId")).toBe(id);
    }
    for (const id of ["CLIENT#x", "a/b", "a b", "café", "", "-leading", "a".repeat(65), 42]) {
      expect(errorOf(() => validateSafeId(id, "clientId")).field).toBe("clientId");
    }
  });

  it("accepts finite amounts only", () => {
    expect(validateFiniteAmount(-0.0000008, "billedCost")).toBe(-0.0000008);
    for (const value of [Number.NaN, Infinity, "1.5", null]) {
      expect(errorOf(() => validateFiniteAmount(value, "lines[0].billedCost")).message).toMatch(
        /^lines\[0\]\.billedCost: .* is not a finite number$/,
      );
    }
  });

  it("knows active ISO 4217 codes, not just three capital letters", () => {
    for (const code of ["USD", "EUR", "JPY", "KWD", "CHF", "XCG"])
      expect(validateCurrencyCode(code, "currency")).toBe(code);
    for (const code of ["ABC", "usd", "HRK", "XAU", "XXX", "US", "DEM"]) {
      expect(errorOf(() => validateCurrencyCode(code, "reportingCurrency")).message).toContain(
        "not an active ISO 4217 currency code",
      );
    }
  });

  it("knows the providers", () => {
    expect(validateProvider("GCP", "provider")).toBe("GCP");
    expect(errorOf(() => validateProvider("aws", "providers[0]")).message).toBe(
      'providers[0]: "aws" is not one of AWS, GCP, AZURE',
    );
  });

  it("describes values JSON cannot render", () => {
    expect(errorOf(() => validateFiniteAmount(10n, "amount")).message).toBe(
      "amount: 10 is not a finite number",
    );
  });

  it("caps echoed values so a huge input cannot flood a message", () => {
    const message = errorOf(() => validateText("x".repeat(10_000), "serviceName")).message;
    expect(message.length).toBeLessThan(200);
  });
});

describe("validateCostRecord", () => {
  const [valid] = buildCostRecords({
    clientId: "acme",
    provider: "AWS",
    reportingCurrency: "USD",
    lines: [
      providerLine(),
      providerLine({
        serviceName: "Amazon Elastic Compute Cloud",
        billedCost: 12.5,
        usageType: "USW2-BoxUsage:m5.large",
      }),
      providerLine({
        serviceName: "Amazon Elastic Compute Cloud",
        billedCost: 3.2,
        usageType: "USW2-EBS:VolumeUsage.gp3",
      }),
      providerLine({ serviceName: "Tax", chargeCategory: "Tax", billedCost: 1.57, region: "" }),
      providerLine({ chargeCategory: "Credit", billedCost: -2 }),
      providerLine({ billedCost: 4, billingCurrency: "EUR", accountId: "111122223333" }),
    ],
    daysCovered: ["2026-01-10"],
    rates,
    collection,
    now: new Date("2026-01-20T06:00:00Z"),
  });
  const record = valid as UnifiedCostRecord;
  const withChanges = (change: (copy: UnifiedCostRecord) => void): UnifiedCostRecord => {
    const copy = structuredClone(record);
    change(copy);
    return copy;
  };

  it("finds nothing wrong with a normalized record", () => {
    expect(validateCostRecord(record)).toEqual([]);
  });

  it("reports a total that does not match its lines", () => {
    const issues = validateCostRecord(withChanges((copy) => (copy.total += 0.02)));
    expect(issues.map((issue) => issue.field)).toEqual(
      expect.arrayContaining([
        "lines[].cost",
        "services",
        "accounts",
        "regions",
        "serviceCategories",
        "chargeCategories",
      ]),
    );
  });

  it("tolerates drift within a cent", () => {
    expect(validateCostRecord(withChanges((copy) => (copy.total += 0.004)))).toEqual([]);
  });

  it("reports every broken field with its path", () => {
    const issues = validateCostRecord(
      withChanges((copy) => {
        copy.clientId = "acme#other";
        copy.date = "2026-02-30";
        copy.reportingCurrency = "ABC";
        const line = copy.lines[1];
        if (!line) throw new Error("fixture has lines");
        line.billingCurrency = "usd";
        line.serviceCategory = "Gadgets" as never;
        copy.regions.push({ region: "eu-west-1", cost: Number.NaN });
        copy.dataQuality.score = 1.5;
        copy.version = -1;
      }),
    );
    const fields = issues.map((issue) => issue.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        "clientId",
        "date",
        "reportingCurrency",
        "lines[1].billingCurrency",
        "lines[1].serviceCategory",
        "regions[2].cost",
        "dataQuality.score",
        "version",
      ]),
    );
    for (const issue of issues) expect(issue.message.startsWith(`${issue.field}: `)).toBe(true);
  });

  it("checks billed totals against the lines of each billing currency", () => {
    const issues = validateCostRecord(
      withChanges((copy) => {
        const eur = copy.billedTotals.find((billed) => billed.currency === "EUR");
        if (eur) eur.amount = 5;
      }),
    );
    expect(issues).toEqual([expect.objectContaining({ field: "billedTotals[0].amount" })]);
  });
});
