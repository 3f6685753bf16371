/**
 * Per-request DataLoaders over the cross-client indexes, keyed by (index, partition, range): every
 * index Query a request needs runs once, however many fields ask for the same bucket, and each
 * follows its pages to the end. An index partition holds every client's rows: callers filter them
 * by what the caller may read (portfolio.ts) before anything else sees them.
 */
import DataLoader from "dataloader";
import type { IsoDay } from "../domain/cost-record.js";
import type { ProviderDayCost } from "../domain/portfolio.js";
import type { CloudProvider } from "../domain/provider.js";
import type { RollupGranularity, UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import type { CostRecordStore } from "../store/cost-record-store.js";
import type { TimeSeriesStore } from "../store/time-series-store.js";

/** One day's or month's rollups of every client: the timeseries table's GSI1 partition `{granularity}#{period}`. */
export interface RollupBucketKey {
  granularity: RollupGranularity;
  period: string;
}

/** One provider's days `start`..`end` within one month: a range of the data table's GSI1 partition `PROVIDER#{p}#{month}`. */
export interface ProviderDaysKey {
  provider: CloudProvider;
  start: IsoDay;
  end: IsoDay;
}

export function createIndexLoaders(
  stores: { costs: CostRecordStore; timeseries: TimeSeriesStore },
  options: { cache: boolean; batch?: boolean },
) {
  const batch = options.batch ?? true;
  const common = { batch, cache: options.cache && batch };
  return {
    rollupsByPeriod: new DataLoader<RollupBucketKey, UnifiedTimeSeriesRecord[], string>(
      (buckets) =>
        Promise.all(buckets.map((b) => stores.timeseries.queryAcrossClients(b.granularity, b.period))),
      { ...common, cacheKeyFn: (k) => `timeseries.GSI1|${k.granularity}#${k.period}|*` },
    ),
    providerDays: new DataLoader<ProviderDaysKey, ProviderDayCost[], string>(
      (ranges) =>
        Promise.all(ranges.map((r) => stores.costs.queryProviderAcrossClients(r.provider, r.start, r.end))),
      {
        ...common,
        cacheKeyFn: (k) => `data.GSI1|PROVIDER#${k.provider}#${k.start.slice(0, 7)}|${k.start}..${k.end}`,
      },
    ),
  };
}

export type IndexLoaders = ReturnType<typeof createIndexLoaders>;
