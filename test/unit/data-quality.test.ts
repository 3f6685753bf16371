import { describe, expect, it } from "vitest";
import { confidenceOf, scoreDataQuality, type DataQualityFacts } from "../../src/domain/data-quality.js";

/** A settled, complete, reconciled day: nothing to complain about. */
const clean: DataQualityFacts = {
  expectedDays: 1,
  receivedDays: 1,
  lines: 41,
  unknownServiceLines: 0,
  missingRates: [],
  estimated: false,
  lastDay: "2026-01-10",
  collectedAt: "2026-01-14T00:00:00Z",
  totalComparisons: [{ currency: "USD", computed: 123.456789, provider: 123.45 }],
  total: 123.456789,
  reportingCurrency: "USD",
  mergedDuplicateLines: 0,
};

describe("scoreDataQuality", () => {
  it("gives a clean settled day full marks and HIGH confidence", () => {
    expect(scoreDataQuality(clean)).toEqual({
      completeness: 1,
      accuracy: 1,
      timeliness: 1,
      consistency: 1,
      score: 1,
      confidence: "HIGH",
      issues: [],
    });
  });

  it("counts lines without an exchange rate against completeness, in words", () => {
    const quality = scoreDataQuality({
      ...clean,
      missingRates: [{ from: "EUR", to: "USD", month: "2026-01", lines: 2 }],
    });
    expect(quality.completeness).toBeCloseTo(39 / 41, 4);
    expect(quality.issues).toEqual([
      "2 of 41 lines have no exchange rate for EUR->USD on 2026-01 and are left out of the total",
    ]);
  });

  it("counts missing days", () => {
    const quality = scoreDataQuality({ ...clean, expectedDays: 31, receivedDays: 28 });
    expect(quality.completeness).toBeCloseTo(28 / 31, 4);
    expect(quality.issues).toEqual(["3 of 31 days have no data from the provider"]);
  });

  it("lowers accuracy for estimated figures, unknown services and totals that do not reconcile", () => {
    const quality = scoreDataQuality({
      ...clean,
      estimated: true,
      unknownServiceLines: 4,
      unknownServices: ["Quantum Ledger"],
      totalComparisons: [{ currency: "EUR", computed: 99, provider: 100 }],
    });
    // 0.8 (estimated) x 0.9 (1% off) x (1 - 0.5 x 4/41)
    expect(quality.accuracy).toBeCloseTo(0.8 * 0.9 * (1 - 0.5 * (4 / 41)), 4);
    expect(quality.issues).toEqual([
      "The provider marks these figures as estimated; they may still change",
      "Collected total 99 EUR differs from the provider's 100 EUR by 1",
      "4 of 41 lines have a service with no known category (Quantum Ledger); filed under Other",
    ]);
  });

  it("treats data collected within 48 h of the day's end as partial", () => {
    const fresh = scoreDataQuality({ ...clean, collectedAt: "2026-01-11T12:00:00Z" });
    expect(fresh.timeliness).toBe(0.25);
    expect(fresh.issues).toEqual([
      "Collected 12 h after 2026-01-10 ended; providers keep adding late usage for about 48 h",
    ]);
    const sameDay = scoreDataQuality({ ...clean, collectedAt: "2026-01-10T18:00:00Z" });
    expect(sameDay.timeliness).toBe(0);
    expect(sameDay.issues[0]).toMatch(/^Collected before 2026-01-10 ended/);
  });

  it("flags a negative day (credits above charges) and merged duplicates as consistency problems", () => {
    const quality = scoreDataQuality({ ...clean, total: -0.42, mergedDuplicateLines: 3 });
    expect(quality.consistency).toBeCloseTo(0.7 * (1 - 0.1 * (3 / 41)), 4);
    expect(quality.issues).toEqual([
      "The net total is negative (-0.42 USD): credits exceed charges",
      "3 lines repeated the service, account, region, charge category and currency of another and were merged",
    ]);
  });

  it("weights the dimensions into the score and derives confidence from it", () => {
    const quality = scoreDataQuality({ ...clean, estimated: true, collectedAt: "2026-01-11T12:00:00Z" });
    expect(quality.score).toBeCloseTo(0.35 * 1 + 0.3 * 0.8 + 0.15 * 0.25 + 0.2 * 1, 4);
    expect(quality.confidence).toBe("MEDIUM");
    const poor = scoreDataQuality({
      ...clean,
      expectedDays: 10,
      receivedDays: 2,
      estimated: true,
      collectedAt: "2026-01-10T01:00:00Z",
    });
    expect(poor.confidence).toBe("LOW");
  });

  it("scores an empty day (no lines) without dividing by zero", () => {
    const quality = scoreDataQuality({ ...clean, lines: 0, total: 0, totalComparisons: [] });
    expect(quality.score).toBe(1);
  });

  it("maps scores to confidence at the documented thresholds", () => {
    expect([0.95, 0.9, 0.8999, 0.7, 0.6999, 0].map(confidenceOf)).toEqual([
      "HIGH",
      "HIGH",
      "MEDIUM",
      "MEDIUM",
      "LOW",
      "LOW",
    ]);
  });
});

describe("issue texts stay small", () => {
  it("names at most five unknown services and counts the rest", () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `Mystery Service ${i}`);
    const quality = scoreDataQuality({
      ...clean,
      lines: 10_000,
      unknownServiceLines: 10_000,
      unknownServices: names,
    });
    const text = quality.issues.join(" ");
    expect(text).toContain("Mystery Service 4 and 9995 more");
    expect(text).not.toContain("Mystery Service 5,");
    expect(text.length).toBeLessThan(400);
  });
});
