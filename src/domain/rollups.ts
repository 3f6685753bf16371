/**
 * Daily and monthly rollups: per client, totals by provider and by provider+category. A record's
 * contribution is what it adds to the rollups of its day and month; when a record is restated the
 * store applies the difference (new - old) to both, so a month always equals the sum of its days.
 */
import type { IsoDay, IsoMonth, UnifiedCostRecord } from "./cost-record.js";
import type { CloudProvider } from "./provider.js";
import type { ProviderCategoryKey, RollupGranularity, UnifiedTimeSeriesRecord } from "./time-series.js";
import { monthOf } from "./dates.js";

export interface RollupContribution {
  total: number;
  byProvider: Partial<Record<CloudProvider, number>>;
  /** Keyed `${provider}|${serviceCategory}`. */
  byProviderCategory: Record<string, number>;
  recordCount: number;
}

const EMPTY: RollupContribution = { total: 0, byProvider: {}, byProviderCategory: {}, recordCount: 0 };

export function providerCategoryKey(provider: CloudProvider, category: string): ProviderCategoryKey {
  return `${provider}|${category}` as ProviderCategoryKey;
}

/** What one record adds to the rollups of its day and its month. */
export function rollupContribution(
  record: Pick<UnifiedCostRecord, "provider" | "total" | "serviceCategories">,
): RollupContribution {
  const byProviderCategory: Record<string, number> = {};
  for (const { serviceCategory, cost } of record.serviceCategories) {
    const key = providerCategoryKey(record.provider, serviceCategory);
    byProviderCategory[key] = (byProviderCategory[key] ?? 0) + cost;
  }
  return {
    total: record.total,
    byProvider: { [record.provider]: record.total },
    byProviderCategory,
    recordCount: 1,
  };
}

/**
 * What one provider's record of the day holds in the day's rollup: the rollup keeps each provider's
 * figures apart, so this is exactly the contribution of the record it was last moved to (none when
 * the provider has no amount in it).
 */
export function providerShare(
  rollup: UnifiedTimeSeriesRecord | null,
  provider: CloudProvider,
): RollupContribution {
  const amount = rollup?.byProvider[provider];
  if (rollup === null || amount === undefined) return EMPTY;
  const prefix = `${provider}|`;
  return {
    total: amount,
    byProvider: { [provider]: amount },
    byProviderCategory: Object.fromEntries(
      Object.entries(rollup.byProviderCategory).filter(([key]) => key.startsWith(prefix)),
    ),
    recordCount: 1,
  };
}

function combine(a: RollupContribution, b: RollupContribution, sign: 1 | -1): RollupContribution {
  const merge = <K extends string>(left: Partial<Record<K, number>>, right: Partial<Record<K, number>>) => {
    const out: Partial<Record<K, number>> = { ...left };
    for (const [key, value] of Object.entries(right) as [K, number][])
      out[key] = (out[key] ?? 0) + sign * value;
    return out;
  };
  return {
    total: a.total + sign * b.total,
    byProvider: merge(a.byProvider, b.byProvider),
    byProviderCategory: merge(a.byProviderCategory, b.byProviderCategory) as Record<string, number>,
    recordCount: a.recordCount + sign * b.recordCount,
  };
}

/**
 * The change to apply to the day's and month's rollups when `previous` is replaced by `next`
 * (either may be absent: a first write, or a deletion). Keys whose value does not change are left out.
 */
export function rollupDelta(
  previous: UnifiedCostRecord | undefined,
  next: UnifiedCostRecord | undefined,
): RollupContribution {
  const delta = combine(
    next ? rollupContribution(next) : EMPTY,
    previous ? rollupContribution(previous) : EMPTY,
    -1,
  );
  const nonZero = <K extends string>(values: Partial<Record<K, number>>) =>
    Object.fromEntries(Object.entries(values).filter(([, value]) => value !== 0)) as Partial<
      Record<K, number>
    >;
  return {
    ...delta,
    byProvider: nonZero(delta.byProvider),
    byProviderCategory: nonZero(delta.byProviderCategory) as Record<string, number>,
  };
}

/**
 * Builds a whole rollup from the records of its period (a day, or every day of a month), e.g. to
 * rebuild or verify one. Records of another period or currency are refused, not silently summed.
 */
export function rollupFromRecords(args: {
  clientId: string;
  granularity: RollupGranularity;
  period: IsoDay | IsoMonth;
  currency: string;
  records: readonly UnifiedCostRecord[];
  updatedAt: string;
}): UnifiedTimeSeriesRecord {
  const { clientId, granularity, period, currency, records, updatedAt } = args;
  let sum = EMPTY;
  for (const record of records) {
    const recordPeriod = granularity === "DAILY" ? record.date : monthOf(record.date);
    if (recordPeriod !== period || record.clientId !== clientId || record.reportingCurrency !== currency) {
      throw new Error(
        `record ${record.clientId}/${record.provider}/${record.date} in ${record.reportingCurrency} does not belong to the ` +
          `${granularity} rollup ${clientId}/${period} in ${currency}`,
      );
    }
    sum = combine(sum, rollupContribution(record), 1);
  }
  return { clientId, granularity, period, currency, ...sum, updatedAt };
}
