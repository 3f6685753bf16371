import { describe, expect, it } from "vitest";
import { providerShare, rollupContribution } from "../../src/domain/rollups.js";
import type { UnifiedTimeSeriesRecord } from "../../src/domain/time-series.js";
import { rollupDeltaUpdate } from "../../src/store/rollup-item.js";
import { costRecord } from "../support/records.js";

const day: UnifiedTimeSeriesRecord = {
  clientId: "share",
  granularity: "DAILY",
  period: "2026-03-05",
  currency: "USD",
  total: 30.5,
  byProvider: { AWS: 10.25, GCP: 20.25 },
  byProviderCategory: { "AWS|Compute": 10.25, "GCP|Compute": 15, "GCP|Storage": 5.25 },
  recordCount: 2,
  updatedAt: "2026-03-06T00:00:00.000Z",
};
const target = {
  table: "t",
  clientId: "share",
  granularity: "DAILY" as const,
  period: "2026-03-05",
  currency: "USD",
  updatedAt: "x",
};

describe("what a day's rollup holds for one provider", () => {
  it("is that provider's amounts alone, counted once, and nothing for a provider it lacks", () => {
    expect(providerShare(day, "GCP")).toEqual({
      total: 20.25,
      byProvider: { GCP: 20.25 },
      byProviderCategory: { "GCP|Compute": 15, "GCP|Storage": 5.25 },
      recordCount: 1,
    });
    expect(providerShare(day, "AZURE")).toEqual({
      total: 0,
      byProvider: {},
      byProviderCategory: {},
      recordCount: 0,
    });
    expect(providerShare(null, "AWS").recordCount).toBe(0);
  });

  it("moves nothing when it already holds the record, and the exact difference when not", () => {
    const record = costRecord({ clientId: "share", provider: "AWS", date: "2026-03-05" });
    const held = rollupContribution(record);
    expect(rollupDeltaUpdate(target, [held], [held])).toBeNull();
    const update = rollupDeltaUpdate(target, [providerShare(null, "AWS")], [held]);
    expect(update?.Update?.UpdateExpression).toContain("ADD");
    expect(update?.Update?.ExpressionAttributeValues?.[":recordCount"]).toBe(1);
  });
});
