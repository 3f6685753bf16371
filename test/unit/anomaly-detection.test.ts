import { describe, expect, it } from "vitest";
import type { CostRecordHeader, IsoDay } from "../../src/domain/cost-record.js";
import { addDays } from "../../src/domain/dates.js";
import {
  anomalyId,
  anomalyScopeKey,
  DEFAULT_ANOMALY_SETTINGS,
  detectAnomalies,
  resolveSettings,
  type DetectedAnomaly,
  type SuppressionRule,
} from "../../src/insights/anomaly-detection.js";
import {
  byDay,
  evaluateDay,
  header,
  replay,
  standardComponents,
  tenantHeaders,
  tenantLines,
  windowOf,
  type Component,
  type CostEvent,
  type TenantSpec,
} from "../support/anomaly-headers.js";

const CLIENT = "acme";
const START = "2025-01-01";
const EC2 = "Amazon Elastic Compute Cloud - Compute";
const RDS = "Amazon Relational Database Service";

function tenant(options: Partial<TenantSpec> & { noise?: number } = {}): TenantSpec {
  return {
    clientId: CLIENT,
    start: START,
    days: 120,
    components: options.components ?? standardComponents(options.noise ?? 0.04),
    seed: 3,
    ...options,
  };
}

/** Every anomaly stored by a day-by-day run of [from, to] whose event starts in [since, until]. */
function anomaliesOf(
  spec: TenantSpec,
  from: IsoDay,
  to: IsoDay,
  since = from,
  until = to,
): DetectedAnomaly[] {
  const { store } = replay(tenantHeaders(spec), { clientId: CLIENT, from, to });
  return [...store.values()].filter((a) => a.date >= since && a.date <= until);
}

const event = (from: IsoDay, days: number, match: CostEvent["match"], factor: number): CostEvent => ({
  from,
  days,
  match,
  factor,
});

describe("detectAnomalies: no events", () => {
  it("raises at most about one false alarm per tenant-month on weekly-seasonal noise", () => {
    let alarms = 0;
    for (const seed of [1, 2, 3, 4]) {
      const spec = tenant({ seed, noise: 0.06 });
      alarms += anomaliesOf(spec, addDays(START, 29), addDays(START, 118)).length;
    }
    // 4 tenants x 3 months.
    expect(alarms).toBeLessThanOrEqual(6);
  });

  it("gives no verdict before minHistoryDays of history", () => {
    const spec = tenant({ days: 14, events: [event("2025-01-12", 1, { service: EC2 }, 3)] });
    const { store } = replay(tenantHeaders(spec), { clientId: CLIENT, from: START, to: "2025-01-14" });
    expect(store.size).toBe(0);
  });

  it("reads a day without a record as missing, not as a drop to zero", () => {
    const headers = tenantHeaders(tenant()).filter(
      (h) => !(h.provider === "GCP" && (h.date === "2025-03-10" || h.date === "2025-03-11")),
    );
    const { store } = replay(headers, { clientId: CLIENT, from: "2025-03-05", to: "2025-03-20" });
    expect([...store.values()].filter((a) => a.direction === "DROP")).toEqual([]);
  });
});

