import { describe, expect, it } from "vitest";
import {
  createBillingDataset,
  type BillingDataset,
  type BillingDatasetOptions,
  type InjectedEvent,
  type SimulatedLine,
} from "../../src/sandbox/billing-dataset.js";
import {
  BASELINE_DAYS,
  demoLabelledEvents,
  describeEvent,
  planLabelledEvents,
  robustSpread,
  sizeBandOf,
  type EventLabel,
} from "../../src/sandbox/labelled-events.js";
import {
  sandboxExchangeRates,
  sandboxExchangeRatesWithDecoys,
  withExchangeRateJumps,
} from "../../src/sandbox/exchange-rates.js";
import { addDays, daysBetween, daysInRange, monthsInRange } from "../../src/domain/dates.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import type { ExchangeRate } from "../../src/domain/currency.js";

const TODAY = "2026-03-15";
const CLOUDS = [
  ["AWS", "USD"],
  ["GCP", "USD"],
  ["AZURE", "EUR"],
] as const;

const options = (provider: CloudProvider = "AWS", overrides: Partial<BillingDatasetOptions> = {}) => ({
  provider,
  currency: provider === "AZURE" ? "EUR" : "USD",
  seed: 42,
  today: TODAY,
  ...overrides,
});

/** A plan over an event-free dataset, and a dataset of the same options with the plan injected. */
function planned(provider: CloudProvider, seed = 7, extra: { eventsPerMonth?: number } = {}) {
  const baseline = createBillingDataset(options(provider));
  const plan = planLabelledEvents({ seed, dataset: baseline, months: 13, ...extra });
  const injected = createBillingDataset({ ...options(provider), events: plan.events });
  return { baseline, plan, injected, labels: plan.labels() };
}

const usageKinds = new Set(["SPIKE", "DROP", "LEVEL_SHIFT"]);
const matches = (label: Pick<EventLabel, "dimension" | "key">, line: SimulatedLine) =>
  line.chargeCategory === "Usage" &&
  (label.dimension === "SERVICE"
    ? line.serviceName === label.key
    : label.dimension === "ACCOUNT"
      ? line.accountId === label.key
      : line.region === label.key);
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const net = (lines: SimulatedLine[]) =>
  sum(lines.map((line) => line.cost + sum((line.credits ?? []).map((credit) => credit.amount))));

/** The lines of the day that differ from the baseline's (same order, same count unless lines were added). */
function changedLines(baseline: BillingDataset, injected: BillingDataset, day: string) {
  const before = baseline.linesForDay(day);
  const after = injected.linesForDay(day);
  return {
    before,
    after,
    changed: after
      .map((line, index) => ({ line, was: before[index] }))
      .filter(({ line, was }) => JSON.stringify(line) !== JSON.stringify(was)),
  };
}

