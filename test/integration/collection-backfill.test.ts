/**
 * A 13-month backfill of three providers through the whole stack (simulators -> official SDK
 * adapters -> normalization -> DynamoDB Local), then what a re-run, a restated day and a missing
 * exchange rate do to what is stored.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_EXCHANGE_RATES_FILE } from "../../src/sandbox/exchange-rates.js";
import type { CollectionJob } from "../../src/domain/collection-job.js";
import type { ExchangeRate } from "../../src/domain/currency.js";
import {
  addDays,
  addMonths,
  daysInRange,
  firstDayOfMonth,
  monthOf,
  monthsInRange,
  lastDayOfMonth,
} from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import { startCollectionFixture, TODAY, type CollectionFixture } from "./collection-fixture.js";

const CLIENT = "acme";
const PERIOD = { start: firstDayOfMonth(addMonths(monthOf(TODAY), -12)), end: TODAY };
const DAYS = daysInRange(PERIOD.start, PERIOD.end).length;

let fixture: CollectionFixture;
let rates: ExchangeRate[];
let backfill: CollectionJob;
let backfillRequests: Record<CloudProvider, number>;

/** What the provider billed over the range, converted to USD month by month at the sandbox rates. */
function expectedUsd(provider: CloudProvider, start: string, end: string): number {
  const dataset = fixture.datasets[provider];
  return monthsInRange(start, end).reduce((sum, month) => {
    const from = firstDayOfMonth(month) < start ? start : firstDayOfMonth(month);
    const to = lastDayOfMonth(month) > end ? end : lastDayOfMonth(month);
    const rate =
      dataset.currency === "USD"
        ? 1
        : rates.find((r) => r.month === month && r.from === dataset.currency && r.to === "USD")?.rate;
    if (rate === undefined) throw new Error(`no ${dataset.currency}->USD rate for ${month}`);
    return sum + dataset.total(from, to) * rate;
  }, 0);
}

async function storedTotal(provider: CloudProvider, start: string, end: string): Promise<number> {
  const headers = await fixture.stored.headers(CLIENT, provider, start, end);
  return headers.reduce((sum, header) => sum + header.total, 0);
}

beforeAll(async () => {
  fixture = await startCollectionFixture();
  rates = JSON.parse(await readFile(SANDBOX_EXCHANGE_RATES_FILE, "utf8")) as ExchangeRate[];
  await fixture.connectedClient(CLIENT, "USD", [...CLOUD_PROVIDERS]);
  const before = fixture.requestCounts();
  backfill = await fixture.collect(CLIENT, PERIOD);
  const after = fixture.requestCounts();
  backfillRequests = {
    AWS: after.AWS - before.AWS,
    GCP: after.GCP - before.GCP,
    AZURE: after.AZURE - before.AZURE,
  };
}, 180_000);
afterAll(() => fixture?.stop());