describe("detectAnomalies: one anomaly per event, at the level that explains it", () => {
  it("reports an EC2 spike once, at provider AWS, with EC2 as the first root cause", () => {
    const day = "2025-03-12";
    const found = anomaliesOf(
      tenant({ events: [event(day, 1, { service: EC2 }, 1.5)] }),
      "2025-03-01",
      "2025-03-25",
    );
    expect(found).toHaveLength(1);
    const [spike] = found;
    expect(spike).toMatchObject({
      date: day,
      provider: "AWS",
      scope: { dimension: "PROVIDER", key: "AWS" },
      scopeKey: "PROVIDER|AWS",
      direction: "SPIKE",
      cause: "USAGE",
    });
    expect(spike!.rootCauses[0]).toMatchObject({ dimension: "SERVICE", key: `AWS|${EC2}` });
    expect(spike!.rootCauses[0]!.share).toBeGreaterThan(0.8);
    expect(spike!.impact).toBeGreaterThan(800);
    expect(spike!.actual).toBeGreaterThan(spike!.expectedUpper);
    expect(spike!.id).toBe(anomalyId(CLIENT, "PROVIDER|AWS", "SPIKE", day));
  });

  it("reports a drop of one service once, naming the service", () => {
    const day = "2025-03-19";
    const found = anomaliesOf(
      tenant({ events: [event(day, 1, { service: "BigQuery" }, 0.3)] }),
      "2025-03-01",
      "2025-03-30",
    );
    expect(found).toHaveLength(1);
    const [drop] = found;
    expect(drop).toMatchObject({ date: day, provider: "GCP", direction: "DROP", cause: "USAGE" });
    const named = drop!.scope?.dimension === "PROVIDER" ? drop!.rootCauses[0] : drop!.scope;
    expect(named).toMatchObject({ dimension: "SERVICE", key: "GCP|BigQuery" });
  });

  it.each([3, 4, 5])("reports a level shift of %i days as one anomaly that grows", (days) => {
    const start = "2025-03-11";
    const found = anomaliesOf(
      tenant({ events: [event(start, days, { service: RDS }, 1.6)] }),
      "2025-03-01",
      "2025-03-31",
    );
    expect(found).toHaveLength(1);
    const [shift] = found;
    expect(shift!.date).toBe(start);
    expect(shift!.lastDay >= addDays(start, days - 1)).toBe(true);
    expect(shift!.days.length).toBeGreaterThanOrEqual(days);
    expect(shift!.impact).toBeCloseTo(
      shift!.days.reduce((sum, d) => sum + d.actual - d.expected, 0),
      6,
    );
    expect(Math.abs(shift!.score)).toBe(Math.max(...shift!.days.map((d) => Math.abs(d.score))));
  });

  it("reports a lasting level shift once, until the level has absorbed it", () => {
    const start = "2025-03-11";
    const found = anomaliesOf(
      tenant({ events: [event(start, 60, { service: "Compute Engine" }, 1.4)] }),
      "2025-03-01",
      "2025-04-25",
    );
    expect(found).toHaveLength(1);
    expect(found[0]!.date).toBe(start);
    expect(found[0]!.lastDay < addDays(start, 14)).toBe(true);
  });

  it("names the account whose spike another account offsets (the totals do not move)", () => {
    const day = "2025-03-13";
    const spec = tenant({
      noise: 0.02,
      events: [
        { from: day, days: 1, match: { service: EC2, account: "111111111111" }, add: 300 },
        { from: day, days: 1, match: { service: EC2, account: "222222222222" }, add: -300 },
      ],
    });
    const found = anomaliesOf(spec, "2025-03-05", "2025-03-20");
    expect(found.filter((a) => a.scope === null || a.scope.dimension === "PROVIDER")).toEqual([]);
    const spike = found.find((a) => a.direction === "SPIKE");
    expect(spike).toMatchObject({
      date: day,
      scope: { dimension: "ACCOUNT", key: "AWS|111111111111", label: "Production" },
    });
    expect(spike!.rootCauses[0]).toMatchObject({ dimension: "ACCOUNT", key: "AWS|111111111111" });
    expect(found.find((a) => a.direction === "DROP")).toMatchObject({
      scope: { dimension: "ACCOUNT", key: "AWS|222222222222" },
    });
  });

  it("ranks the service first for a service spike spread over accounts", () => {
    const day = "2025-03-18";
    const [spike] = anomaliesOf(
      tenant({ events: [event(day, 1, { provider: "AWS", service: RDS }, 1.8)] }),
      "2025-03-10",
      "2025-03-25",
    );
    expect(spike!.rootCauses[0]).toMatchObject({ dimension: "SERVICE", key: `AWS|${RDS}` });
    expect(spike!.rootCauses.find((c) => c.key === "AWS|333333333333")?.share ?? 0).toBeLessThan(0.5);
  });

  it("ranks the account first for an account spike spread over services", () => {
    const day = "2025-03-18";
    const [spike] = anomaliesOf(
      tenant({ events: [event(day, 1, { provider: "AWS", account: "333333333333" }, 1.7)] }),
      "2025-03-10",
      "2025-03-25",
    );
    const top = spike!.scope?.dimension === "PROVIDER" ? spike!.rootCauses[0] : spike!.scope;
    expect(top).toMatchObject({ dimension: "ACCOUNT", key: "AWS|333333333333", label: "Data" });
  });
});

