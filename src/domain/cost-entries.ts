/**
 * The common ground of every aggregation: a cost source (record or rollup) reduced to cost entries
 * that carry just the dimensions a question needs. A record answers from its total, from one of its
 * marginal breakdowns, or - only when a filter crosses dimensions (accounts filtered while breaking
 * down by service) - from its joint lines. Rollups answer provider and category questions only.
 */
import type { CostRecordHeader, IsoDay, UnifiedCostRecord } from "./cost-record.js";
import { PROVIDER_LABELS, type CloudProvider } from "./provider.js";
import type { UnifiedTimeSeriesRecord } from "./time-series.js";
import { firstDayOfMonth } from "./dates.js";

export const COST_DIMENSIONS = ["PROVIDER", "SERVICE", "SERVICE_CATEGORY", "ACCOUNT", "REGION"] as const;
export type CostDimension = (typeof COST_DIMENSIONS)[number];
export const GRANULARITIES = ["DAILY", "WEEKLY", "MONTHLY"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/** Absent or empty lists do not restrict. `categories` are FOCUS ServiceCategory values. */
export interface CostFilter {
  providers?: readonly CloudProvider[];
  accountIds?: readonly string[];
  services?: readonly string[];
  regions?: readonly string[];
  categories?: readonly string[];
}

/** A day's record: its header (totals and marginal breakdowns), with its joint lines when a question needs them. */
export type CostSource = CostRecordHeader | UnifiedCostRecord | UnifiedTimeSeriesRecord;

type EntryField = "serviceName" | "serviceCategory" | "accountId" | "region";

/** A cost with as many dimensions as the source had to provide. */
export interface CostEntry {
  provider: CloudProvider;
  date: IsoDay;
  amount: number;
  serviceName?: string;
  serviceCategory?: string;
  accountId?: string;
  accountName?: string;
  region?: string;
}

const FILTER_FIELDS = {
  accountIds: "accountId",
  services: "serviceName",
  regions: "region",
  categories: "serviceCategory",
} as const;
const DIMENSION_FIELDS: Record<CostDimension, EntryField | undefined> = {
  PROVIDER: undefined,
  SERVICE: "serviceName",
  SERVICE_CATEGORY: "serviceCategory",
  ACCOUNT: "accountId",
  REGION: "region",
};

export const isRecord = (source: CostSource): source is CostRecordHeader => "services" in source;
const restricts = (values: readonly string[] | undefined): values is readonly string[] =>
  !!values && values.length > 0;

function requiredFields(filter: CostFilter, by: CostDimension | undefined): Set<EntryField> {
  const fields = new Set<EntryField>();
  for (const [filterName, field] of Object.entries(FILTER_FIELDS) as [
    keyof typeof FILTER_FIELDS,
    EntryField,
  ][]) {
    if (restricts(filter[filterName])) fields.add(field);
  }
  const byField = by && DIMENSION_FIELDS[by];
  if (byField) fields.add(byField);
  return fields;
}

const within = (fields: Set<EntryField>, ...allowed: EntryField[]): boolean =>
  [...fields].every((f) => allowed.includes(f));

/** True when daily/monthly rollups hold enough detail for this filter and dimension. */
export function rollupsCanAnswer(filter: CostFilter = {}, by?: CostDimension): boolean {
  return within(requiredFields(filter, by), "serviceCategory");
}

/** Marginal breakdowns a record header carries; any other combination of fields needs the joint lines. */
const MARGINAL_FIELD_SETS: readonly EntryField[][] = [
  ["serviceName", "serviceCategory"],
  ["accountId"],
  ["region"],
];

/** True when a record's marginal breakdowns cannot answer and its joint lines must be read. */
export function needsJointLines(filter: CostFilter = {}, by?: CostDimension): boolean {
  const fields = requiredFields(filter, by);
  return fields.size > 0 && !MARGINAL_FIELD_SETS.some((allowed) => within(fields, ...allowed));
}

function entriesOfRecord(record: CostRecordHeader | UnifiedCostRecord, fields: Set<EntryField>): CostEntry[] {
  const base = { provider: record.provider, date: record.date };
  if (fields.size === 0) return [{ ...base, amount: record.total }];
  if (within(fields, "serviceCategory"))
    return record.serviceCategories.map((c) => ({
      ...base,
      amount: c.cost,
      serviceCategory: c.serviceCategory,
    }));
  if (within(fields, "serviceName", "serviceCategory")) {
    return record.services.map((s) => ({
      ...base,
      amount: s.cost,
      serviceName: s.serviceName,
      serviceCategory: s.serviceCategory,
    }));
  }
  if (within(fields, "accountId"))
    return record.accounts.map((a) => ({
      ...base,
      amount: a.cost,
      accountId: a.accountId,
      accountName: a.accountName,
    }));
  if (within(fields, "region"))
    return record.regions.map((r) => ({ ...base, amount: r.cost, region: r.region }));
  if (!("lines" in record)) {
    throw new Error(`a record header holds no joint ${[...fields].join("/")} detail; read its lines`);
  }
  return record.lines.flatMap((line) =>
    line.cost === null ? [] : [{ ...base, ...line, amount: line.cost }],
  );
}

function entriesOfRollup(rollup: UnifiedTimeSeriesRecord, fields: Set<EntryField>): CostEntry[] {
  if (!within(fields, "serviceCategory")) {
    throw new Error(`rollups hold no ${[...fields].join("/")} detail; aggregate the cost records instead`);
  }
  const date = rollup.granularity === "DAILY" ? rollup.period : firstDayOfMonth(rollup.period);
  if (fields.size === 0) {
    return Object.entries(rollup.byProvider).map(([provider, amount]) => ({
      provider: provider as CloudProvider,
      date,
      amount,
    }));
  }
  return Object.entries(rollup.byProviderCategory).map(([key, amount]) => {
    const [provider, serviceCategory] = key.split("|") as [CloudProvider, string];
    return { provider, date, amount, serviceCategory };
  });
}

/** Entries of every source that pass the filter. All sources must share one reporting currency. */
export function collectEntries(
  sources: readonly CostSource[],
  filter: CostFilter,
  by?: CostDimension,
): CostEntry[] {
  const currencies = new Set(
    sources.map((source) => (isRecord(source) ? source.reportingCurrency : source.currency)),
  );
  if (currencies.size > 1) {
    throw new Error(
      `cannot add up amounts in different currencies (${[...currencies].join(", ")}); re-normalize first`,
    );
  }
  const fields = requiredFields(filter, by);
  const entries = sources.flatMap((source) =>
    isRecord(source) ? entriesOfRecord(source, fields) : entriesOfRollup(source, fields),
  );
  return entries.filter(
    (entry) =>
      (!restricts(filter.providers) || filter.providers.includes(entry.provider)) &&
      (Object.entries(FILTER_FIELDS) as [keyof typeof FILTER_FIELDS, EntryField][]).every(
        ([filterName, field]) =>
          !restricts(filter[filterName]) || filter[filterName].includes(entry[field] ?? ""),
      ),
  );
}

export function keyAndLabel(entry: CostEntry, by: CostDimension): { key: string; label: string } {
  switch (by) {
    case "PROVIDER":
      return { key: entry.provider, label: PROVIDER_LABELS[entry.provider] };
    case "SERVICE":
      return { key: `${entry.provider}|${entry.serviceName}`, label: entry.serviceName ?? "" };
    case "SERVICE_CATEGORY":
      return { key: entry.serviceCategory ?? "Other", label: entry.serviceCategory ?? "Other" };
    case "ACCOUNT":
      return {
        key: `${entry.provider}|${entry.accountId}`,
        label: entry.accountName ?? entry.accountId ?? "",
      };
    case "REGION":
      return { key: `${entry.provider}|${entry.region}`, label: entry.region || "No region" };
  }
}
