import { describe, expect, it } from "vitest";
import {
  breakdown,
  FOLDED_KEY,
  needsJointLines,
  rollupsCanAnswer,
  summarize,
  timeSeries,
} from "../../src/domain/aggregation.js";
import { rollupFromRecords } from "../../src/domain/rollups.js";
import { ValidationError } from "../../src/domain/validation.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { recordsOf, sampleRecords } from "./support/records.js";

const records = sampleRecords();
const EUR_RATE_JAN = 1.0412;
const EUR_RATE_FEB = 1.0375;
const azureTotal = 5 * EUR_RATE_JAN + 5 * EUR_RATE_FEB;

describe("summarize", () => {
  it("adds up net totals (credits included) by provider, largest first", () => {
    const summary = summarize(records);
    expect(summary.total).toBeCloseTo(2 * 14 + 2 * 4.0000008 + azureTotal, 10);
    expect(summary.byProvider.map((item) => item.provider)).toEqual(["AWS", "AZURE", "GCP"]);
    expect(summary.byProvider[0]?.amount).toBeCloseTo(28, 10);
  });

  it("filters by provider and by category using the marginal breakdowns", () => {
    expect(summarize(records, { providers: ["GCP"] }).total).toBeCloseTo(8.0000016, 12);
    expect(summarize(records, { categories: ["Storage"] }).total).toBeCloseTo(2 * (2 + 3 + 0.0000008), 10);
  });

  it("uses the joint lines when the filter crosses dimensions", () => {
    // Account 222 holds S3 (Storage) and the EC2 credit (Compute): only its Storage is 3 a day.
    expect(summarize(records, { accountIds: ["222222222222"], categories: ["Storage"] }).total).toBeCloseTo(
      6,
      10,
    );
    expect(summarize(records, { accountIds: ["222222222222"] }).total).toBeCloseTo(4, 10);
    expect(
      summarize(records, { services: ["Amazon Elastic Compute Cloud"], regions: ["eu-west-1"] }).total,
    ).toBeCloseTo(-2, 10);
  });

  it("treats empty filter lists as no restriction", () => {
    expect(summarize(records, { providers: [], accountIds: [] }).total).toBeCloseTo(
      summarize(records).total,
      10,
    );
  });

  it("refuses to add amounts in different reporting currencies", () => {
    const eurRecord = { ...(records[0] as UnifiedCostRecord), reportingCurrency: "EUR" };
    expect(() => summarize([...records, eurRecord])).toThrow(/different currencies \(USD, EUR\)/);
  });
});