describe("detectAnomalies: causes, and decoys that are not usage", () => {
  it("never calls an 8% exchange-rate month USAGE: one EXCHANGE_RATE anomaly on the day it moves", () => {
    const spec = tenant({
      days: 140,
      noise: 0.015,
      eurRate: (month) => (month === "2025-04" ? 1.08 * 1.08 : 1.08),
    });
    const found = anomaliesOf(spec, "2025-03-20", "2025-05-12");
    expect(found.filter((a) => a.provider === "AZURE" && a.cause === "USAGE")).toEqual([]);
    const fx = found.filter((a) => a.cause === "EXCHANGE_RATE");
    expect(fx.map((a) => [a.date, a.direction, a.scopeKey])).toEqual([
      ["2025-04-01", "SPIKE", "PROVIDER|AZURE"],
      ["2025-05-01", "DROP", "PROVIDER|AZURE"],
    ]);
  });

  it("calls a large credit line CREDIT", () => {
    const day = "2025-03-20";
    const spec = tenant({
      extraLines: (d) =>
        d === day
          ? [
              {
                provider: "AWS",
                line: {
                  serviceName: EC2,
                  accountId: "111111111111",
                  region: "us-east-1",
                  chargeCategory: "Credit",
                  billedCost: -1500,
                  billingCurrency: "USD",
                },
              },
            ]
          : [],
    });
    const found = anomaliesOf(spec, "2025-03-10", "2025-03-30");
    expect(found.map((a) => [a.date, a.direction, a.cause])).toEqual([[day, "DROP", "CREDIT"]]);
  });

  it("calls a tax line TAX, and the same tax line a month later nothing", () => {
    const taxDays = ["2025-03-05", "2025-04-05"];
    const spec = tenant({
      extraLines: (d) =>
        taxDays.includes(d)
          ? [
              {
                provider: "GCP",
                line: {
                  serviceName: "Tax",
                  accountId: "acme-prod",
                  region: "",
                  chargeCategory: "Tax",
                  billedCost: 640,
                  billingCurrency: "USD",
                },
              },
            ]
          : [],
    });
    const found = anomaliesOf(spec, "2025-02-25", "2025-04-15");
    expect(found.map((a) => [a.date, a.direction, a.cause, a.provider])).toEqual([
      ["2025-03-05", "SPIKE", "TAX", "GCP"],
    ]);
  });

  it("raises nothing for a refund of earlier charges (an Adjustment line)", () => {
    const day = "2025-03-20";
    const spec = tenant({
      extraLines: (d) =>
        d === day
          ? [
              {
                provider: "AWS",
                line: {
                  serviceName: RDS,
                  accountId: "111111111111",
                  region: "us-east-1",
                  chargeCategory: "Adjustment",
                  billedCost: -900,
                  billingCurrency: "USD",
                },
              },
            ]
          : [],
    });
    expect(anomaliesOf(spec, "2025-03-10", "2025-03-30")).toEqual([]);
  });

  it("raises a monthly charge at most the first month it appears", () => {
    const spec = tenant({
      days: 150,
      extraLines: (d) =>
        d.endsWith("-01")
          ? [
              {
                provider: "AWS",
                line: {
                  serviceName: "Savings Plans for AWS Compute usage",
                  accountId: "111111111111",
                  region: "",
                  chargeCategory: "Purchase",
                  billedCost: 700,
                  billingCurrency: "USD",
                },
              },
            ]
          : [],
    });
    const found = anomaliesOf(spec, "2025-02-20", "2025-05-29");
    expect(found.filter((a) => a.date > "2025-03-01")).toEqual([]);
  });

  it("calls a restatement of a day 20 days back RESTATEMENT", () => {
    const spec = tenant();
    const headers = tenantHeaders(spec);
    const days = byDay(headers);
    const { store } = replay(headers, { clientId: CLIENT, from: "2025-03-01", to: "2025-04-09" });
    const day = "2025-03-20";
    const { restated, previous } = restate(spec, headers, day, (cost, service) =>
      service === RDS ? cost * 1.6 : cost,
    );
    days.set(
      day,
      days.get(day)!.map((h) => (h === previous ? restated : h)),
    );
    const result = evaluateDay(days, store, { clientId: CLIENT, day, previous: [previous] });
    expect(result.anomalies.length).toBeGreaterThan(0);
    for (const anomaly of result.anomalies) expect(anomaly.cause).toBe("RESTATEMENT");
  });
});

