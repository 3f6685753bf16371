/**
 * GCP through the whole stack (simulated export -> official BigQuery client -> normalization ->
 * DynamoDB Local -> the API's cost reads): an invoice month read back from stored lines equals the
 * invoice, late rows of the month before and adjustments included; and a month with a NULL-service
 * row and an unreadable row is stored, the first under Unassigned, the second quarantined.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CostReads } from "../../src/application/costs/cost-reads.js";
import { createLoaders, loaderCostSources } from "../../src/application/request-loaders.js";
import type { CollectionJob } from "../../src/domain/collection-job.js";
import { daysInRange, monthOf } from "../../src/domain/dates.js";
import type { SimulatedLine } from "../../src/sandbox/billing-dataset.js";
import { startCollectionFixture, type CollectionFixture } from "./collection-fixture.js";

const CLIENT = "invoices";
const PERIOD = { start: "2026-09-01", end: "2026-10-31" };
const ODD_DAY = "2026-10-20";

let fixture: CollectionFixture;
let job: CollectionJob;
/** What the simulated export holds for the period, odd rows included. */
let served: SimulatedLine[];

beforeAll(async () => {
  fixture = await startCollectionFixture();
  const gcp = fixture.datasets.GCP;
  const linesForDay = gcp.linesForDay.bind(gcp);
  // The simulator serves this very dataset object: its day gets two odd rows.
  gcp.linesForDay = (day) => {
    const lines = linesForDay(day);
    if (day !== ODD_DAY) return lines;
    const base = { date: day, accountId: "", accountName: "", region: "", currency: "USD" };
    return [
      ...lines,
      { ...base, serviceName: "", chargeCategory: "Tax", cost: 9.99 },
      { ...base, serviceName: "Cloud Storage", chargeCategory: "Adjustment", cost: Number.NaN },
    ];
  };
  served = daysInRange(PERIOD.start, PERIOD.end).flatMap((day) => gcp.linesForDay(day));
  await fixture.connectedClient(CLIENT, "USD", ["GCP"]);
  job = await fixture.collect(CLIENT, PERIOD, ["GCP"]);
}, 120_000);
afterAll(() => fixture?.stop());

const net = (line: SimulatedLine) => line.cost + (line.credits ?? []).reduce((sum, c) => sum + c.amount, 0);
const readable = (line: SimulatedLine) => Number.isFinite(line.cost);

describe("a GCP month with odd rows", () => {
  it("succeeds, keeps the NULL-service row under Unassigned and quarantines the unreadable one", async () => {
    expect(job.status).toBe("SUCCEEDED");
    expect(job.providers[0]).toMatchObject({ provider: "GCP", status: "SUCCEEDED", recordsWritten: 61 });
    const record = await fixture.stores.costRecords.getRecord(CLIENT, "GCP", ODD_DAY);
    expect(record?.lines.filter((line) => line.serviceName === "Unassigned")).toEqual([
      expect.objectContaining({ chargeCategory: "Tax", billedCost: 9.99, invoiceMonth: "2026-10" }),
    ]);
    const expected = served.filter((line) => line.date === ODD_DAY && readable(line));
    expect(record?.total).toBeCloseTo(
      expected.reduce((sum, line) => sum + net(line), 0),
      2,
    );
    expect(record?.dataQuality.issues).toContainEqual(
      expect.stringMatching(/1 of \d+ lines could not be read and is quarantined.*\(Cloud Storage\)$/),
    );
  });
});

describe("invoice months from stored lines", () => {
  const reads = () => new CostReads(loaderCostSources(createLoaders(fixture.readStores, { cache: false })));

  it("equals October's invoice to the cent: September's late row in, October's own late row out", async () => {
    const answer = await reads().invoiceMonth(CLIENT, "2026-10", ["GCP"]);
    const invoiced = served.filter(
      (line) => readable(line) && (line.invoiceMonth ?? monthOf(line.date)) === "2026-10",
    );
    const invoice = invoiced.reduce((sum, line) => sum + net(line), 0);
    expect(invoiced.filter((line) => line.invoiceMonth === "2026-10").map((line) => line.date)).toEqual([
      "2026-09-30",
    ]);
    expect(answer.byProvider).toHaveLength(1);
    expect(answer.byProvider[0]?.billed).toHaveLength(1);
    expect(answer.byProvider[0]?.billed[0]?.currency).toBe("USD");
    expect(answer.byProvider[0]?.billed[0]?.amount).toBeCloseTo(invoice, 2);
    expect(answer.total).toBeCloseTo(invoice, 2);

    const usageMonth = served
      .filter((line) => readable(line) && monthOf(line.date) === "2026-10")
      .reduce((sum, line) => sum + net(line), 0);
    expect(Math.abs(answer.total - usageMonth)).toBeGreaterThan(0.01);
  });
});
