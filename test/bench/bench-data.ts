/**
 * The read path's data: unified records built by the domain's own normalizer (buildCostRecords)
 * from the sandbox's seeded billing datasets, about 40 services, 10 accounts and 8 regions a day.
 * One dataset per provider is normalized once and every client gets a copy under its own id:
 * normalizing 24,000 days separately would take a minute of CPU and change nothing the read path
 * measures (items, sizes, counts).
 */
import { readFileSync } from "node:fs";
import { parseExchangeRates } from "../../src/collection/exchange-rates.js";
import { SANDBOX_EXCHANGE_RATES_FILE } from "../../src/sandbox/exchange-rates.js";
import { createExchangeRateTable } from "../../src/domain/currency.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import { buildCostRecords } from "../../src/domain/normalize.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import type { IsoDay, ProviderCostLine, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { createBillingDataset, type SimulatedLine } from "../../src/sandbox/billing-dataset.js";
import type { CostRecordStore } from "../../src/store/cost-record-store.js";
import { timed } from "./measure.js";

/** The read path's last day of data (fixed, so runs compare; inside the sandbox's exchange rates). */
export const DATASET_END: IsoDay = "2026-03-20";
export const DATASET_SIZE = { services: 40, accounts: 10, regions: 8 };
const BILLING_CURRENCY: Record<CloudProvider, string> = { AWS: "USD", GCP: "USD", AZURE: "EUR" };
const SEEDS: Record<CloudProvider, number> = { AWS: 101, GCP: 202, AZURE: 303 };
/** Long enough that no benchmark day expires (TTL) while it runs. */
const RETENTION_DAYS = 3650;

const RATES = createExchangeRateTable(
  parseExchangeRates(JSON.parse(readFileSync(SANDBOX_EXCHANGE_RATES_FILE, "utf8"))),
);

/** A simulator row as a provider line: GCP credits netted into the cost, as its total counts them. */
function providerLine(line: SimulatedLine, estimated: boolean): ProviderCostLine {
  const credits = (line.credits ?? []).reduce((sum, credit) => sum + credit.amount, 0);
  return {
    date: line.date,
    serviceName: line.serviceName,
    ...(line.serviceId ? { serviceId: line.serviceId } : {}),
    ...(line.usageType ? { usageType: line.usageType } : {}),
    accountId: line.accountId,
    accountName: line.accountName,
    region: line.region,
    chargeCategory: line.chargeCategory,
    billedCost: line.cost + credits,
    billingCurrency: line.currency,
    ...(line.usageQuantity === undefined ? {} : { usageQuantity: line.usageQuantity }),
    ...(line.usageUnit ? { usageUnit: line.usageUnit } : {}),
    estimated,
  };
}

/** One provider's records for the days, normalized in USD for `clientId`. */
export function providerRecords(
  clientId: string,
  provider: CloudProvider,
  days: IsoDay[],
): UnifiedCostRecord[] {
  const dataset = createBillingDataset({
    provider,
    currency: BILLING_CURRENCY[provider],
    seed: SEEDS[provider],
    today: DATASET_END,
    ...DATASET_SIZE,
  });
  const collectedAt = `${addDays(DATASET_END, 1)}T06:00:00.000Z`;
  return buildCostRecords({
    clientId,
    provider,
    reportingCurrency: "USD",
    lines: days.flatMap((day) =>
      dataset.linesForDay(day).map((line) => providerLine(line, dataset.isEstimated(day))),
    ),
    daysCovered: days,
    rates: RATES,
    collection: {
      jobId: "bench-load",
      collectedAt,
      sourceApi: `${provider.toLowerCase()}:bench`,
      apiRequests: 1,
    },
    retentionDays: RETENTION_DAYS,
    now: new Date(collectedAt),
  });
}

const PROGRESS_EVERY = 2_000;

export const benchClientId = (index: number) => `client-${String(index).padStart(3, "0")}`;

/** The days of data: `days` days ending at DATASET_END. */
export const datasetDays = (days: number) => daysInRange(addDays(DATASET_END, 1 - days), DATASET_END);

export interface LoadedDataset {
  clientIds: string[];
  records: number;
  /** Day records per client and provider. */
  days: number;
  buildSeconds: number;
  writeSeconds: number;
}

/**
 * Upserts every (client, provider, day) through CostRecordStore.upsertDays, which also maintains
 * the rollups. Records are ordered so neighbours belong to different clients: concurrent
 * transactions then touch different rollup items and do not conflict.
 */
export async function loadReadDataset(
  costs: CostRecordStore,
  options: {
    clients: number;
    days: number;
    concurrency?: number;
    onProgress?: (written: number, total: number) => void;
  },
): Promise<LoadedDataset> {
  const clientIds = Array.from({ length: options.clients }, (_, i) => benchClientId(i));
  const days = datasetDays(options.days);
  const build = await timed(async () =>
    CLOUD_PROVIDERS.map((provider) => providerRecords("template", provider, days)),
  );
  const ordered: UnifiedCostRecord[] = [];
  for (let day = 0; day < days.length; day++) {
    for (const templates of build.result) {
      const template = templates[day];
      if (!template) continue;
      for (const clientId of clientIds) ordered.push({ ...template, clientId });
    }
  }
  const write = await timed(async () => {
    for (let done = 0; done < ordered.length; done += PROGRESS_EVERY) {
      await costs.upsertDays(ordered.slice(done, done + PROGRESS_EVERY), {
        concurrency: options.concurrency ?? 16,
      });
      options.onProgress?.(Math.min(done + PROGRESS_EVERY, ordered.length), ordered.length);
    }
  });
  return {
    clientIds,
    records: ordered.length,
    days: days.length,
    buildSeconds: build.seconds,
    writeSeconds: write.seconds,
  };
}