describe("detectAnomalies: restatements of several providers on one day", () => {
  it("keeps RESTATEMENT when the day is judged again for another provider's restatement", () => {
    const spec = tenant();
    const headers = tenantHeaders(spec);
    const days = byDay(headers);
    const { store } = replay(headers, { clientId: CLIENT, from: "2025-03-01", to: "2025-04-09" });
    const day = "2025-03-20";
    const aws = restate(spec, headers, day, (cost, service) => (service === RDS ? cost * 1.8 : cost));
    days.set(
      day,
      days.get(day)!.map((h) => (h === aws.previous ? aws.restated : h)),
    );
    const first = evaluateDay(days, store, { clientId: CLIENT, day, previous: [aws.previous] });
    expect(first.anomalies.map((a) => a.cause)).toEqual(["RESTATEMENT"]);

    const gcpPrevious = days.get(day)!.find((h) => h.provider === "GCP")!;
    const gcpLines = tenantLines(spec).get(day)!.get("GCP")!;
    const gcp = header({
      clientId: CLIENT,
      provider: "GCP",
      day,
      lines: gcpLines.map((l) =>
        l.serviceName === "BigQuery" ? { ...l, billedCost: l.billedCost * 1.02 } : l,
      ),
      collectedAt: "2025-04-09T07:00:00.000Z",
      version: 2,
    });
    days.set(
      day,
      days.get(day)!.map((h) => (h === gcpPrevious ? gcp : h)),
    );
    const second = evaluateDay(days, store, { clientId: CLIENT, day, previous: [gcpPrevious] });
    expect(second.anomalies.map((a) => [a.id, a.cause])).toEqual(
      first.anomalies.map((a) => [a.id, "RESTATEMENT"]),
    );
  });

  it("does not call the final version of an estimated recent day a restatement", () => {
    const spec = tenant();
    const headers = tenantHeaders(spec);
    const days = byDay(headers);
    const day = "2025-03-20";
    const lines = tenantLines(spec).get(day)!.get("AWS")!;
    const estimate = days.get(day)!.find((h) => h.provider === "AWS")!;
    const final = header({
      clientId: CLIENT,
      provider: "AWS",
      day,
      lines: lines.map((l) => (l.serviceName === RDS ? { ...l, billedCost: l.billedCost * 1.8 } : l)),
      collectedAt: "2025-03-22T06:00:00.000Z",
      version: 2,
    });
    days.set(
      day,
      days.get(day)!.map((h) => (h === estimate ? final : h)),
    );
    const result = evaluateDay(days, new Map(), {
      clientId: CLIENT,
      day,
      previous: [{ ...estimate, estimated: true }],
    });
    expect(result.anomalies.map((a) => a.cause)).toEqual(["USAGE"]);
  });
});

/** AWS's record of `day` collected again 20 days later with changed amounts (version 2). */
function restate(
  spec: TenantSpec,
  headers: readonly CostRecordHeader[],
  day: IsoDay,
  change: (cost: number, service: string) => number,
  lines = tenantLines(spec).get(day)!.get("AWS")!,
) {
  const previous = headers.find((h) => h.date === day && h.provider === "AWS")!;
  const restated = header({
    clientId: CLIENT,
    provider: "AWS",
    day,
    lines: lines.map((line) => ({ ...line, billedCost: change(line.billedCost, line.serviceName) })),
    collectedAt: `${addDays(day, 20)}T06:00:00.000Z`,
    version: 2,
  });
  return { previous, restated };
}

