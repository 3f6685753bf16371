/**
 * Twelve small extra tenants beside `demo`, so the portfolio has something to rank: each spends on
 * one or two clouds at its own level and trend, day by day, over last month and this month to date.
 * Their days are built by the domain's normalizer and written by the cost store directly (no
 * simulator round trip: a collection per tenant would multiply the sandbox's start-up time), from
 * a seed, so a restart writes nothing new (unchanged content is never rewritten).
 */
import type { IsoDay, ProviderCostLine } from "../domain/cost-record.js";
import { createExchangeRateTable } from "../domain/currency.js";
import { addMonths, daysInRange, firstDayOfMonth, monthOf, toEpochDay } from "../domain/dates.js";
import { SYSTEM } from "../domain/identity.js";
import { buildCostRecords } from "../domain/normalize.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../domain/provider.js";
import type { Tenants } from "../application/tenants.js";
import type { CostRecordStore } from "../store/cost-record-store.js";
import { mixSeed, mulberry32 } from "./seeded-random.js";

const TENANT_NAMES = [
  "Northwind Traders",
  "Fabrikam Health",
  "Tailspin Toys",
  "Wide World Importers",
  "Litware Labs",
  "Adventure Works",
  "Proseware Media",
  "Margie's Travel",
  "Woodgrove Bank",
  "Coho Vineyard",
  "Lucerne Publishing",
  "Alpine Ski House",
];

/** Two services a cloud bills most tenants for (the normalizer categorizes them). */
const SERVICES: Record<CloudProvider, [string, string]> = {
  AWS: ["Amazon Elastic Compute Cloud - Compute", "Amazon Simple Storage Service"],
  GCP: ["Compute Engine", "Cloud Storage"],
  AZURE: ["Virtual Machines", "Storage"],
};

const CLOUD_MIXES: CloudProvider[][] = [["AWS"], ["GCP"], ["AZURE"], ["AWS", "GCP"], ["AWS", "AZURE"]];

export interface PortfolioTenant {
  id: string;
  name: string;
  providers: CloudProvider[];
  /** Daily spend at the start of the period, in USD. */
  level: number;
  /** Growth over 30 days: 0.25 = a quarter more by the end of a month. */
  monthlyGrowth: number;
  seed: number;
}

export const PORTFOLIO_TENANTS: readonly PortfolioTenant[] = TENANT_NAMES.map((name, index) => {
  const random = mulberry32(mixSeed(0x9f0, index));
  return {
    id: name.toLowerCase().replace(/[^a-z0-9]+/g, "-"),
    name,
    providers: CLOUD_MIXES[index % CLOUD_MIXES.length]!,
    level: Math.round(40 + 1500 * random() ** 2),
    monthlyGrowth: Math.round((-0.2 + 0.6 * random()) * 100) / 100,
    seed: index + 1,
  };
});

/** One tenant's days of one cloud: two services in one account and region, with a trend and noise. */
function tenantRecords(tenant: PortfolioTenant, provider: CloudProvider, days: IsoDay[], now: Date) {
  const first = toEpochDay(days[0]!);
  const lines: ProviderCostLine[] = days.flatMap((date) => {
    const random = mulberry32(mixSeed(tenant.seed, CLOUD_PROVIDERS.indexOf(provider), toEpochDay(date)));
    const trend = (1 + tenant.monthlyGrowth) ** ((toEpochDay(date) - first) / 30);
    const daily = (tenant.level / tenant.providers.length) * trend * (0.9 + 0.2 * random());
    return SERVICES[provider].map((serviceName, i) => ({
      date,
      serviceName,
      accountId: `${tenant.id}-${provider.toLowerCase()}`,
      region: "global",
      chargeCategory: "Usage" as const,
      billedCost: Math.round(daily * (i === 0 ? 0.7 : 0.3) * 100) / 100,
      billingCurrency: "USD",
      estimated: false,
    }));
  });
  return buildCostRecords({
    clientId: tenant.id,
    provider,
    reportingCurrency: "USD",
    lines,
    daysCovered: days,
    rates: createExchangeRateTable([]),
    collection: {
      jobId: "sandbox-portfolio",
      collectedAt: now.toISOString(),
      sourceApi: "sandbox:portfolio",
      apiRequests: 0,
    },
    now,
  });
}

/**
 * Creates the tenants that are missing and writes their days from last month's 1st to `today`, one
 * tenant at a time so that `signal` (the sandbox stopping) ends it between two tenants.
 */
export async function seedPortfolioTenants(options: {
  tenants: Tenants;
  costs: CostRecordStore;
  today: IsoDay;
  now: Date;
  signal?: AbortSignal;
}): Promise<void> {
  const days = daysInRange(firstDayOfMonth(addMonths(monthOf(options.today), -1)), options.today);
  for (const tenant of PORTFOLIO_TENANTS) {
    if (options.signal?.aborted) return;
    if (!(await options.tenants.client(SYSTEM, tenant.id))) {
      await options.tenants.createClient(SYSTEM, {
        id: tenant.id,
        name: tenant.name,
        reportingCurrency: "USD",
      });
    }
    await options.costs.upsertDays(
      tenant.providers.flatMap((provider) => tenantRecords(tenant, provider, days, options.now)),
    );
  }
}