describe("breakdown", () => {
  it("breaks down by service with provider-qualified keys, summing a service split across categories", () => {
    const items = breakdown(records, "SERVICE");
    expect(items.map((item) => [item.key, item.label])).toEqual([
      ["AWS|Amazon Elastic Compute Cloud", "Amazon Elastic Compute Cloud"],
      ["AZURE|Virtual Machines", "Virtual Machines"],
      ["GCP|BigQuery", "BigQuery"],
      ["AWS|Amazon Simple Storage Service", "Amazon Simple Storage Service"],
      ["GCP|Cloud Storage", "Cloud Storage"],
    ]);
    expect(items[0]?.amount).toBeCloseTo(22, 10);
    expect(items.reduce((sum, item) => sum + item.share, 0)).toBeCloseTo(1, 12);
  });

  it("labels providers, accounts (by name when known) and regions", () => {
    expect(breakdown(records, "PROVIDER").map((item) => item.label)).toEqual([
      "Amazon Web Services",
      "Microsoft Azure",
      "Google Cloud",
    ]);
    const accounts = breakdown(records, "ACCOUNT");
    expect(accounts.map((item) => item.label)).toEqual(["prod", "Atlas Nimbus", "Analytics", "data"]);
    expect(accounts[1]?.key).toBe("AZURE|3f2504e0-4f89-11d3-9a0c-0305e82c3301");
    expect(breakdown(records, "REGION", { filter: { providers: ["AWS"] } }).map((item) => item.key)).toEqual([
      "AWS|us-east-1",
      "AWS|eu-west-1",
    ]);
  });

  it("breaks down by FOCUS category across clouds", () => {
    const items = breakdown(records, "SERVICE_CATEGORY");
    expect(items.map((item) => item.key)).toEqual(["Compute", "Storage", "Databases"]);
    expect(items[0]?.amount).toBeCloseTo(2 * (10 - 1) + azureTotal, 10);
  });

  it("folds everything past top into one last item and keeps shares summing to 1", () => {
    const items = breakdown(records, "SERVICE", { top: 2 });
    expect(items).toHaveLength(3);
    expect(items[2]).toMatchObject({ key: FOLDED_KEY, label: "Other (3 more)" });
    expect(items[2]?.amount).toBeCloseTo(8 + 6 + 0.0000016, 10);
    expect(items.reduce((sum, item) => sum + item.share, 0)).toBeCloseTo(1, 12);
    expect(breakdown(records, "PROVIDER", { top: 3 })).toHaveLength(3);
  });

  it("gives credits a negative share while the total is positive", () => {
    const items = breakdown(records, "ACCOUNT", { filter: { services: ["Amazon Elastic Compute Cloud"] } });
    const credit = items.find((item) => item.label === "data");
    expect(credit?.amount).toBeCloseTo(-2, 10);
    expect(credit?.share).toBeCloseTo(-2 / 22, 10);
  });

  it("gives every share 0 when credits cover the whole spend or nothing was spent", () => {
    const negative = recordsOf(
      "AWS",
      ["2026-01-05"],
      [
        { serviceName: "AWS Lambda", billedCost: 1 },
        { serviceName: "Amazon Simple Storage Service", chargeCategory: "Credit", billedCost: -3 },
      ],
    );
    expect(breakdown(negative, "SERVICE").map((item) => item.share)).toEqual([0, 0]);
    expect(breakdown(recordsOf("AWS", ["2026-01-05"], []), "SERVICE")).toEqual([]);
  });

  it("rejects a top that is not a positive whole number, naming the field", () => {
    for (const top of [0, -1, 1.5]) {
      expect(() => breakdown(records, "SERVICE", { top })).toThrow(ValidationError);
    }
    expect(() => breakdown(records, "SERVICE", { top: 0 })).toThrow(/^top: /);
  });
});

describe("timeSeries", () => {
  it("zero-fills every day of the period", () => {
    const [total] = timeSeries(records, {
      period: { start: "2026-01-29", end: "2026-02-03" },
      granularity: "DAILY",
    });
    expect(total?.key).toBe("TOTAL");
    expect(total?.points.map((point) => point.date)).toEqual([
      "2026-01-29",
      "2026-01-30",
      "2026-01-31",
      "2026-02-01",
      "2026-02-02",
      "2026-02-03",
    ]);
    expect(total?.points.filter((point) => point.amount === 0)).toHaveLength(4);
  });

  it("puts a week that crosses a month end into one bucket dated by its Monday", () => {
    const [total] = timeSeries(records, {
      period: { start: "2026-01-28", end: "2026-02-10" },
      granularity: "WEEKLY",
    });
    expect(total?.points.map((point) => point.date)).toEqual(["2026-01-26", "2026-02-02", "2026-02-09"]);
    expect(total?.points[0]?.amount).toBeCloseTo(14 + 4.0000008 + 5 * EUR_RATE_JAN, 10);
    expect(total?.points[2]?.amount).toBe(0);
  });

  it("groups into one zero-filled series per key, largest first", () => {
    const series = timeSeries(records, {
      period: { start: "2026-01-01", end: "2026-03-31" },
      granularity: "MONTHLY",
      groupBy: "PROVIDER",
    });
    expect(series.map((s) => s.key)).toEqual(["AWS", "AZURE", "GCP"]);
    expect(series[0]?.points).toEqual([
      { date: "2026-01-01", amount: 14 },
      { date: "2026-02-01", amount: 14 },
      { date: "2026-03-01", amount: 0 },
    ]);
  });

  it("ignores records outside the period and returns a zero total series when nothing matches", () => {
    const [total] = timeSeries(records, {
      period: { start: "2026-03-01", end: "2026-03-02" },
      granularity: "DAILY",
    });
    expect(total?.points).toEqual([
      { date: "2026-03-01", amount: 0 },
      { date: "2026-03-02", amount: 0 },
    ]);
    expect(
      timeSeries(records, {
        period: { start: "2026-03-01", end: "2026-03-02" },
        granularity: "DAILY",
        groupBy: "SERVICE",
      }),
    ).toEqual([]);
  });
});