describe("detectAnomalies: the stored anomalies", () => {
  it("resolves an anomaly when its day is restated without the spike", () => {
    const day = "2025-03-12";
    const spiky = tenant({ events: [event(day, 1, { service: EC2 }, 1.5)] });
    const headers = tenantHeaders(spiky);
    const days = byDay(headers);
    const { store } = replay(headers, { clientId: CLIENT, from: "2025-03-01", to: day });
    const [spike] = [...store.values()];
    expect(spike?.date).toBe(day);

    const clean = tenantLines(tenant()).get(day)!.get("AWS")!;
    const { restated, previous } = restate(spiky, headers, day, (cost) => cost, clean);
    days.set(
      day,
      days.get(day)!.map((h) => (h === previous ? restated : h)),
    );
    const result = evaluateDay(days, store, { clientId: CLIENT, day, previous: [previous] });
    expect(result.resolved).toEqual([spike!.id]);
    expect(result.anomalies.map((a) => a.id)).not.toContain(spike!.id);
  });

  it("raises nothing new when unchanged data is collected again, and gives the same output twice", () => {
    const day = "2025-03-12";
    const spec = tenant({ events: [event(day, 1, { service: EC2 }, 1.5)] });
    const headers = tenantHeaders(spec);
    const days = byDay(headers);
    const { store } = replay(headers, { clientId: CLIENT, from: "2025-03-01", to: day });
    const before = [...store.values()];

    const again = header({
      clientId: CLIENT,
      provider: "AWS",
      day,
      lines: tenantLines(spec).get(day)!.get("AWS")!,
      collectedAt: "2025-03-20T06:00:00.000Z",
      version: 2,
    });
    const previous = days.get(day)!.find((h) => h.provider === "AWS")!;
    days.set(
      day,
      days.get(day)!.map((h) => (h === previous ? again : h)),
    );
    const input = {
      clientId: CLIENT,
      currency: "USD",
      day,
      records: windowOf(days, day),
      previous: [previous],
      recent: before,
      suppressed: [],
    };
    const first = detectAnomalies(input);
    expect(first.resolved).toEqual([]);
    expect(first.anomalies).toEqual(before);
    expect(detectAnomalies(input)).toEqual(first);
  });

  it("does not raise a pattern marked NOT_ANOMALY or PLANNED again while its rule runs", () => {
    const start = "2025-03-11";
    const spec = tenant({
      events: [event(start, 2, { service: RDS }, 1.6), event("2025-03-16", 1, { service: RDS }, 1.7)],
    });
    const headers = tenantHeaders(spec);
    const first = replay(headers, { clientId: CLIENT, from: "2025-03-01", to: start });
    const [marked] = [...first.store.values()];
    expect(marked).toBeDefined();
    const rule: SuppressionRule = {
      scopeKey: marked!.scopeKey,
      direction: marked!.direction,
      from: start,
      until: addDays(start, 10),
    };
    const later = replay(headers, {
      clientId: CLIENT,
      from: addDays(start, 1),
      to: "2025-03-25",
      store: first.store,
      suppressed: () => [rule],
    });
    expect([...later.store.values()]).toEqual([marked]);

    const unmarked = replay(headers, { clientId: CLIENT, from: "2025-03-01", to: "2025-03-25" });
    expect(unmarked.store.size).toBe(2);
  });

  it("keeps the id of an event that continues, and its first day", () => {
    const start = "2025-03-11";
    const spec = tenant({ events: [event(start, 4, { service: RDS }, 1.6)] });
    const { results } = replay(tenantHeaders(spec), {
      clientId: CLIENT,
      from: "2025-03-08",
      to: "2025-03-14",
    });
    const ids = new Set(
      ["2025-03-11", "2025-03-12", "2025-03-13", "2025-03-14"].flatMap((day) =>
        results.get(day)!.anomalies.map((a) => a.id),
      ),
    );
    expect(ids.size).toBe(1);
    const last = results.get("2025-03-14")!.anomalies[0]!;
    expect([last.date, last.lastDay, last.days.length]).toEqual([start, "2025-03-14", 4]);
  });
});

