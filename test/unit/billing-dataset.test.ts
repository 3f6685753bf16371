import { describe, expect, it } from "vitest";
import { createBillingDataset, type BillingDatasetOptions } from "../../src/sandbox/billing-dataset.js";
import { daysInRange } from "../../src/domain/dates.js";

const options = (overrides: Partial<BillingDatasetOptions> = {}): BillingDatasetOptions => ({
  provider: "AWS",
  seed: 42,
  currency: "USD",
  today: "2026-03-15",
  ...overrides,
});

const net = (lines: ReturnType<ReturnType<typeof createBillingDataset>["linesForDay"]>) =>
  lines.reduce(
    (sum, line) => sum + line.cost + (line.credits ?? []).reduce((c, credit) => c + credit.amount, 0),
    0,
  );

describe("createBillingDataset", () => {
  it("produces the same lines for the same seed and different lines for another seed", () => {
    const a = createBillingDataset(options());
    const b = createBillingDataset(options());
    const c = createBillingDataset(options({ seed: 43 }));
    expect(b.linesForDay("2026-02-10")).toEqual(a.linesForDay("2026-02-10"));
    expect(c.linesForDay("2026-02-10")).not.toEqual(a.linesForDay("2026-02-10"));
  });

  it("produces a day the same whether asked alone or after other days", () => {
    const fresh = createBillingDataset(options());
    const warmed = createBillingDataset(options());
    warmed.total("2026-01-01", "2026-03-15");
    expect(fresh.linesForDay("2026-02-20")).toEqual(warmed.linesForDay("2026-02-20"));
  });

  it("restate changes exactly the days it is given", () => {
    const dataset = createBillingDataset(options());
    const days = daysInRange("2026-03-01", "2026-03-10");
    const before = new Map(days.map((day) => [day, dataset.linesForDay(day)]));
    dataset.restate(["2026-03-04", "2026-03-05"]);
    const changed = days.filter(
      (day) => JSON.stringify(dataset.linesForDay(day)) !== JSON.stringify(before.get(day)),
    );
    expect(changed).toEqual(["2026-03-04", "2026-03-05"]);
  });

  it("total equals the sum of line costs and credits, per day and over a range", () => {
    for (const provider of ["AWS", "GCP", "AZURE"] as const) {
      const dataset = createBillingDataset(
        options({ provider, currency: provider === "AZURE" ? "EUR" : "USD" }),
      );
      const days = daysInRange("2026-01-25", "2026-02-05");
      const sum = days.reduce((acc, day) => acc + net(dataset.linesForDay(day)), 0);
      expect(dataset.total("2026-01-25", "2026-02-05")).toBeCloseTo(sum, 8);
      expect(dataset.total("2026-02-01", "2026-02-01")).toBeCloseTo(
        net(dataset.linesForDay("2026-02-01")),
        8,
      );
    }
  });

  it("makes credits and refunds negative, and keeps amounts to at most 10 decimals", () => {
    const aws = createBillingDataset(options());
    const gcp = createBillingDataset(options({ provider: "GCP" }));
    const awsLines = daysInRange("2026-01-01", "2026-02-28").flatMap((day) => aws.linesForDay(day));
    const gcpLines = daysInRange("2026-01-01", "2026-02-28").flatMap((day) => gcp.linesForDay(day));
    const awsCredits = awsLines.filter((line) => line.chargeCategory === "Credit");
    const gcpCredits = gcpLines.flatMap((line) => line.credits ?? []);
    const refunds = [...awsLines, ...gcpLines].filter((line) => line.usageType === "Refund");
    expect(awsCredits.length).toBeGreaterThan(0);
    expect(gcpCredits.length).toBeGreaterThan(0);
    expect(refunds.length).toBe(4);
    expect(refunds.every((line) => line.chargeCategory === "Adjustment")).toBe(true);
    expect(awsCredits.every((line) => line.cost < 0)).toBe(true);
    expect(gcpCredits.every((credit) => credit.amount < 0)).toBe(true);
    expect(refunds.every((line) => line.cost < 0)).toBe(true);
    expect(new Set(gcpCredits.map((credit) => credit.type))).toEqual(
      new Set(["SUSTAINED_USAGE_DISCOUNT", "PROMOTION"]),
    );
    for (const line of awsLines)
      expect(Math.abs(line.cost * 1e10 - Math.round(line.cost * 1e10))).toBeLessThan(1e-3);
    expect(awsLines.some((line) => line.cost > 0 && line.cost < 0.00001)).toBe(true);
  });

  it("bills one late GCP row of each month's last day on the next month's invoice", () => {
    const gcp = createBillingDataset(options({ provider: "GCP" }));
    const late = daysInRange("2026-01-01", "2026-02-28")
      .flatMap((day) => gcp.linesForDay(day))
      .filter((line) => line.invoiceMonth !== undefined);
    expect(late.map((line) => [line.date, line.invoiceMonth, line.chargeCategory])).toEqual([
      ["2026-01-31", "2026-02", "Adjustment"],
      ["2026-02-28", "2026-03", "Adjustment"],
    ]);
    expect(late.every((line) => line.cost > 0 && line.usageType === "Late usage correction")).toBe(true);
    const aws = createBillingDataset(options());
    expect(aws.linesForDay("2026-01-31").some((line) => line.invoiceMonth !== undefined)).toBe(false);
  });

  it("bills tax on the first of the month, per account on AWS and as one project-less row on GCP", () => {
    const aws = createBillingDataset(options({ accounts: 4 }));
    const taxes = aws.linesForDay("2026-02-01").filter((line) => line.chargeCategory === "Tax");
    expect(new Set(taxes.map((line) => line.accountId)).size).toBe(4);
    expect(aws.linesForDay("2026-02-02").some((line) => line.chargeCategory === "Tax")).toBe(false);
    const gcpTax = createBillingDataset(options({ provider: "GCP" }))
      .linesForDay("2026-02-01")
      .filter((line) => line.chargeCategory === "Tax");
    expect(gcpTax).toHaveLength(1);
    expect(gcpTax[0]).toMatchObject({ accountId: "", region: "" });
    const azure = createBillingDataset(options({ provider: "AZURE", currency: "EUR" }));
    expect(azure.linesForDay("2026-02-01").some((line) => line.chargeCategory === "Tax")).toBe(false);
  });

  it("has no lines after today and calls only the current month estimated", () => {
    const dataset = createBillingDataset(options());
    expect(dataset.linesForDay("2026-03-15").length).toBeGreaterThan(0);
    expect(dataset.linesForDay("2026-03-16")).toEqual([]);
    expect(dataset.total("2026-03-16", "2026-04-30")).toBe(0);
    expect(dataset.isEstimated("2026-03-01")).toBe(true);
    expect(dataset.isEstimated("2026-02-28")).toBe(false);
  });

  it("uses each cloud's own account id shapes and the requested sizes", () => {
    const shapes = {
      AWS: /^\d{12}$/,
      GCP: /^[a-z][a-z0-9-]+-\d{6}$/,
      AZURE: /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    };
    for (const provider of ["AWS", "GCP", "AZURE"] as const) {
      const dataset = createBillingDataset(options({ provider, services: 40, accounts: 10, regions: 8 }));
      const usage = dataset.linesForDay("2026-03-03").filter((line) => line.chargeCategory === "Usage");
      expect(new Set(usage.map((line) => line.accountId)).size).toBe(10);
      expect(usage.every((line) => shapes[provider].test(line.accountId))).toBe(true);
      expect(new Set(usage.map((line) => line.serviceName)).size).toBeGreaterThan(30);
      expect(new Set(usage.map((line) => line.serviceName)).size).toBeLessThanOrEqual(40);
      expect(
        new Set(usage.map((line) => line.region).filter((region) => region !== "global" && region !== ""))
          .size,
      ).toBeLessThanOrEqual(8);
    }
  });

  it("costs less on weekends for business workloads", () => {
    const dataset = createBillingDataset(options({ services: 40, accounts: 10 }));
    const compute = (day: string) =>
      dataset
        .linesForDay(day)
        .filter(
          (line) =>
            line.serviceName === "Amazon Elastic Compute Cloud - Compute" && line.chargeCategory === "Usage",
        )
        .reduce((sum, line) => sum + line.cost, 0);
    // 2026-03-07 is a Saturday, 2026-03-04 a Wednesday.
    expect(compute("2026-03-07")).toBeLessThan(compute("2026-03-04") * 0.8);
  });

  it("spreads an ACCOUNT event's amount over the account's services in proportion to their cost", () => {
    const plain = createBillingDataset(options());
    const account = plain.linesForDay("2026-02-10")[0]!.accountId;
    const event = {
      id: "shift",
      kind: "LEVEL_SHIFT" as const,
      provider: "AWS" as const,
      dimension: "ACCOUNT" as const,
      key: account,
      label: "account shift",
      start: "2026-02-09",
      end: "2026-02-11",
      amount: 120,
    };
    const shifted = createBillingDataset({ ...options(), events: [event] });
    expect(shifted.events).toEqual([event]);
    expect(shifted.events[0]).not.toBe(shifted.events[0]);
    const usage = (dataset: typeof plain, day: string) =>
      dataset
        .linesForDay(day)
        .filter((line) => line.accountId === account && line.chargeCategory === "Usage");
    for (const day of daysInRange("2026-02-09", "2026-02-11")) {
      const before = usage(plain, day);
      const after = usage(shifted, day);
      const total = before.reduce((sum, line) => sum + line.cost, 0);
      after.forEach((line, index) =>
        expect(line.cost).toBeCloseTo(before[index]!.cost * (1 + 120 / total), 8),
      );
      expect(shifted.total(day, day) - plain.total(day, day)).toBeCloseTo(120, 6);
    }
    expect(shifted.linesForDay("2026-02-12")).toEqual(plain.linesForDay("2026-02-12"));
    expect(() => shifted.applyRestatement("shift")).toThrow(/no DECOY_RESTATEMENT/);
  });

  it("rejects bad options naming the field", () => {
    expect(() => createBillingDataset(options({ services: 500 }))).toThrow(/BillingDatasetOptions\.services/);
    expect(() => createBillingDataset(options({ today: "2026-02-30" }))).toThrow(
      /BillingDatasetOptions\.today/,
    );
    expect(() => createBillingDataset(options({ currency: "usd" }))).toThrow(
      /BillingDatasetOptions\.currency/,
    );
  });
});