describe("injected events in the billing dataset", () => {
  it("leaves every line as today's generator makes it when no event is given (or only another provider's)", () => {
    const otherProvider: InjectedEvent = {
      id: "gcp-only",
      kind: "SPIKE",
      provider: "GCP",
      dimension: "SERVICE",
      key: "Compute Engine",
      label: "not for AWS",
      start: "2026-02-10",
      end: "2026-02-10",
      amount: 100,
    };
    for (const [provider] of CLOUDS) {
      const plain = createBillingDataset(options(provider));
      const empty = createBillingDataset({ ...options(provider), events: [] });
      const foreign = createBillingDataset({
        ...options(provider),
        events: provider === "GCP" ? [] : [otherProvider],
      });
      for (const day of daysInRange("2026-01-25", "2026-02-15")) {
        expect(empty.linesForDay(day)).toEqual(plain.linesForDay(day));
        expect(foreign.linesForDay(day)).toEqual(plain.linesForDay(day));
      }
      expect(empty.total("2025-06-01", TODAY)).toBe(plain.total("2025-06-01", TODAY));
      expect(empty.events).toEqual([]);
    }
  });

  it("moves exactly the target's usage lines on the event's days by the labelled amount, and nothing else", () => {
    for (const [provider] of CLOUDS) {
      const { baseline, injected, labels } = planned(provider);
      const eventDays = new Set(
        labels.filter((label) => label.kind !== "DECOY_FX").flatMap((l) => daysInRange(l.start, l.end)),
      );
      for (const label of labels.filter((l) => usageKinds.has(l.kind))) {
        const perDay = daysInRange(label.start, label.end).map((day) => {
          const { before, after, changed } = changedLines(baseline, injected, day);
          expect(after).toHaveLength(before.length);
          expect(changed.length).toBeGreaterThan(0);
          expect(changed.every(({ line }) => matches(label, line))).toBe(true);
          // Every target line moves (by the same ratio), and credits attached to rows stay as billed.
          expect(changed).toHaveLength(after.filter((line) => matches(label, line)).length);
          for (const { line, was } of changed) {
            expect(line.cost).toBeGreaterThanOrEqual(0);
            expect(line.credits).toEqual(was?.credits);
          }
          return net(after) - net(before);
        });
        for (const delta of perDay) expect(delta).toBeCloseTo(label.amountPerDay, 6);
        expect(sum(perDay)).toBeCloseTo(label.totalAmount, 6);
        if (label.kind !== "LEVEL_SHIFT")
          expect(Math.sign(label.amountPerDay)).toBe(label.kind === "SPIKE" ? 1 : -1);
      }
      // Every other day of the history is untouched.
      for (const day of daysInRange(addDays(TODAY, -400), TODAY).filter((d) => !eventDays.has(d))) {
        expect(injected.linesForDay(day)).toEqual(baseline.linesForDay(day));
      }
    }
  });

  it("applies a factor to each target line and never drops a line below 0", () => {
    const baseline = createBillingDataset(options("GCP"));
    const day = "2026-02-11";
    const event = (
      id: string,
      kind: InjectedEvent["kind"],
      change: Partial<InjectedEvent>,
    ): InjectedEvent => ({
      id,
      kind,
      provider: "GCP",
      dimension: "SERVICE",
      key: "Compute Engine",
      label: id,
      start: day,
      end: day,
      ...change,
    });
    const target = (dataset: BillingDataset) =>
      dataset
        .linesForDay(day)
        .filter((line) => line.serviceName === "Compute Engine" && line.chargeCategory === "Usage");
    const tripled = createBillingDataset({
      ...options("GCP"),
      events: [event("x3", "SPIKE", { factor: 3 })],
    });
    target(tripled).forEach((line, index) =>
      expect(line.cost).toBeCloseTo(3 * target(baseline)[index]!.cost, 8),
    );
    const zero = createBillingDataset({
      ...options("GCP"),
      events: [event("to-zero", "DROP", { factor: 0 })],
    });
    expect(target(zero).every((line) => line.cost === 0)).toBe(true);
    const before = sum(target(baseline).map((line) => line.cost));
    const tooMuch = event("too-much", "DROP", { amount: -10 * before });
    const floored = createBillingDataset({ ...options("GCP"), events: [tooMuch] });
    expect(target(floored).every((line) => line.cost === 0)).toBe(true);
    expect(describeEvent(baseline, tooMuch).totalAmount).toBeCloseTo(-before, 6);
  });

  it("serves decoy lines in their own charge category, and FX decoys not at all", () => {
    for (const [provider] of CLOUDS) {
      const { baseline, injected, labels } = planned(provider);
      const credit = labels.find((label) => label.kind === "DECOY_CREDIT")!;
      const tax = labels.find((label) => label.kind === "DECOY_TAX")!;
      for (const [label, category] of [
        [credit, "Credit"],
        [tax, "Tax"],
      ] as const) {
        const { before, after, changed } = changedLines(baseline, injected, label.start);
        expect(changed).toHaveLength(1);
        expect(after).toHaveLength(before.length + 1);
        const line = changed[0]!.line;
        expect(line).toMatchObject({
          chargeCategory: category,
          accountId: label.key,
          cost: label.amountPerDay,
        });
        expect(label.expectedCause).toBe(category === "Credit" ? "CREDIT" : "TAX");
      }
      expect(credit.amountPerDay).toBeLessThan(0);
      expect(tax.amountPerDay).toBeGreaterThan(0);
      const taxLine = injected.linesForDay(tax.start).at(-1)!;
      expect(taxLine.region).toBe("");
      expect(taxLine.serviceName).toBe(provider === "GCP" ? "Invoice" : "Tax");
      const fx = labels.find((label) => label.kind === "DECOY_FX");
      if (provider === "AZURE") {
        expect(fx).toMatchObject({ expectedCause: "EXCHANGE_RATE", key: "EUR", rateFactor: 1.08 });
        expect(fx!.month).toBe(fx!.start.slice(0, 7));
      } else {
        expect(fx).toBeUndefined();
      }
    }
  });

  it("serves a restatement decoy's day unchanged until applyRestatement, then changed by its amount", () => {
    const { baseline, injected, labels } = planned("AWS");
    const restatement = labels.find((label) => label.kind === "DECOY_RESTATEMENT")!;
    expect(restatement).toMatchObject({ expectedCause: "RESTATEMENT", appliesAfterFirstServe: true });
    expect(restatement.start).toBe(addDays(TODAY, -20));
    const day = restatement.start;
    expect(injected.linesForDay(day)).toEqual(baseline.linesForDay(day));
    expect(injected.applyRestatement(restatement.id)).toEqual([day]);
    const { changed, before, after } = changedLines(baseline, injected, day);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every(({ line }) => matches(restatement, line))).toBe(true);
    expect(net(after) - net(before)).toBeCloseTo(restatement.amountPerDay, 6);
    expect(injected.applyRestatement(restatement.id)).toEqual([day]);
    expect(net(injected.linesForDay(day)) - net(before)).toBeCloseTo(restatement.amountPerDay, 6);
    expect(() => injected.applyRestatement(labels.find((l) => l.kind === "SPIKE")!.id)).toThrow(
      /no DECOY_RESTATEMENT/,
    );
  });

  it("rejects malformed events, naming the event", () => {
    const base: InjectedEvent = {
      id: "e1",
      kind: "SPIKE",
      provider: "AWS",
      dimension: "SERVICE",
      key: "Amazon Relational Database Service",
      label: "x",
      start: "2026-02-10",
      end: "2026-02-10",
      amount: 50,
    };
    const build =
      (...events: InjectedEvent[]) =>
      () =>
        createBillingDataset({ ...options("AWS"), events });
    expect(build(base)).not.toThrow();
    expect(build({ ...base, end: "2026-02-11" })).toThrow(/events\[0\] \(e1\).*one day/);
    expect(build({ ...base, kind: "LEVEL_SHIFT", end: "2026-02-11" })).toThrow(/3 days or more/);
    expect(build({ ...base, kind: "DROP" })).toThrow(/DROP lowers/);
    expect(build({ ...base, factor: 2 })).toThrow(/exactly one of factor and amount/);
    expect(build({ ...base, key: "Amazon Nonexistent Service" })).toThrow(/no service/);
    expect(build(base, { ...base })).toThrow(/given twice/);
    expect(build({ ...base, kind: "DECOY_CREDIT", dimension: "ACCOUNT", key: "x", amount: -50 })).toThrow(
      /no account "x"/,
    );
    expect(build({ ...base, kind: "DECOY_CREDIT", dimension: "ACCOUNT", amount: 50 })).toThrow(
      /a credit is negative/,
    );
    expect(
      build({
        ...base,
        kind: "DECOY_FX",
        dimension: "CURRENCY",
        key: "EUR",
        start: "2026-02-01",
        end: "2026-02-28",
      }),
    ).toThrow(/factor/);
  });
});