describe("a 13-month backfill of AWS, GCP and Azure", () => {
  it("succeeds with one record written per provider and day, and counts every provider request", async () => {
    expect(backfill.status).toBe("SUCCEEDED");
    expect(backfill.period).toEqual(PERIOD);
    expect(backfill.providers.map((p) => p.provider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
    for (const progress of backfill.providers) {
      expect(progress.status).toBe("SUCCEEDED");
      expect(progress.error).toBeUndefined();
      expect(progress.recordsWritten).toBe(DAYS);
      // Several pages and windows per provider: the requests the simulator saw, no more, no fewer.
      expect(progress.apiRequests).toBeGreaterThan(13);
      expect(progress.apiRequests).toBe(backfillRequests[progress.provider]);
      expect(progress.attempts).toBe(13);
    }
    const stored = await fixture.stores.jobs.get(backfill.id);
    expect(stored).toEqual(backfill);
    expect(stored?.finishedAt).toBeDefined();
    // Finished jobs leave the active index; nothing is left for crash recovery.
    expect(await fixture.stores.jobs.listActive()).toEqual([]);
    for (const provider of CLOUD_PROVIDERS) {
      expect(await fixture.stores.jobs.getLockHolder(CLIENT, provider)).toBeNull();
    }
  });

  it("stores totals equal to each provider's own, converted at the recorded rates, to the cent", async () => {
    for (const provider of CLOUD_PROVIDERS) {
      const headers = await fixture.stored.headers(CLIENT, provider, PERIOD.start, PERIOD.end);
      expect(headers).toHaveLength(DAYS);
      const total = headers.reduce((sum, header) => sum + header.total, 0);
      expect(Math.abs(total - expectedUsd(provider, PERIOD.start, PERIOD.end))).toBeLessThan(0.005);
      for (const header of headers) {
        expect(header.reportingCurrency).toBe("USD");
        expect(header.collection.jobId).toBe(backfill.id);
      }
    }
    const azureDay = await fixture.stores.costRecords.getRecord(CLIENT, "AZURE", PERIOD.start);
    const month = monthOf(PERIOD.start);
    const published = rates.find((r) => r.month === month && r.from === "EUR" && r.to === "USD");
    expect(azureDay?.exchangeRates).toEqual([
      { from: "EUR", to: "USD", rate: published?.rate, rateDate: `${month}-01`, source: "sandbox-fixed" },
    ]);
    expect(azureDay?.lines.every((line) => line.billingCurrency === "EUR" && line.cost !== null)).toBe(true);
  });

  it("re-run over unchanged provider data writes nothing", async () => {
    fixture.store.counter.reset();
    const rerun = await fixture.collect(CLIENT, PERIOD);
    expect(rerun.status).toBe("SUCCEEDED");
    expect(rerun.id).not.toBe(backfill.id);
    expect(rerun.providers.map((p) => p.recordsWritten)).toEqual([0, 0, 0]);
    // No cost record or rollup write at all, hence no stream event for subscribers (the timeseries
    // table's puts and deletes are the write leases: it has no stream).
    for (const operation of ["TransactWriteItems", "BatchWriteItem"])
      expect(fixture.store.counter.requests({ operation }), operation).toBe(0);
    const { timeseries } = fixture.store.names;
    expect(fixture.store.counter.requests({ operation: "UpdateItem", table: timeseries })).toBe(0);
    expect(
      fixture.store.counter.requests({ operation: "PutItem", table: fixture.store.names.timeseries }),
    ).toBe(
      fixture.store.counter.requests({ operation: "DeleteItem", table: fixture.store.names.timeseries }),
    );
  });

  it("a restated day updates that day, its daily and its monthly rollup, and nothing else", async () => {
    const day = addDays(TODAY, -3);
    const month = monthOf(day);
    const before = await fixture.stores.costRecords.getHeaders([
      { clientId: CLIENT, provider: "AZURE", date: day },
    ]);
    const [monthlyBefore] = await fixture.stored.monthlyRollups(CLIENT, [month]);
    fixture.datasets.AZURE.restate([day]);

    const job = await fixture.collect(CLIENT, { start: addDays(day, -1), end: day });
    expect(job.status).toBe("SUCCEEDED");
    const written = Object.fromEntries(job.providers.map((p) => [p.provider, p.recordsWritten]));
    expect(written).toEqual({ AWS: 0, GCP: 0, AZURE: 1 });

    const [after] = await fixture.stores.costRecords.getHeaders([
      { clientId: CLIENT, provider: "AZURE", date: day },
    ]);
    const expected = expectedUsd("AZURE", day, day);
    expect(after?.total).not.toBeCloseTo(before[0]?.total ?? 0, 2);
    expect(Math.abs((after?.total ?? 0) - expected)).toBeLessThan(0.005);
    expect(after?.version).toBe((before[0]?.version ?? 0) + 1);

    const [daily] = await fixture.stored.dailyRollups(CLIENT, [day]);
    expect(daily?.byProvider.AZURE).toBeCloseTo(after?.total ?? Number.NaN, 8);
    const [monthly] = await fixture.stored.monthlyRollups(CLIENT, [month]);
    for (const provider of CLOUD_PROVIDERS) {
      const sum = await storedTotal(
        provider,
        firstDayOfMonth(month),
        lastDayOfMonth(month) > TODAY ? TODAY : lastDayOfMonth(month),
      );
      expect(monthly?.byProvider[provider]).toBeCloseTo(sum, 6);
    }
    expect((monthly?.total ?? 0) - (monthlyBefore?.total ?? 0)).toBeCloseTo(
      (after?.total ?? 0) - (before[0]?.total ?? 0),
      6,
    );
    expect(monthly?.recordCount).toBe(monthlyBefore?.recordCount);
  });

  it("refreshes the trailing days, picking up what the providers restated", async () => {
    const days = daysInRange(addDays(TODAY, -2), TODAY);
    for (const provider of CLOUD_PROVIDERS) fixture.datasets[provider].restate(days);
    const queued = await fixture.service.refreshRecentDays(CLIENT, 3);
    expect(queued.period).toEqual({ start: days[0], end: TODAY });
    const job = await fixture.service.waitForJob(queued.id);
    expect(job?.status).toBe("SUCCEEDED");
    expect(job?.providers.map((p) => p.recordsWritten)).toEqual([3, 3, 3]);
    for (const provider of CLOUD_PROVIDERS) {
      expect(
        Math.abs(
          (await storedTotal(provider, days[0] ?? TODAY, TODAY)) -
            expectedUsd(provider, days[0] ?? TODAY, TODAY),
        ),
      ).toBeLessThan(0.005);
    }
  });

  it("flags a missing exchange rate on the record instead of converting at 1.0", async () => {
    await fixture.connectedClient("yen-client", "JPY", ["AZURE"]);
    const job = await fixture.collect("yen-client", { start: addDays(TODAY, -1), end: TODAY });
    expect(job.status).toBe("SUCCEEDED");
    const record = await fixture.stores.costRecords.getRecord("yen-client", "AZURE", TODAY);
    expect(record?.lines.length).toBeGreaterThan(0);
    expect(record?.lines.every((line) => line.cost === null)).toBe(true);
    expect(record?.total).toBe(0);
    expect(record?.billedTotals[0]?.amount).toBeGreaterThan(0);
    expect(record?.dataQuality.issues.join(" ")).toMatch(/no exchange rate for EUR->JPY/);
    expect(record?.dataQuality.confidence).not.toBe("HIGH");
  });
});