describe("detectAnomalies: severity and materiality", () => {
  const small: Component = {
    provider: "AWS",
    service: "AWS Config",
    account: "111111111111",
    region: "us-east-1",
    base: 5,
    noise: 0.02,
  };
  const run = (add: number, settings?: Parameters<typeof resolveSettings>[0]) => {
    const day = "2025-03-12";
    const spec = tenant({
      components: [...standardComponents(0.04), small],
      events: [{ from: day, days: 1, match: { service: "AWS Config" }, add }],
    });
    const headers = tenantHeaders(spec);
    const { store } = replay(headers, { clientId: CLIENT, from: "2025-03-05", to: "2025-03-15", settings });
    return [...store.values()].filter((a) => a.date === day);
  };

  it("does not raise a $3 move of a $5/day service, and calls it LOW when asked to raise small ones", () => {
    expect(run(3)).toEqual([]);
    const found = run(3, { minImpact: 1, minImpactShare: 0 });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ scopeKey: "SERVICE|AWS|AWS Config", severity: "LOW" });
  });

  it("calls a large, far move HIGH and a moderate one MEDIUM", () => {
    expect(run(3000)[0]?.severity).toBe("HIGH");
    expect(run(300)[0]?.severity).toBe("MEDIUM");
  });

  it("merges partial settings over the defaults, severity thresholds included", () => {
    const settings = resolveSettings({ threshold: 5, severity: { high: { impact: 10, score: 5 } } as never });
    expect(settings.threshold).toBe(5);
    expect(settings.severity.high).toEqual({ impact: 10, score: 5 });
    expect(settings.severity.medium).toEqual(DEFAULT_ANOMALY_SETTINGS.severity.medium);
    expect(settings.minImpact).toBe(DEFAULT_ANOMALY_SETTINGS.minImpact);
  });
});

describe("anomaly ids and scope keys", () => {
  it("names scopes by provider-qualified keys", () => {
    expect(anomalyScopeKey(null, null)).toBe("TOTAL");
    expect(anomalyScopeKey("AWS", { dimension: "PROVIDER", key: "AWS" })).toBe("PROVIDER|AWS");
    expect(anomalyScopeKey("AWS", { dimension: "SERVICE", key: "AWS|EC2" })).toBe("SERVICE|AWS|EC2");
    expect(anomalyScopeKey("GCP", { dimension: "SERVICE_CATEGORY", key: "Compute" })).toBe(
      "SERVICE_CATEGORY|GCP|Compute",
    );
    expect(anomalyScopeKey(null, { dimension: "SERVICE_CATEGORY", key: "Compute" })).toBe(
      "SERVICE_CATEGORY|*|Compute",
    );
  });

  it("derives one id per client, scope, direction and first day", () => {
    const id = anomalyId("acme", "PROVIDER|AWS", "SPIKE", "2025-03-12");
    expect(id).toMatch(/^an_[0-9a-f]{26}$/);
    expect(anomalyId("acme", "PROVIDER|AWS", "SPIKE", "2025-03-12")).toBe(id);
    const others = [
      anomalyId("acme2", "PROVIDER|AWS", "SPIKE", "2025-03-12"),
      anomalyId("acme", "PROVIDER|GCP", "SPIKE", "2025-03-12"),
      anomalyId("acme", "PROVIDER|AWS", "DROP", "2025-03-12"),
      anomalyId("acme", "PROVIDER|AWS", "SPIKE", "2025-03-13"),
    ];
    expect(new Set([id, ...others]).size).toBe(5);
  });
});

describe("detectAnomalies: cost", () => {
  it("judges a day of a three-cloud tenant in well under a few milliseconds", () => {
    const headers = tenantHeaders(tenant({ days: 120 }));
    const days = byDay(headers);
    const windows = Array.from({ length: 60 }, (_, i) => addDays(START, 60 + i)).map((day) => ({
      day,
      records: windowOf(days, day),
    }));
    const judge = () => {
      for (const { day, records } of windows)
        detectAnomalies({ clientId: CLIENT, currency: "USD", day, records, recent: [], suppressed: [] });
    };
    judge(); // warm-up
    const started = performance.now();
    for (let round = 0; round < 5; round++) judge();
    const perDay = (performance.now() - started) / (5 * windows.length);
    // About 0.5 ms on a laptop; the bound leaves room for a busy CI machine.
    expect(perDay).toBeLessThan(10);
  });
});