describe("planLabelledEvents", () => {
  it("gives the same plan, labels and lines for the same seed, and another plan for another seed", () => {
    const a = planned("GCP", 3);
    const b = planned("GCP", 3);
    const c = planned("GCP", 4);
    expect(b.plan.events).toEqual(a.plan.events);
    expect(b.labels).toEqual(a.labels);
    expect(c.plan.events).not.toEqual(a.plan.events);
    for (const label of a.labels.slice(0, 4)) {
      expect(b.injected.linesForDay(label.start)).toEqual(a.injected.linesForDay(label.start));
    }
    expect(JSON.parse(JSON.stringify(a.labels))).toEqual(a.labels);
    expect(a.plan.labels()).not.toBe(a.plan.labels());
  });

  it("spaces events at least 10 days apart, after the first 30 days of history, and plans the decoys", () => {
    for (const [provider] of CLOUDS) {
      for (const seed of [1, 2, 3]) {
        const { labels } = planned(provider, seed, { eventsPerMonth: 1.5 });
        const usage = labels.filter((label) => usageKinds.has(label.kind));
        expect(usage).toHaveLength(Math.round(13 * 1.5));
        expect(new Set(labels.map((l) => l.kind))).toEqual(
          new Set([
            "SPIKE",
            "DROP",
            "LEVEL_SHIFT",
            "DECOY_CREDIT",
            "DECOY_TAX",
            "DECOY_RESTATEMENT",
            ...(provider === "AZURE" ? ["DECOY_FX"] : []),
          ]),
        );
        const historyStart = addDays(TODAY, 1 - Math.round((13 * 365.25) / 12));
        const intervals = labels
          .filter((label) => label.kind !== "DECOY_FX")
          .map(({ start, end }) => ({ start, end }));
        const fx = labels.find((label) => label.kind === "DECOY_FX");
        if (fx)
          intervals.push(
            { start: fx.start, end: fx.start },
            { start: addDays(fx.end, 1), end: addDays(fx.end, 1) },
          );
        intervals.sort((x, y) => (x.start < y.start ? -1 : 1));
        intervals.forEach((interval, index) => {
          expect(daysBetween(historyStart, interval.start)).toBeGreaterThanOrEqual(30);
          expect(interval.end < TODAY).toBe(true);
          if (index > 0)
            expect(daysBetween(intervals[index - 1]!.end, interval.start)).toBeGreaterThanOrEqual(10);
        });
        for (const label of usage) {
          const days = daysBetween(label.start, label.end) + 1;
          if (label.kind === "LEVEL_SHIFT") expect(days).toBeGreaterThanOrEqual(3);
          else expect(days).toBe(1);
        }
        if (provider === "AZURE") expect(usage.some((label) => label.dimension === "ACCOUNT")).toBe(false);
        else expect(new Set(usage.map((label) => label.dimension)).size).toBe(3);
      }
    }
  });

  it("sizes events as 3σ, 5σ or 10σ of the target's 1.4826·MAD over the 28 days before, and bands them", () => {
    const counts = { SMALL: 0, MEDIUM: 0, LARGE: 0 };
    for (const [provider] of CLOUDS) {
      const { baseline, labels } = planned(provider, 11);
      for (const label of labels.filter((l) => l.kind !== "DECOY_FX")) {
        const days = daysInRange(addDays(label.start, -BASELINE_DAYS), addDays(label.start, -1));
        const dimension = label.dimension;
        const series = days.map((day) =>
          sum(
            baseline
              .linesForDay(day)
              .filter((line) => matches({ dimension, key: label.key }, line))
              .map((line) => line.cost),
          ),
        );
        const sorted = [...series].sort((x, y) => x - y);
        const median = (sorted[13]! + sorted[14]!) / 2;
        const deviations = series.map((value) => Math.abs(value - median)).sort((x, y) => x - y);
        const sigma = (1.4826 * (deviations[13]! + deviations[14]!)) / 2;
        expect(label.sigma).toBeCloseTo(sigma, 6);
        expect(label.baselineMedian).toBeCloseTo(median, 6);
        expect(label.sigmaMultiple).toBeCloseTo(Math.abs(label.amountPerDay) / sigma, 3);
        expect(label.sizeBand).toBe(sizeBandOf(label.sigmaMultiple));
        if (label.kind === "SPIKE")
          expect([3, 5, 10].map((k) => Math.abs(label.sigmaMultiple - k) < 0.05)).toContain(true);
        if (label.kind === "DROP") expect(label.sigmaMultiple).toBeLessThanOrEqual(10.05);
        if (usageKinds.has(label.kind)) counts[label.sizeBand]++;
        else expect(label.sizeBand).toBe("LARGE");
        expect(label.expectedCause).toBe(
          usageKinds.has(label.kind) ? "USAGE" : label.kind.replace("DECOY_", ""),
        );
      }
    }
    expect(Math.min(counts.SMALL, counts.MEDIUM, counts.LARGE)).toBeGreaterThanOrEqual(8);
    expect(sizeBandOf(3)).toBe("SMALL");
    expect(sizeBandOf(5)).toBe("MEDIUM");
    expect(sizeBandOf(10)).toBe("LARGE");
    expect(robustSpread([1, 2, 3, 4, 100])).toEqual({ median: 3, sigma: 1.4826 });
  });

  it("refuses an event-free baseline's opposite, and more events than the history can space", () => {
    const { injected } = planned("AWS");
    expect(() => planLabelledEvents({ seed: 1, dataset: injected })).toThrow(/must have no events/);
    const baseline = createBillingDataset(options("AWS"));
    expect(() => planLabelledEvents({ seed: 1, dataset: baseline, eventsPerMonth: 4 })).toThrow(
      /fewer events per month/,
    );
  });
});

