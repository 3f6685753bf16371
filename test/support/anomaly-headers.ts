/**
 * Synthetic record headers for the anomaly tests: a tenant is a list of cost components (one joint
 * provider x service x account x region line each, with a base daily cost, a weekly profile and
 * multiplicative noise), built day by day through the domain's own normalizer, so totals and
 * marginal breakdowns are consistent. Events scale or add to the components they match; extra
 * lines (credits, taxes) and monthly exchange rates are per test. `replay` plays the caller: it
 * evaluates each day in order against the anomalies it stored so far.
 */
import type {
  CostRecordHeader,
  IsoDay,
  ProviderCostLine,
  UnifiedCostRecord,
} from "../../src/domain/cost-record.js";
import { createExchangeRateTable } from "../../src/domain/currency.js";
import { addDays, addMonths, daysInRange, isoWeekday, monthOf } from "../../src/domain/dates.js";
import { buildCostRecords } from "../../src/domain/normalize.js";
import { mulberry32 } from "../../src/sandbox/seeded-random.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import {
  detectAnomalies,
  type AnomalySettings,
  type DetectedAnomaly,
  type DetectionResult,
  type SuppressionRule,
} from "../../src/insights/anomaly-detection.js";

export interface Component {
  provider: CloudProvider;
  service: string;
  account: string;
  accountName?: string;
  region: string;
  /** Mean daily cost in the billing currency. */
  base: number;
  /** Multipliers Monday..Sunday (default flat). */
  weekly?: readonly number[];
  /** Relative standard deviation of the daily noise (default 0.05). */
  noise?: number;
  currency?: string;
}

export interface CostEvent {
  from: IsoDay;
  days: number;
  match: { provider?: CloudProvider; service?: string; account?: string; region?: string };
  /** Multiplies the matching components. */
  factor?: number;
  /** Adds this much per day, shared out evenly over the matching components. */
  add?: number;
}

export interface TenantSpec {
  clientId: string;
  start: IsoDay;
  days: number;
  components: readonly Component[];
  seed?: number;
  events?: readonly CostEvent[];
  /** More lines of a day (credits, taxes), per provider. */
  extraLines?: (
    day: IsoDay,
  ) => { provider: CloudProvider; line: Omit<ProviderCostLine, "date" | "estimated"> }[];
  /** EUR->USD rate of a month (default 1.08). */
  eurRate?: (month: string) => number;
}

export const WEEKDAYS_BUSY = [1.1, 1.15, 1.15, 1.1, 1.05, 0.75, 0.7];

