/**
 * Every daily series of one client that anomaly detection judges, built from record headers over a
 * window of days ending on the evaluated day: the client's total, each provider's total, each
 * provider's accounts, services, regions and service categories, and each service category over
 * every provider; beside them each provider's charge categories (Usage, Credit, Tax, ...) and its
 * factor to today's exchange rates, which the cause test reads.
 *
 * Amounts are in the reporting currency at the evaluated day's exchange rates: a day billed in
 * another currency is converted at today's rate instead of its own (billed totals at today's rate /
 * at that day's), so a rate change moves no series and only a change of the billed amounts does.
 * Where that differs, `reported` keeps the amounts as stored (each day at its own rate), for the
 * exchange-rate test of the day a rate changes.
 *
 * A day counts as an observation of a provider's series only when the provider has a record that
 * day (then an account without cost that day is a 0); a day without a record is NaN, never a zero.
 * Client-level series add up the providers that have a record on the evaluated day and enough
 * history, and observe a day only when all of them have one.
 */
import type { ChargeCategory, CostRecordHeader, IsoDay } from "../domain/cost-record.js";
import type { CostDimension } from "../domain/aggregation.js";
import { addDays, toEpochDay } from "../domain/dates.js";
import { CLOUD_PROVIDERS, PROVIDER_LABELS, type CloudProvider } from "../domain/provider.js";
import { anomalyScopeKey, TOTAL_SCOPE_KEY } from "./anomaly-ids.js";

/** One series: a scope and its values, index 0 the first day of the window, the last index the evaluated day. */
export interface SeriesNode {
  /** anomalyScopeKey of the scope. */
  key: string;
  /** null for the client's total and the client-level service categories. */
  provider: CloudProvider | null;
  /** null for the client's total. */
  dimension: CostDimension | null;
  /** The scope key as the API shows it (null for the total). */
  itemKey: string | null;
  label: string;
  /** The name inside its provider and dimension (service name, account id, region, category). */
  raw: string;
  /** For a service: its category (root causes of a client-level category list its services). */
  serviceCategory: string | null;
  /** At the evaluated day's exchange rates. */
  values: Float64Array;
  /** As stored (each day at its own rates) when that differs from `values`, else null. */
  reported: Float64Array | null;
  /** Provider-level parts of a client-level series (provider totals, provider categories). */
  parts: readonly SeriesNode[] | null;
}

export interface ProviderSeries {
  provider: CloudProvider;
  total: SeriesNode;
  /** Accounts, services, regions and service categories. */
  items: SeriesNode[];
  categories: Map<string, SeriesNode>;
  /** Charge-category amounts per day at the evaluated day's rates (NaN without a record). */
  charges: Map<ChargeCategory, Float64Array>;
  /** Days of the history (before the evaluated day) with a record. */
  observations: number;
  /** The record of the evaluated day, if any. */
  current: CostRecordHeader | undefined;
  /**
   * Per day, the factor that turned its stored amounts into amounts at the evaluated day's exchange
   * rates (billed totals at today's rates / at that day's rates); null when the rates never moved.
   */
  atTodaysRates: Float64Array | null;
  /** True when the evaluated day's rates differ from those of the provider's previous record. */
  rateChanged: boolean;
}

export interface ClientSeries {
  start: IsoDay;
  day: IsoDay;
  /** Days in the window; the evaluated day is index length - 1. */
  length: number;
  providers: ProviderSeries[];
  /** Providers the client-level series add up. */
  clientProviders: CloudProvider[];
  total: SeriesNode | null;
  clientCategories: SeriesNode[];
  /** Every series by key. */
  nodes: Map<string, SeriesNode>;
}

export interface SeriesWindow {
  day: IsoDay;
  historyDays: number;
  /** A provider with fewer observed days is left out of the client-level sums. */
  minHistoryDays: number;
  /** Series whose every value stays under this in absolute terms are left out (they cannot move enough to matter). */
  negligible: number;
}

