/**
 * Per-request DataLoaders: every item a GraphQL request needs is read at most once, and reads issued
 * in the same tick are batched into BatchGetItem calls of up to 100 keys, shared across the kinds of
 * item (profiles, headers, rollups) asked in the same turn. Live (subscription)
 * contexts turn caching off so a later event never sees an earlier event's data. `batch: false`
 * (config DATALOADER=off) also turns batching and caching off: one call per item, the N+1 the
 * benchmark compares against.
 *
 * With a read cache, client profiles, record headers and rollups it holds are served from it, and
 * only the rest is read (then kept): a cached item costs no DynamoDB request, and a cold one costs
 * what it cost without the cache.
 */
import DataLoader from "dataloader";
import type { CostLine, CostRecordHeader, IsoDay } from "../domain/cost-record.js";
import type { Client, ProviderConnection } from "../domain/client.js";
import type { UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import type { ClientStore } from "../store/client-store.js";
import type { ConnectionStore } from "../store/connection-store.js";
import type { CostRecordStore } from "../store/cost-record-store.js";
import type { TimeSeriesStore } from "../store/time-series-store.js";
import type { KeyedRead } from "../store/batch.js";
import type { CostSources } from "./costs/cost-reads.js";
import type { CostRecordKey, LinesKey, RollupKey } from "./costs/cost-read-plan.js";
import type { ReadCache } from "./read-cache.js";

/** DynamoDB BatchGetItem takes at most 100 keys. */
const BATCH_GET_MAX = 100;

/** The stores the loaders read. */
export interface LoadedStores {
  clients: ClientStore;
  connections: ConnectionStore;
  costs: CostRecordStore;
  timeseries: TimeSeriesStore;
  readTogether(): KeyedRead;
}

/**
 * `load` behind the read cache: the keys it holds are answered from it, the others read in one call
 * and kept under the version their client had before the read.
 */
function throughCache<K, V>(
  readCache: ReadCache | undefined,
  item: {
    kind: string;
    clientOf: (key: K) => string;
    keyOf: (key: K) => string;
    bytesOf: (value: V) => number;
  },
  load: (keys: readonly K[]) => Promise<V[]>,
): (keys: readonly K[]) => Promise<V[]> {
  if (!readCache) return load;
  return async (keys) => {
    const cacheKeys = keys.map((key) => `${item.kind}|${item.keyOf(key)}`);
    const found = keys.map((key, i) => readCache.get<V>(item.clientOf(key), cacheKeys[i]!));
    const missing = keys.flatMap((_key, i) => (found[i] === undefined ? [i] : []));
    if (missing.length === 0) return found as V[];
    const versions = missing.map((i) => readCache.version(item.clientOf(keys[i]!)));
    const loaded = await load(missing.map((i) => keys[i]!));
    missing.forEach((i, j) => {
      const value = loaded[j] as V;
      found[i] = value;
      readCache.set(item.clientOf(keys[i]!), cacheKeys[i]!, value, versions[j], item.bytesOf(value));
    });
    return found as V[];
  };
}

/** Sizes without serializing: a few hundred bytes a header or rollup, plus its lists or keys. */
const headerBytes = (header: CostRecordHeader | null) =>
  header ? 600 + 160 * (header.services.length + header.accounts.length + header.regions.length) : 0;
const rollupBytes = (rollup: UnifiedTimeSeriesRecord | null) =>
  rollup ? 400 + 120 * Object.keys(rollup.byProviderCategory).length : 0;
const clientBytes = (client: Client | null) => (client ? 400 + 2 * client.name.length : 0);

export function createLoaders(
  stores: LoadedStores,
  options: { cache: boolean; batch?: boolean; readCache?: ReadCache },
) {
  const batch = options.batch ?? true;
  const cache = options.cache && batch;
  const common = { batch, cache, maxBatchSize: BATCH_GET_MAX };
  const { readCache } = options;
  // Profiles, headers and rollups asked in the same turn go out in the same BatchGetItem calls.
  const read = batch ? stores.readTogether() : undefined;
  const recordKeyOf = (k: CostRecordKey) => `${k.clientId}|${k.provider}|${k.date}`;
  const rollupKeyOf = (k: RollupKey) => `${k.clientId}|${k.granularity}|${k.period}`;
  return {
    client: new DataLoader<string, Client | null>(
      throughCache(
        readCache,
        { kind: "client", clientOf: (id) => id, keyOf: (id) => id, bytesOf: clientBytes },
        (ids) => stores.clients.batchGet(ids, read),
      ),
      common,
    ),
    connections: new DataLoader<string, ProviderConnection[]>(
      (clientIds) => Promise.all(clientIds.map((id) => stores.connections.listByClient(id))),
      { batch, cache },
    ),
    costHeader: new DataLoader<CostRecordKey, CostRecordHeader | null, string>(
      throughCache(
        readCache,
        { kind: "header", clientOf: (k) => k.clientId, keyOf: recordKeyOf, bytesOf: headerBytes },
        (recordKeys) => stores.costs.getHeaders(recordKeys, read),
      ),
      { ...common, cacheKeyFn: recordKeyOf },
    ),
    rollup: new DataLoader<RollupKey, UnifiedTimeSeriesRecord | null, string>(
      throughCache(
        readCache,
        { kind: "rollup", clientOf: (k) => k.clientId, keyOf: rollupKeyOf, bytesOf: rollupBytes },
        (rollupKeys) => stores.timeseries.getRollups(rollupKeys, read),
      ),
      { ...common, cacheKeyFn: rollupKeyOf },
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