describe("FX decoy rates", () => {
  it("bumps exactly one month's rates from the currency by 8% (and rates to it down)", () => {
    const rates: ExchangeRate[] = ["2026-01", "2026-02", "2026-03"].flatMap((month) => [
      { month, from: "EUR", to: "USD", rate: 1.1, source: "s" },
      { month, from: "GBP", to: "USD", rate: 1.3, source: "s" },
      { month, from: "USD", to: "EUR", rate: 0.9, source: "s" },
    ]);
    const jumped = withExchangeRateJumps(rates, [{ month: "2026-02", currency: "EUR", factor: 1.08 }]);
    const changed = jumped.filter((rate, index) => rate.rate !== rates[index]!.rate);
    expect(changed.map((rate) => `${rate.month} ${rate.from}->${rate.to}`)).toEqual([
      "2026-02 EUR->USD",
      "2026-02 USD->EUR",
    ]);
    expect(changed[0]!.rate).toBeCloseTo(1.1 * 1.08, 10);
    expect(changed[1]!.rate).toBeCloseTo(0.9 / 1.08, 10);
    expect(changed.every((rate) => rate.source === "s")).toBe(true);
  });

  it("applies a plan's FX decoy to the sandbox's rates for that month only", () => {
    const { plan, labels } = planned("AZURE");
    const fx = labels.find((label) => label.kind === "DECOY_FX")!;
    const months = monthsInRange(addDays(TODAY, -399), TODAY);
    const plain = sandboxExchangeRates(months);
    const decoyed = sandboxExchangeRatesWithDecoys(months, plan.events);
    expect(decoyed).toHaveLength(plain.length);
    const changed = decoyed.filter((rate, index) => rate.rate !== plain[index]!.rate);
    expect(new Set(changed.map((rate) => rate.month))).toEqual(new Set([fx.month]));
    const eurUsd = (list: ExchangeRate[]) =>
      list.find((r) => r.month === fx.month && r.from === "EUR" && r.to === "USD")!;
    expect(eurUsd(decoyed).rate / eurUsd(plain).rate).toBeCloseTo(1.08, 8);
    expect(sandboxExchangeRatesWithDecoys(months, [])).toEqual(plain);
  });
});