const ITEM_DIMENSIONS = ["ACCOUNT", "SERVICE", "REGION", "SERVICE_CATEGORY"] as const;
type ItemDimension = (typeof ITEM_DIMENSIONS)[number];

function itemKeyOf(provider: CloudProvider, dimension: ItemDimension, raw: string): string {
  return dimension === "SERVICE_CATEGORY" ? raw : `${provider}|${raw}`;
}

function newNode(
  provider: CloudProvider,
  dimension: ItemDimension,
  raw: string,
  label: string,
  template: Float64Array,
): SeriesNode {
  const itemKey = itemKeyOf(provider, dimension, raw);
  return {
    key: anomalyScopeKey(provider, { dimension, key: itemKey }),
    provider,
    dimension,
    itemKey,
    label,
    raw,
    serviceCategory: null,
    values: template.slice(),
    reported: null,
    parts: null,
  };
}

/** The newest version per (provider, day): highest version, then latest collection. */
function newest(a: CostRecordHeader, b: CostRecordHeader): CostRecordHeader {
  if (a.version !== b.version) return a.version > b.version ? a : b;
  return a.collection.collectedAt >= b.collection.collectedAt ? a : b;
}

function rateOf(record: CostRecordHeader, currency: string): number | undefined {
  if (currency === record.reportingCurrency) return 1;
  for (const rate of record.exchangeRates) if (rate.from === currency) return rate.rate;
  return undefined;
}

/** The factor to today's rates per day, null when it is 1 on every day. */
function factorsToTodaysRates(records: readonly (CostRecordHeader | undefined)[]): Float64Array | null {
  let reference: CostRecordHeader | undefined;
  for (let i = records.length - 1; i >= 0 && !reference; i--) reference = records[i];
  if (!reference) return null;
  const factors = new Float64Array(records.length).fill(1);
  let moved = false;
  records.forEach((record, index) => {
    if (!record) return;
    let atToday = 0;
    let atThen = 0;
    for (const billed of record.billedTotals) {
      const then = rateOf(record, billed.currency);
      const today = rateOf(reference, billed.currency) ?? then;
      if (then === undefined || today === undefined) continue;
      atToday += billed.amount * today;
      atThen += billed.amount * then;
    }
    const factor = Math.abs(atThen) > 1e-9 ? atToday / atThen : 1;
    if (Number.isFinite(factor) && Math.abs(factor - 1) > 1e-12) {
      factors[index] = factor;
      moved = true;
    }
  });
  return moved ? factors : null;
}

function maxAbs(values: Float64Array): number {
  let max = 0;
  for (const value of values) if (value === value && Math.abs(value) > max) max = Math.abs(value);
  return max;
}