describe("rollups as a source", () => {
  const januaryDays = ["2026-01-01", "2026-01-15", "2026-01-31"];
  const january = [
    ...recordsOf("AWS", januaryDays, [{ serviceName: "AWS Lambda", billedCost: 2 }]),
    ...recordsOf("GCP", januaryDays, [{ serviceName: "Cloud SQL", billedCost: 1 }]),
  ];
  const monthly = rollupFromRecords({
    clientId: "acme",
    granularity: "MONTHLY",
    period: "2026-01",
    currency: "USD",
    records: january,
    updatedAt: "2026-02-01T00:00:00Z",
  });
  const february = recordsOf("AWS", ["2026-02-01"], [{ serviceName: "AWS Lambda", billedCost: 5 }]);
  const daily = february.map((record) =>
    rollupFromRecords({
      clientId: "acme",
      granularity: "DAILY",
      period: record.date,
      currency: "USD",
      records: [record],
      updatedAt: "2026-02-02T00:00:00Z",
    }),
  );

  it("answers provider and category questions from rollups exactly as from the records", () => {
    expect(summarize([monthly, ...daily]).total).toBeCloseTo(summarize([...january, ...february]).total, 10);
    expect(breakdown([monthly, ...daily], "SERVICE_CATEGORY", { filter: { providers: ["GCP"] } })).toEqual(
      breakdown([...january, ...february], "SERVICE_CATEGORY", { filter: { providers: ["GCP"] } }),
    );
    const series = timeSeries([monthly, ...daily], {
      period: { start: "2026-01-01", end: "2026-02-01" },
      granularity: "MONTHLY",
    });
    expect(series[0]?.points).toEqual([
      { date: "2026-01-01", amount: 9 },
      { date: "2026-02-01", amount: 5 },
    ]);
  });

  it("says when rollups are detailed enough, and refuses when they are not", () => {
    expect(rollupsCanAnswer({ providers: ["AWS"], categories: ["Compute"] }, "PROVIDER")).toBe(true);
    expect(rollupsCanAnswer({}, "SERVICE")).toBe(false);
    expect(rollupsCanAnswer({ accountIds: ["111111111111"] })).toBe(false);
    expect(() => breakdown([monthly], "ACCOUNT")).toThrow(/rollups hold no accountId detail/);
  });

  it("refuses monthly rollups for daily series or for months only partly in the period", () => {
    expect(() =>
      timeSeries([monthly], { period: { start: "2026-01-01", end: "2026-01-31" }, granularity: "WEEKLY" }),
    ).toThrow(/cannot feed a WEEKLY series/);
    expect(() =>
      timeSeries([monthly], { period: { start: "2026-01-02", end: "2026-02-28" }, granularity: "MONTHLY" }),
    ).toThrow(/only partly inside/);
  });
});

describe("needsJointLines", () => {
  it("asks for lines only when the filter and the dimension cross marginal breakdowns", () => {
    expect(needsJointLines({}, "SERVICE")).toBe(false);
    expect(needsJointLines({ categories: ["Compute"] }, "SERVICE")).toBe(false);
    expect(needsJointLines({ accountIds: ["111122223333"] }, "ACCOUNT")).toBe(false);
    expect(needsJointLines({ providers: ["AWS"] }, "REGION")).toBe(false);
    expect(needsJointLines({ accountIds: ["111122223333"] }, "SERVICE")).toBe(true);
    expect(needsJointLines({ regions: ["us-east-1"] })).toBe(false);
    expect(needsJointLines({ regions: ["us-east-1"], services: ["AWS Lambda"] })).toBe(true);
  });

  it("matches what the aggregation itself reads: a header without lines answers the marginal cases exactly", () => {
    const headersOnly = records.map((record) => ({ ...record, lines: [] }));
    const filter = { categories: ["Compute"] };
    expect(breakdown(headersOnly, "SERVICE", { filter })).toEqual(breakdown(records, "SERVICE", { filter }));
    const crossing = { accountIds: [records[0]!.accounts[0]!.accountId] };
    expect(needsJointLines(crossing, "SERVICE")).toBe(true);
    expect(breakdown(headersOnly, "SERVICE", { filter: crossing })).toEqual([]);
  });
});
