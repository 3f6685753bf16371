/**
 * GCP figures as Google's console and invoice show them, through the official BigQuery client against
 * the simulated export: days cut at Pacific midnight (daylight saving observed, both changes of
 * 2026), invoice months with the late rows billed on the next invoice, and odd rows that never sink a
 * month. Expected figures are worked out here from the raw export rows (usage_start_time instants and
 * invoice.month), not from the collector's query.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderCostLine } from "../../src/domain/cost-record.js";
import { daysInRange, monthOf } from "../../src/domain/dates.js";
import { GcpBillingExportAdapter } from "../../src/providers/gcp/gcp-adapter.js";
import { parseGcpCredentials } from "../../src/providers/gcp/gcp-credentials.js";
import { createBillingDataset, type BillingDataset } from "../../src/sandbox/billing-dataset.js";
import { answerQuery } from "../../src/sandbox/gcp/billing-export-answers.js";
import {
  SANDBOX_GCP_BILLING_TABLE,
  startGcpSimulator,
  type GcpSimulator,
} from "../../src/sandbox/gcp/gcp-simulator.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import { FAST_RETRY } from "../support/fast-retry.js";
import { quarantineIssue, recordsOf, withExtraRows } from "../support/odd-rows.js";

const TODAY = "2026-12-05";
const clock = () => new Date(`${TODAY}T12:00:00Z`);
const RAW = simulatorCredentials({
  awsAccessKeyId: "AKIABILLINGDAYS00001",
  awsSecretAccessKey: "unused-in-this-file-0000000000000000000",
  gcpPrivateKeyId: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
  azureClientSecret: "unused",
});
const PROJECT = RAW.GCP.serviceAccountKey.project_id;
const dataset = createBillingDataset({ provider: "GCP", seed: 2026, currency: "USD", today: TODAY });
const MARCH = { start: "2026-03-01", end: "2026-03-31" };
const NOVEMBER = { start: "2026-11-01", end: "2026-11-30" };

const pacificDay = new Intl.DateTimeFormat("en-CA", {
  timeZone: "America/Los_Angeles",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
});
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface RawRow {
  usageStart: number;
  invoiceMonth: string;
  amount: number;
}

/**
 * Every cost and credit amount the export holds for usage from `start` - 1 to `end` + 1 (wide enough
 * for any time zone), loaded up to two weeks after, with its instant and invoice month.
 */
function rawRows(source: BillingDataset, start: string, end: string): RawRow[] {
  const where = `WHERE _PARTITIONTIME >= TIMESTAMP(DATE_SUB(@start, INTERVAL 7 DAY))
    AND _PARTITIONTIME < TIMESTAMP(DATE_ADD(@end, INTERVAL 14 DAY))
    AND DATE(usage_start_time, "UTC") BETWEEN @from AND @to`;
  const table = `\`${SANDBOX_GCP_BILLING_TABLE}\``;
  const ask = (query: string) =>
    answerQuery(
      {
        query,
        useLegacySql: false,
        parameterMode: "NAMED",
        queryParameters: Object.entries({ start, end, from: shift(start, -1), to: shift(end, 2) }).map(
          ([name, value]) => ({ name, parameterType: { type: "DATE" }, parameterValue: { value } }),
        ),
        location: "US",
      },
      { dataset: source, billingTable: SANDBOX_GCP_BILLING_TABLE, location: "US", now: clock() },
    ).rows;
  return [
    ...ask(`SELECT usage_start_time, invoice.month, cost FROM ${table} ${where}`),
    ...ask(
      `SELECT usage_start_time, invoice.month, credit.amount FROM ${table}, UNNEST(credits) AS credit ${where}`,
    ),
  ].map(([start, month, amount]) => ({
    usageStart: Number(start) / 1000,
    invoiceMonth: `${month!.slice(0, 4)}-${month!.slice(4)}`,
    amount: Number(amount),
  }));
}