function buildProvider(
  provider: CloudProvider,
  records: readonly (CostRecordHeader | undefined)[],
  window: SeriesWindow,
): ProviderSeries {
  const length = records.length;
  const template = new Float64Array(length).fill(NaN);
  let observations = 0;
  records.forEach((record, index) => {
    if (!record) return;
    template[index] = 0;
    if (index < length - 1) observations++;
  });
  const total: SeriesNode = {
    key: anomalyScopeKey(provider, { dimension: "PROVIDER", key: provider }),
    provider,
    dimension: "PROVIDER",
    itemKey: provider,
    label: PROVIDER_LABELS[provider],
    raw: provider,
    serviceCategory: null,
    values: template.slice(),
    reported: null,
    parts: null,
  };
  const maps: Record<ItemDimension, Map<string, SeriesNode>> = {
    ACCOUNT: new Map(),
    SERVICE: new Map(),
    REGION: new Map(),
    SERVICE_CATEGORY: new Map(),
  };
  const charges = new Map<ChargeCategory, Float64Array>();
  const add = (dimension: ItemDimension, raw: string, label: string, index: number, cost: number) => {
    const map = maps[dimension];
    let node = map.get(raw);
    if (!node) {
      node = newNode(provider, dimension, raw, label, template);
      map.set(raw, node);
    } else if (label !== node.label && label !== raw) node.label = label;
    node.values[index] = node.values[index]! + cost;
    return node;
  };
  records.forEach((record, index) => {
    if (!record) return;
    total.values[index] = record.total;
    for (const service of record.services) {
      const node = add("SERVICE", service.serviceName, service.serviceName, index, service.cost);
      node.serviceCategory = service.serviceCategory;
    }
    for (const account of record.accounts)
      add("ACCOUNT", account.accountId, account.accountName ?? account.accountId, index, account.cost);
    for (const region of record.regions)
      add("REGION", region.region, region.region || "No region", index, region.cost);
    for (const category of record.serviceCategories)
      add("SERVICE_CATEGORY", category.serviceCategory, category.serviceCategory, index, category.cost);
    for (const charge of record.chargeCategories) {
      let values = charges.get(charge.chargeCategory);
      if (!values) charges.set(charge.chargeCategory, (values = template.slice()));
      values[index] = values[index]! + charge.cost;
    }
  });
  const items: SeriesNode[] = [];
  for (const dimension of ITEM_DIMENSIONS) {
    for (const node of maps[dimension].values()) {
      // Categories stay whole: the client-level categories add them up.
      if (dimension === "SERVICE_CATEGORY" || maxAbs(node.values) >= window.negligible) items.push(node);
    }
  }
  const factors = factorsToTodaysRates(records);
  let rateChanged = false;
  if (factors) {
    for (const node of [
      total,
      ...maps.ACCOUNT.values(),
      ...maps.SERVICE.values(),
      ...maps.REGION.values(),
      ...maps.SERVICE_CATEGORY.values(),
    ]) {
      node.reported = node.values.slice();
      for (let i = 0; i < length; i++) node.values[i] = node.values[i]! * factors[i]!;
    }
    for (const values of charges.values())
      for (let i = 0; i < length; i++) values[i] = values[i]! * factors[i]!;
    for (let i = length - 2; i >= 0; i--) {
      if (!records[i]) continue;
      rateChanged = factors[i] !== 1;
      break;
    }
  }
  return {
    provider,
    total,
    items,
    categories: maps.SERVICE_CATEGORY,
    charges,
    observations,
    current: records[length - 1],
    atTodaysRates: factors,
    rateChanged,
  };
}

/** Sum of the parts on the days every part observed, NaN on the others. */
function sumOfParts(parts: readonly (Float64Array | undefined)[], presence: Uint8Array): Float64Array {
  const values = new Float64Array(presence.length);
  for (let i = 0; i < presence.length; i++) {
    if (!presence[i]) {
      values[i] = NaN;
      continue;
    }
    let sum = 0;
    for (const part of parts) if (part) sum += part[i]!;
    values[i] = sum;
  }
  return values;
}

const epochDays = new Map<IsoDay, number>();
/** toEpochDay, remembered: a backfill asks for the same few hundred days over and over. */
function epochDayOf(day: IsoDay): number {
  let epochDay = epochDays.get(day);
  if (epochDay === undefined) {
    if (epochDays.size > 20_000) epochDays.clear();
    epochDays.set(day, (epochDay = toEpochDay(day)));
  }
  return epochDay;
}

/** The parts' stored amounts added up, when one of them differs from its amounts at today's rates. */
function reportedSum(parts: readonly SeriesNode[], presence: Uint8Array): Float64Array | null {
  if (parts.every((part) => part.reported === null)) return null;
  return sumOfParts(
    parts.map((part) => part.reported ?? part.values),
    presence,
  );
}