export function gaussian(uniform: () => number): () => number {
  return () => {
    const u = Math.max(uniform(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
}

const matches = (component: Component, match: CostEvent["match"]): boolean =>
  (!match.provider || match.provider === component.provider) &&
  (!match.service || match.service === component.service) &&
  (!match.account || match.account === component.account) &&
  (!match.region || match.region === component.region);

function within(event: CostEvent, day: IsoDay): boolean {
  return day >= event.from && day < addDays(event.from, event.days);
}

/** The provider lines of every day and provider, before normalization. */
export function tenantLines(spec: TenantSpec): Map<IsoDay, Map<CloudProvider, ProviderCostLine[]>> {
  const normal = gaussian(mulberry32(spec.seed ?? 1));
  const byDay = new Map<IsoDay, Map<CloudProvider, ProviderCostLine[]>>();
  for (const day of daysInRange(spec.start, addDays(spec.start, spec.days - 1))) {
    const lines = new Map<CloudProvider, ProviderCostLine[]>();
    const push = (provider: CloudProvider, line: ProviderCostLine) =>
      lines.set(provider, [...(lines.get(provider) ?? []), line]);
    const weekday = isoWeekday(day) - 1;
    const active = (spec.events ?? []).filter((event) => within(event, day));
    for (const component of spec.components) {
      const noise = 1 + (component.noise ?? 0.05) * normal();
      let amount = component.base * (component.weekly?.[weekday] ?? 1) * Math.max(0.05, noise);
      for (const event of active) {
        if (!matches(component, event.match)) continue;
        if (event.factor !== undefined) amount *= event.factor;
        if (event.add !== undefined)
          amount += event.add / spec.components.filter((c) => matches(c, event.match)).length;
      }
      push(component.provider, {
        date: day,
        serviceName: component.service,
        accountId: component.account,
        ...(component.accountName ? { accountName: component.accountName } : {}),
        region: component.region,
        chargeCategory: "Usage",
        billedCost: Math.round(amount * 1e6) / 1e6,
        billingCurrency: component.currency ?? "USD",
        estimated: false,
      });
    }
    for (const extra of spec.extraLines?.(day) ?? [])
      push(extra.provider, { ...extra.line, date: day, estimated: false });
    byDay.set(day, lines);
  }
  return byDay;
}

export interface RecordOptions {
  clientId: string;
  provider: CloudProvider;
  day: IsoDay;
  lines: readonly ProviderCostLine[];
  eurRate?: (month: string) => number;
  collectedAt?: string;
  version?: number;
  estimated?: boolean;
}

/** The day's header, as stored (without its lines). */
export function header(options: RecordOptions): CostRecordHeader {
  const { lines: _lines, ...rest } = record(options);
  return rest;
}

/** The day's whole record, lines included (what a store test upserts). */
export function record(options: RecordOptions): UnifiedCostRecord {
  const month = monthOf(options.day);
  const rates = createExchangeRateTable(
    [addMonths(month, -1), month].map((m) => ({
      month: m,
      from: "EUR",
      to: "USD",
      rate: options.eurRate?.(m) ?? 1.08,
      source: `test-${m}`,
    })),
  );
  const collectedAt = options.collectedAt ?? `${addDays(options.day, 1)}T06:00:00.000Z`;
  const [built] = buildCostRecords({
    clientId: options.clientId,
    provider: options.provider,
    reportingCurrency: "USD",
    lines: options.lines.map((line) => ({ ...line, estimated: options.estimated ?? false })),
    daysCovered: [options.day],
    rates,
    collection: { jobId: "job", collectedAt, sourceApi: "test", apiRequests: 1 },
    now: new Date(collectedAt),
  });
  if (!built) throw new Error(`no record for ${options.day}`);
  return { ...built, version: options.version ?? 1 };
}

/** Every header of the tenant: one per provider with components and day. */
export function tenantHeaders(spec: TenantSpec): CostRecordHeader[] {
  const headers: CostRecordHeader[] = [];
  for (const [day, providers] of tenantLines(spec)) {
    for (const [provider, lines] of providers)
      headers.push(header({ clientId: spec.clientId, provider, day, lines, eurRate: spec.eurRate }));
  }
  return headers;
}

/** Headers by day, for quick windows. */
export function byDay(headers: readonly CostRecordHeader[]): Map<IsoDay, CostRecordHeader[]> {
  const days = new Map<IsoDay, CostRecordHeader[]>();
  for (const h of headers) days.set(h.date, [...(days.get(h.date) ?? []), h]);
  return days;
}

export function windowOf(
  days: Map<IsoDay, CostRecordHeader[]>,
  day: IsoDay,
  historyDays = 56,
): CostRecordHeader[] {
  const records: CostRecordHeader[] = [];
  for (let i = historyDays; i >= 0; i--) records.push(...(days.get(addDays(day, -i)) ?? []));
  return records;
}

export interface Replay {
  /** Every anomaly stored at the end, by id. */
  store: Map<string, DetectedAnomaly>;
  /** Each day's result. */
  results: Map<IsoDay, DetectionResult>;
}

/** Evaluates each day of [from, to] in order, like the caller does, keeping the store up to date. */
export function replay(
  headers: readonly CostRecordHeader[],
  options: {
    clientId: string;
    from: IsoDay;
    to: IsoDay;
    settings?: Partial<AnomalySettings>;
    suppressed?: (day: IsoDay, store: Map<string, DetectedAnomaly>) => SuppressionRule[];
    store?: Map<string, DetectedAnomaly>;
  },
): Replay {
  const days = byDay(headers);
  const store = options.store ?? new Map<string, DetectedAnomaly>();
  const results = new Map<IsoDay, DetectionResult>();
  for (const day of daysInRange(options.from, options.to)) {
    const result = evaluateDay(days, store, {
      clientId: options.clientId,
      day,
      settings: options.settings,
      suppressed: options.suppressed?.(day, store) ?? [],
    });
    results.set(day, result);
  }
  return { store, results };
}

/** One evaluation against the store, applied to it. */
export function evaluateDay(
  days: Map<IsoDay, CostRecordHeader[]>,
  store: Map<string, DetectedAnomaly>,
  options: {
    clientId: string;
    day: IsoDay;
    settings?: Partial<AnomalySettings>;
    suppressed?: SuppressionRule[];
    previous?: CostRecordHeader[];
  },
): DetectionResult {
  const { day } = options;
  const recent = [...store.values()].filter((a) => a.lastDay >= addDays(day, -7) && a.date <= day);
  const result = detectAnomalies({
    clientId: options.clientId,
    currency: "USD",
    day,
    records: windowOf(days, day, options.settings?.historyDays ?? 56),
    previous: options.previous,
    recent,
    suppressed: options.suppressed ?? [],
    settings: options.settings,
  });
  for (const anomaly of result.anomalies) store.set(anomaly.id, anomaly);
  for (const id of result.resolved) store.delete(id);
  return result;
}

/**
 * A tenant on three clouds: AWS (three accounts, six services, two regions), GCP (two projects, four
 * services) and Azure billed in EUR; 24 components from $15 to $1,600 a day, busy on weekdays.
 */
export function standardComponents(noise = 0.06): Component[] {
  const c = (
    provider: CloudProvider,
    service: string,
    account: string,
    region: string,
    base: number,
    extra: Partial<Component> = {},
  ): Component => ({ provider, service, account, region, base, weekly: WEEKDAYS_BUSY, noise, ...extra });
  const flat = { weekly: undefined };
  return [
    c("AWS", "Amazon Elastic Compute Cloud - Compute", "111111111111", "us-east-1", 1600, {
      accountName: "Production",
    }),
    c("AWS", "Amazon Elastic Compute Cloud - Compute", "222222222222", "us-east-1", 420, {
      accountName: "Staging",
    }),
    c("AWS", "Amazon Elastic Compute Cloud - Compute", "333333333333", "eu-west-1", 260, {
      accountName: "Data",
    }),
    c("AWS", "Amazon Simple Storage Service", "111111111111", "us-east-1", 310, {
      ...flat,
      noise: noise / 2,
    }),
    c("AWS", "Amazon Simple Storage Service", "333333333333", "eu-west-1", 180, {
      ...flat,
      noise: noise / 2,
    }),
    c("AWS", "Amazon Relational Database Service", "111111111111", "us-east-1", 540, flat),
    c("AWS", "Amazon Relational Database Service", "333333333333", "eu-west-1", 150, flat),
    c("AWS", "AWS Lambda", "111111111111", "us-east-1", 45),
    c("AWS", "AWS Lambda", "222222222222", "us-east-1", 15),
    c("AWS", "Amazon CloudFront", "111111111111", "us-east-1", 95),
    c("AWS", "Amazon DynamoDB", "222222222222", "us-east-1", 70),
    c("GCP", "Compute Engine", "acme-prod", "us-central1", 700),
    c("GCP", "Compute Engine", "acme-data", "europe-west1", 240),
    c("GCP", "BigQuery", "acme-data", "europe-west1", 380, { noise: noise * 2 }),
    c("GCP", "Cloud Storage", "acme-prod", "us-central1", 120, { ...flat, noise: noise / 2 }),
    c("GCP", "Cloud Storage", "acme-data", "europe-west1", 90, { ...flat, noise: noise / 2 }),
    c("GCP", "Cloud SQL", "acme-prod", "us-central1", 160, flat),
    c("AZURE", "Virtual Machines", "sub-prod", "westeurope", 520, { currency: "EUR" }),
    c("AZURE", "Virtual Machines", "sub-prod", "northeurope", 130, { currency: "EUR" }),
    c("AZURE", "Storage", "sub-prod", "westeurope", 110, { ...flat, currency: "EUR", noise: noise / 2 }),
    c("AZURE", "Azure Cosmos DB", "sub-prod", "westeurope", 210, { ...flat, currency: "EUR" }),
    c("AZURE", "Bandwidth", "sub-prod", "westeurope", 40, { currency: "EUR" }),
    c("AZURE", "Azure SQL Database", "sub-prod", "northeurope", 190, { ...flat, currency: "EUR" }),
    c("AZURE", "Azure Monitor", "sub-prod", "westeurope", 25, { currency: "EUR" }),
  ];
}
