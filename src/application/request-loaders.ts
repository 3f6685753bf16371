/**
 * Per-request DataLoaders: every item a GraphQL request needs is read at most once, and reads issued
 * in the same tick are batched into BatchGetItem calls of up to 100 keys. Live (subscription)
 * contexts turn caching off so a later event never sees an earlier event's data. `batch: false`
 * (config DATALOADER=off) also turns batching and caching off: one call per item, the N+1 the
 * benchmark compares against.
 */
import DataLoader from "dataloader";
import type { CostLine, CostRecordHeader, IsoDay } from "../domain/cost-record.js";
import type { Client, ProviderConnection } from "../domain/client.js";
import type { UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import type { ClientStore } from "../store/client-store.js";
import type { ConnectionStore } from "../store/connection-store.js";
import type { CostRecordStore } from "../store/cost-record-store.js";
import type { TimeSeriesStore } from "../store/time-series-store.js";
import type { CostSources } from "./costs/cost-reads.js";
import type { CostRecordKey, LinesKey, RollupKey } from "./costs/cost-read-plan.js";

/** DynamoDB BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;

/** The stores the loaders read. */
export interface LoadedStores {
  clients: ClientStore;
  connections: ConnectionStore;
  costs: CostRecordStore;
  timeseries: TimeSeriesStore;
}

export function createLoaders(stores: LoadedStores, options: { cache: boolean; batch?: boolean }) {
  const batch = options.batch ?? true;
  const cache = options.cache && batch;
  const common = { batch, cache, maxBatchSize: BATCH_GET_MAX };
  return {
    client: new DataLoader<string, Client | null>((ids) => stores.clients.batchGet(ids), common),
    connections: new DataLoader<string, ProviderConnection[]>(
      (clientIds) => Promise.all(clientIds.map((id) => stores.connections.listByClient(id))),
      { batch, cache },
    ),
    costHeader: new DataLoader<CostRecordKey, CostRecordHeader | null, string>(
      (recordKeys) => stores.costs.getHeaders(recordKeys),
      { ...common, cacheKeyFn: (k) => `${k.clientId}|${k.provider}|${k.date}` },
    ),
    rollup: new DataLoader<RollupKey, UnifiedTimeSeriesRecord | null, string>(
      (rollupKeys) => stores.timeseries.getRollups(rollupKeys),
      { ...common, cacheKeyFn: (k) => `${k.clientId}|${k.granularity}|${k.period}` },
    ),
    /** Joint lines are only read when a filter crosses dimensions; one Query per client, provider and range. */
    lines: new DataLoader<LinesKey, Map<IsoDay, CostLine[]>, string>(
      (ranges) =>
        Promise.all(ranges.map((r) => stores.costs.getLines(r.clientId, r.provider, r.start, r.end))),
      { batch, cache, cacheKeyFn: (k) => `${k.clientId}|${k.provider}|${k.start}|${k.end}` },
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

const unwrap = <T>(value: T | Error): T => {
  if (value instanceof Error) throw value;
  return value;
};

/** The cost reads' sources, batched and cached by the request's loaders. */
export function loaderCostSources(loaders: Loaders): CostSources {
  return {
    headers: async (keys) => (await loaders.costHeader.loadMany(keys)).map(unwrap),
    rollups: async (keys) => (await loaders.rollup.loadMany(keys)).map(unwrap),
    lines: (key) => loaders.lines.load(key),
  };
}
