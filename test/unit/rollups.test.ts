import { describe, expect, it } from "vitest";
import { rollupContribution, rollupDelta, rollupFromRecords } from "../../src/domain/rollups.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { recordsOf, sampleRecords } from "./support/records.js";

const first = <T>(items: T[]): T => {
  const [item] = items;
  if (item === undefined) throw new Error("expected at least one item");
  return item;
};

describe("rollupContribution", () => {
  it("gives a record's total by provider and by provider|category", () => {
    const record = first(sampleRecords(["2026-01-30"]));
    expect(rollupContribution(record)).toEqual({
      total: 14,
      byProvider: { AWS: 14 },
      byProviderCategory: { "AWS|Compute": 9, "AWS|Storage": 5 },
      recordCount: 1,
    });
  });
});

describe("rollupDelta", () => {
  const before = first(
    recordsOf(
      "AWS",
      ["2026-01-10"],
      [
        { serviceName: "AWS Lambda", billedCost: 10 },
        { serviceName: "Amazon DynamoDB", billedCost: 1 },
      ],
    ),
  );
  const after = first(
    recordsOf(
      "AWS",
      ["2026-01-10"],
      [
        { serviceName: "AWS Lambda", billedCost: 12.5 },
        { serviceName: "Amazon Simple Storage Service", billedCost: 1 },
      ],
    ),
  );

  it("is the new contribution on a first write", () => {
    expect(rollupDelta(undefined, after)).toEqual({ ...rollupContribution(after), recordCount: 1 });
  });

  it("is new minus old on a restatement, with unchanged keys left out", () => {
    const delta = rollupDelta(before, after);
    expect(delta).toEqual({
      total: 2.5,
      byProvider: { AWS: 2.5 },
      byProviderCategory: { "AWS|Compute": 2.5, "AWS|Databases": -1, "AWS|Storage": 1 },
      recordCount: 0,
    });
    expect(rollupDelta(after, after)).toEqual({
      total: 0,
      byProvider: {},
      byProviderCategory: {},
      recordCount: 0,
    });
  });

  it("applied to the old rollup gives the rollup of the new record", () => {
    const other = first(recordsOf("GCP", ["2026-01-10"], [{ serviceName: "BigQuery", billedCost: 3 }]));
    const old = rollupFromRecords({
      clientId: "acme",
      granularity: "DAILY",
      period: "2026-01-10",
      currency: "USD",
      records: [before, other],
      updatedAt: "t0",
    });
    const expected = rollupFromRecords({
      clientId: "acme",
      granularity: "DAILY",
      period: "2026-01-10",
      currency: "USD",
      records: [after, other],
      updatedAt: "t1",
    });
    const delta = rollupDelta(before, after);
    const applied = { ...old.byProviderCategory };
    for (const [key, value] of Object.entries(delta.byProviderCategory))
      applied[key] = (applied[key] ?? 0) + value;
    expect(old.total + delta.total).toBeCloseTo(expected.total, 12);
    expect(Object.fromEntries(Object.entries(applied).filter(([, value]) => value !== 0))).toEqual(
      expected.byProviderCategory,
    );
  });
});

describe("rollupFromRecords", () => {
  const days = ["2026-01-30", "2026-01-31"];
  const records = sampleRecords(days);

  it("keeps a month equal to the sum of its days", () => {
    const monthly = rollupFromRecords({
      clientId: "acme",
      granularity: "MONTHLY",
      period: "2026-01",
      currency: "USD",
      records,
      updatedAt: "t",
    });
    const dailies = days.map((day) =>
      rollupFromRecords({
        clientId: "acme",
        granularity: "DAILY",
        period: day,
        currency: "USD",
        records: records.filter((r) => r.date === day),
        updatedAt: "t",
      }),
    );
    expect(monthly.recordCount).toBe(6);
    expect(monthly.total).toBeCloseTo(
      dailies.reduce((sum, daily) => sum + daily.total, 0),
      12,
    );
    for (const [key, value] of Object.entries(monthly.byProviderCategory)) {
      expect(value).toBeCloseTo(
        dailies.reduce((sum, daily) => sum + (daily.byProviderCategory[key] ?? 0), 0),
        12,
      );
    }
    expect(Object.keys(monthly.byProvider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
  });

  it("refuses a record of another period, client or currency", () => {
    const record = first(records);
    const build =
      (over: Partial<UnifiedCostRecord>, period = "2026-01") =>
      () =>
        rollupFromRecords({
          clientId: "acme",
          granularity: "MONTHLY",
          period,
          currency: "USD",
          records: [{ ...record, ...over }],
          updatedAt: "t",
        });
    expect(build({}, "2026-02")).toThrow(/does not belong to the MONTHLY rollup acme\/2026-02/);
    expect(build({ clientId: "other" })).toThrow(/does not belong/);
    expect(build({ reportingCurrency: "EUR" })).toThrow(/in EUR does not belong/);
  });
});
