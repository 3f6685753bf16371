/**
 * Realistic unified cost records for store and API tests, built through the domain's own
 * normalizer (buildCostRecords) so totals, marginal breakdowns and data quality are consistent:
 * a few real services, accounts and regions per cloud, a credit, a monthly tax line, a tiny
 * amount, an account name in non-Latin script, and EUR billing (converted) for Azure.
 */
import type { IsoDay, ProviderCostLine, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { createExchangeRateTable } from "../../src/domain/currency.js";
import { addDays, addMonths } from "../../src/domain/dates.js";
import { buildCostRecords } from "../../src/domain/normalize.js";
import type { CloudProvider } from "../../src/domain/provider.js";

interface CloudCatalog {
  currency: string;
  services: string[];
  accounts: { id: string; name?: string }[];
  regions: string[];
}

const CATALOG: Record<CloudProvider, CloudCatalog> = {
  AWS: {
    currency: "USD",
    services: [
      "Amazon Elastic Compute Cloud - Compute",
      "Amazon Simple Storage Service",
      "Amazon Relational Database Service",
      "AWS Lambda",
      "Amazon CloudFront",
    ],
    accounts: [
      { id: "111122223333", name: "Production" },
      { id: "444455556666", name: "Müller Analytics – 東京" },
    ],
    regions: ["us-east-1", "eu-central-1"],
  },
  GCP: {
    currency: "USD",
    services: ["Compute Engine", "Cloud Storage", "BigQuery", "Cloud SQL"],
    accounts: [{ id: "acme-prod-4821", name: "acme-prod" }, { id: "acme-data-1177" }],
    regions: ["us-central1", "europe-west1"],
  },
  AZURE: {
    currency: "EUR",
    services: ["Virtual Machines", "Storage", "Azure Cosmos DB", "Bandwidth"],
    accounts: [{ id: "8f5b2c1e-3a4d-4e6f-9b7a-1c2d3e4f5a6b", name: "Contoso Production" }],
    regions: ["westeurope", "northeurope"],
  },
};

export interface RecordOptions {
  clientId: string;
  provider: CloudProvider;
  date: IsoDay;
  /** Changes every amount deterministically (a restated day); 1 = the baseline. */
  scale?: number;
  /** Keeps only the first n services (a smaller restatement). */
  serviceCount?: number;
  jobId?: string;
  collectedAt?: string;
}

/** A stable pseudo-random amount per (day, service, account, region), 2..200 with 10 decimals. */
function amountFor(seed: string): number {
  let hash = 2166136261;
  for (const char of seed) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return Math.round((2 + (hash % 19_800) / 100 + (hash % 97) / 1e7) * 1e10) / 1e10;
}

export function providerLinesFor(options: RecordOptions): ProviderCostLine[] {
  const cloud = CATALOG[options.provider];
  const scale = options.scale ?? 1;
  const base = { date: options.date, billingCurrency: cloud.currency, estimated: false };
  const lines: ProviderCostLine[] = [];
  for (const serviceName of cloud.services.slice(0, options.serviceCount ?? cloud.services.length)) {
    for (const account of cloud.accounts) {
      for (const region of cloud.regions) {
        lines.push({
          ...base,
          serviceName,
          accountId: account.id,
          ...(account.name ? { accountName: account.name } : {}),
          region,
          chargeCategory: "Usage",
          billedCost:
            Math.round(amountFor(`${options.date}|${serviceName}|${account.id}|${region}`) * scale * 1e10) /
            1e10,
          usageQuantity: 24,
          usageUnit: "Hrs",
        });
      }
    }
  }
  const [firstService = "", ...rest] = cloud.services;
  const account = cloud.accounts[0] ?? { id: "" };
  const region = cloud.regions[0] ?? "";
  lines.push(
    {
      ...base,
      serviceName: firstService,
      accountId: account.id,
      region,
      chargeCategory: "Credit",
      billedCost: -3.25 * scale,
    },
    // A tiny amount as the FOCUS sample has them (fractions of a cent survive storage exactly).
    {
      ...base,
      serviceName: rest[0] ?? firstService,
      accountId: account.id,
      region: "global",
      chargeCategory: "Usage",
      billedCost: 0.0000008,
    },
  );
  if (options.date.endsWith("-01")) {
    lines.push({
      ...base,
      serviceName: "Tax",
      accountId: account.id,
      region: "",
      chargeCategory: "Tax",
      billedCost: 12.5 * scale,
    });
  }
  return lines;
}

const RATES = createExchangeRateTable(
  Array.from({ length: 48 }, (_, i) => addMonths("2024-01", i)).map((month) => ({
    month,
    from: "EUR",
    to: "USD",
    rate: 1.0832,
    source: `ecb-monthly-${month}`,
  })),
);

/** One consistent record for (client, provider, day), reporting in USD. */
export function costRecord(options: RecordOptions): UnifiedCostRecord {
  const collectedAt = options.collectedAt ?? `${addDays(options.date, 3)}T06:00:00.000Z`;
  const [record] = buildCostRecords({
    clientId: options.clientId,
    provider: options.provider,
    reportingCurrency: "USD",
    lines: providerLinesFor(options),
    daysCovered: [options.date],
    rates: RATES,
    collection: {
      jobId: options.jobId ?? "job-1",
      collectedAt,
      sourceApi: `${options.provider.toLowerCase()}:test`,
      apiRequests: 1,
    },
    now: new Date(collectedAt),
  });
  if (!record) throw new Error(`no record built for ${options.date}`);
  return record;
}

/** `count` consecutive days from `start`, one record each. */
export function costRecords(
  base: Omit<RecordOptions, "date">,
  start: IsoDay,
  count: number,
): UnifiedCostRecord[] {
  return Array.from({ length: count }, (_, i) => costRecord({ ...base, date: addDays(start, i) }));
}

/**
 * A day far beyond one 400 KB item: `services` distinct services, each billed to two accounts
 * (2 x services lines), so the lines need several chunks and the marginal lists leave the header.
 */
export function hugeCostRecord(clientId: string, date: IsoDay, services: number): UnifiedCostRecord {
  const accounts = ["210987654321", "123456789012"];
  const lines: ProviderCostLine[] = Array.from({ length: services }, (_, s) =>
    accounts.map((accountId) => ({
      date,
      serviceName: `Custom Service ${String(s).padStart(5, "0")} – ünïcode`,
      accountId,
      region: `region-${s % 17}`,
      chargeCategory: "Usage" as const,
      billedCost: amountFor(`${date}|${s}|${accountId}`),
      billingCurrency: "USD",
      estimated: false,
    })),
  ).flat();
  const collectedAt = `${addDays(date, 3)}T06:00:00.000Z`;
  const [record] = buildCostRecords({
    clientId,
    provider: "AWS",
    reportingCurrency: "USD",
    lines,
    daysCovered: [date],
    rates: RATES,
    collection: { jobId: "job-huge", collectedAt, sourceApi: "aws:test", apiRequests: 40 },
    now: new Date(collectedAt),
  });
  if (!record) throw new Error(`no record built for ${date}`);
  return record;
}