const shift = (day: string, days: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function sumByKey<T>(items: T[], key: (item: T) => string, amount: (item: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const item of items) sums.set(key(item), (sums.get(key(item)) ?? 0) + amount(item));
  return sums;
}
const linesByDay = (lines: ProviderCostLine[]) =>
  sumByKey(
    lines,
    (line) => line.date,
    (line) => line.billedCost,
  );

let simulator: GcpSimulator;
const adapter = (source?: GcpSimulator) =>
  new GcpBillingExportAdapter({
    credentials: parseGcpCredentials(RAW.GCP),
    endpoint: (source ?? simulator).endpoint,
    retryPolicy: FAST_RETRY,
    now: clock,
  });

beforeAll(async () => {
  simulator = await startGcpSimulator({ datasets: { [PROJECT]: dataset }, now: clock });
});
afterAll(() => simulator.stop());

describe("GCP billing days", () => {
  it("meters the rows of the DST days at the first and last Pacific hour, across UTC midnight", () => {
    const instantsOf = (day: string) =>
      [...new Set(rawRows(dataset, day, day).map((row) => row.usageStart))]
        .filter((ms) => pacificDay.format(ms) === day)
        .map((ms) => new Date(ms).toISOString())
        .sort();
    // Spring forward: the day starts at UTC-8 and ends at UTC-7 (23 hours long).
    expect(instantsOf("2026-03-08")).toEqual(["2026-03-08T08:00:00.000Z", "2026-03-09T06:00:00.000Z"]);
    // Fall back: the day starts at UTC-7 and ends at UTC-8 (25 hours long).
    expect(instantsOf("2026-11-01")).toEqual(["2026-11-01T07:00:00.000Z", "2026-11-02T07:00:00.000Z"]);
  });

  it.each([
    ["March (spring forward)", MARCH],
    ["November (fall back)", NOVEMBER],
  ])("adds up every Pacific day and the month of %s to the cent", async (_, month) => {
    const { lines } = await adapter().fetchDailyCosts(month);
    const raw = rawRows(dataset, month.start, month.end);
    const pacific = sumByKey(
      raw,
      (row) => pacificDay.format(row.usageStart),
      (row) => row.amount,
    );
    const utc = sumByKey(
      raw,
      (row) => utcDay(row.usageStart),
      (row) => row.amount,
    );
    const collected = linesByDay(lines);
    const days = daysInRange(month.start, month.end);
    expect([...collected.keys()].sort()).toEqual(days);
    for (const day of days) {
      expect(collected.get(day), day).toBeCloseTo(pacific.get(day)!, 2);
      expect(collected.get(day), day).toBeCloseTo(dataset.total(day, day), 2);
      // Cut at UTC midnight, no day of the month would match the console.
      expect(Math.abs(collected.get(day)! - utc.get(day)!), day).toBeGreaterThan(0.01);
    }
    const monthTotal = lines.reduce((sum, line) => sum + line.billedCost, 0);
    const pacificMonth = days.reduce((sum, day) => sum + pacific.get(day)!, 0);
    const utcMonth = days.reduce((sum, day) => sum + utc.get(day)!, 0);
    expect(monthTotal).toBeCloseTo(pacificMonth, 2);
    expect(monthTotal).toBeCloseTo(dataset.total(month.start, month.end), 2);
    expect(Math.abs(monthTotal - utcMonth)).toBeGreaterThan(0.01);
  });
});

describe("GCP invoice months", () => {
  it("bills the late rows of October 31 on November's invoice, to the cent, adjustments included", async () => {
    const period = { start: "2026-10-01", end: NOVEMBER.end };
    const { lines } = await adapter().fetchDailyCosts(period);
    const late = lines.filter((line) => line.invoiceMonth !== monthOf(line.date));
    expect(late.map((line) => [line.date, line.invoiceMonth, line.chargeCategory])).toEqual([
      ["2026-10-31", "2026-11", "Adjustment"],
      ["2026-11-30", "2026-12", "Adjustment"],
    ]);
    // They were loaded on the 6th of the next month: inside the collection's partition window.
    const invoices = sumByKey(
      lines,
      (line) => line.invoiceMonth!,
      (line) => line.billedCost,
    );
    const raw = rawRows(dataset, period.start, period.end).filter(
      (row) =>
        pacificDay.format(row.usageStart) >= period.start && pacificDay.format(row.usageStart) <= period.end,
    );
    const rawInvoices = sumByKey(
      raw,
      (row) => row.invoiceMonth,
      (row) => row.amount,
    );
    expect(invoices.get("2026-11")).toBeCloseTo(rawInvoices.get("2026-11")!, 2);
    // November's invoice: November's usage, minus its own late row, plus October's.
    const usage = sumByKey(
      lines,
      (line) => monthOf(line.date),
      (line) => line.billedCost,
    );
    const lateAmount = (day: string) => late.find((line) => line.date === day)!.billedCost;
    expect(invoices.get("2026-11")).toBeCloseTo(
      usage.get("2026-11")! - lateAmount("2026-11-30") + lateAmount("2026-10-31"),
      2,
    );
    expect(Math.abs(invoices.get("2026-11")! - usage.get("2026-11")!)).toBeGreaterThan(0.01);
  });
});

describe("odd GCP rows", () => {
  it("keeps a NULL service under Unassigned and quarantines an unreadable amount or currency; the month succeeds", async () => {
    const day = "2026-11-10";
    const base = { date: day, accountId: "", accountName: "", region: "", currency: "USD" };
    const odd = withExtraRows(dataset, day, () => [
      { ...base, serviceName: "", chargeCategory: "Tax", cost: 12.34 },
      { ...base, serviceName: "Cloud Storage", chargeCategory: "Adjustment", cost: Number.NaN },
      { ...base, serviceName: "BigQuery", chargeCategory: "Adjustment", cost: 5, currency: "" },
    ]);
    const own = await startGcpSimulator({ datasets: { [PROJECT]: odd }, now: clock });
    try {
      const result = await adapter(own).fetchDailyCosts(NOVEMBER);
      const records = recordsOf("GCP", "USD", result, clock());
      expect(records.map((record) => record.date)).toEqual(daysInRange(NOVEMBER.start, NOVEMBER.end));
      const record = records.find((r) => r.date === day)!;
      expect(record.lines.filter((line) => line.serviceName === "Unassigned")).toEqual([
        expect.objectContaining({ chargeCategory: "Tax", billedCost: 12.34, cost: 12.34 }),
      ]);
      expect(record.total).toBeCloseTo(dataset.total(day, day) + 12.34, 2);
      expect(quarantineIssue(record)).toEqual(
        expect.stringMatching(
          /^2 of \d+ lines could not be read and are quarantined, left out of the total: billedCost NaN is not a finite amount \(Cloud Storage\), billingCurrency "" is not an active ISO 4217 currency code \(BigQuery\)$/,
        ),
      );
      const others = records.filter((r) => r.date !== day);
      expect(others.every((r) => quarantineIssue(r) === undefined)).toBe(true);
    } finally {
      await own.stop();
    }
  });
});