describe("demoLabelledEvents", () => {
  const baselines = () => ({
    AWS: createBillingDataset(options("AWS", { seed: 11 })),
    GCP: createBillingDataset(options("GCP", { seed: 22 })),
    AZURE: createBillingDataset(options("AZURE", { seed: 33 })),
  });

  it("gives a spike in the largest AWS service, a GCP project level shift and an AWS credit decoy, recently", () => {
    const plan = demoLabelledEvents(baselines());
    expect(
      plan.labels().map((label) => [label.provider, label.kind, label.dimension, label.start, label.end]),
    ).toEqual([
      ["AWS", "SPIKE", "SERVICE", addDays(TODAY, -4), addDays(TODAY, -4)],
      ["GCP", "LEVEL_SHIFT", "ACCOUNT", addDays(TODAY, -13), addDays(TODAY, -7)],
      ["AWS", "DECOY_CREDIT", "ACCOUNT", addDays(TODAY, -18), addDays(TODAY, -18)],
    ]);
    expect(plan.labels()[0]).toMatchObject({
      key: "Amazon Elastic Compute Cloud - Compute",
      sizeBand: "LARGE",
    });
    const datasets = Object.fromEntries(
      CLOUDS.map(([provider]) => [
        provider,
        createBillingDataset({
          ...options(provider, { seed: { AWS: 11, GCP: 22, AZURE: 33 }[provider] }),
          events: plan.events,
        }),
      ]),
    ) as Record<CloudProvider, BillingDataset>;
    const fresh = baselines();
    for (const label of plan.labels()) {
      const period = [label.start, label.end] as const;
      expect(datasets[label.provider].total(...period) - fresh[label.provider].total(...period)).toBeCloseTo(
        label.totalAmount,
        4,
      );
    }
    expect(datasets.AZURE.total("2025-01-01", TODAY)).toBe(fresh.AZURE.total("2025-01-01", TODAY));
  });

  it("leaves out events whose days or baseline come before a dataset's first day", () => {
    const recent = { GCP: createBillingDataset(options("GCP", { seed: 22, firstDay: addDays(TODAY, -20) })) };
    expect(demoLabelledEvents(recent).events).toEqual([]);
  });
});