/** Builds every series of the client for the window that ends on `window.day`. */
export function buildClientSeries(records: readonly CostRecordHeader[], window: SeriesWindow): ClientSeries {
  const length = window.historyDays + 1;
  const start = addDays(window.day, -window.historyDays);
  const first = epochDayOf(start);
  const byProvider = new Map<CloudProvider, (CostRecordHeader | undefined)[]>();
  for (const record of records) {
    if (record.date < start || record.date > window.day) continue;
    const index = epochDayOf(record.date) - first;
    let days = byProvider.get(record.provider);
    if (!days) byProvider.set(record.provider, (days = new Array<CostRecordHeader | undefined>(length)));
    const known = days[index];
    days[index] = known ? newest(known, record) : record;
  }
  const providers = CLOUD_PROVIDERS.filter((provider) => byProvider.has(provider)).map((provider) =>
    buildProvider(provider, byProvider.get(provider)!, window),
  );
  const nodes = new Map<string, SeriesNode>();
  for (const series of providers) {
    nodes.set(series.total.key, series.total);
    for (const item of series.items) nodes.set(item.key, item);
  }

  const summed = providers.filter(
    (series) => series.current !== undefined && series.observations >= window.minHistoryDays,
  );
  const counted = summed.length > 0 ? summed : providers.filter((series) => series.current !== undefined);
  let total: SeriesNode | null = null;
  const clientCategories: SeriesNode[] = [];
  if (counted.length > 0) {
    const presence = new Uint8Array(length);
    for (let i = 0; i < length; i++)
      presence[i] = counted.every((series) => !Number.isNaN(series.total.values[i]!)) ? 1 : 0;
    total = {
      key: TOTAL_SCOPE_KEY,
      provider: null,
      dimension: null,
      itemKey: null,
      label: "Total",
      raw: "",
      serviceCategory: null,
      values: sumOfParts(
        counted.map((series) => series.total.values),
        presence,
      ),
      reported: reportedSum(
        counted.map((series) => series.total),
        presence,
      ),
      parts: counted.map((series) => series.total),
    };
    nodes.set(total.key, total);
    const categoryNames = [...new Set(counted.flatMap((series) => [...series.categories.keys()]))].sort();
    for (const category of categoryNames) {
      const parts = counted.flatMap((series) => {
        const part = series.categories.get(category);
        return part ? [part] : [];
      });
      const node: SeriesNode = {
        key: anomalyScopeKey(null, { dimension: "SERVICE_CATEGORY", key: category }),
        provider: null,
        dimension: "SERVICE_CATEGORY",
        itemKey: category,
        label: category,
        raw: category,
        serviceCategory: null,
        values: sumOfParts(
          parts.map((part) => part.values),
          presence,
        ),
        reported: reportedSum(parts, presence),
        parts,
      };
      if (maxAbs(node.values) < window.negligible) continue;
      clientCategories.push(node);
      nodes.set(node.key, node);
    }
  }
  return {
    start,
    day: window.day,
    length,
    providers,
    clientProviders: counted.map((series) => series.provider),
    total,
    clientCategories,
    nodes,
  };
}

/** The node's value in a version of its provider's record (a previous version of the evaluated day). */
export function valueInRecord(node: SeriesNode, record: CostRecordHeader): number {
  switch (node.dimension) {
    case "PROVIDER":
      return record.total;
    case "SERVICE":
      return record.services.reduce((sum, s) => (s.serviceName === node.raw ? sum + s.cost : sum), 0);
    case "ACCOUNT":
      return record.accounts.reduce((sum, a) => (a.accountId === node.raw ? sum + a.cost : sum), 0);
    case "REGION":
      return record.regions.reduce((sum, r) => (r.region === node.raw ? sum + r.cost : sum), 0);
    case "SERVICE_CATEGORY":
      return record.serviceCategories.reduce(
        (sum, c) => (c.serviceCategory === node.raw ? sum + c.cost : sum),
        0,
      );
    default:
      return record.total;
  }
}

/** The provider-level series a node adds up (itself for a provider-level node). */
export function providerParts(node: SeriesNode): readonly SeriesNode[] {
  return node.parts ?? [node];
}
