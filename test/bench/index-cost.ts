/**
 * What each index costs a write, from the items a backfill stored: per stored day (one client,
 * provider and day), the item writes and bytes that land on the base tables and on each index. An
 * index projecting ALL rewrites its whole entry whenever the item changes, so an index write is as
 * large as the item; a write unit covers 1 KB of one item. GSI2's cost-record keys are no longer
 * written: their row is what they cost (one entry per header write), for the decision.
 */
import { itemSize } from "../../src/store/item-size.js";
import type { StoredItem } from "../../src/store/query.js";

export interface IndexCostRow {
  writes: string;
  itemsPerDay: number;
  kbPerDay: number;
  writeUnitsPerDay: number;
}

export interface IndexWriteCost {
  storedDays: number;
  rows: IndexCostRow[];
  /** Base tables and the indexes still written. */
  withIndexes: Omit<IndexCostRow, "writes">;
  withoutIndexes: Omit<IndexCostRow, "writes">;
}

interface Tally {
  items: number;
  bytes: number;
  units: number;
}

const tally = (sizes: readonly number[], times = 1): Tally => ({
  items: sizes.length * times,
  bytes: sizes.reduce((sum, size) => sum + size, 0) * times,
  units: sizes.reduce((sum, size) => sum + Math.max(1, Math.ceil(size / 1024)), 0) * times,
});
const plus = (...tallies: Tally[]): Tally =>
  tallies.reduce((a, b) => ({
    items: a.items + b.items,
    bytes: a.bytes + b.bytes,
    units: a.units + b.units,
  }));

/**
 * `monthlyUpdates`: how often the monthly rollups were written (one per transaction); a day's
 * rollup is written once per stored day (client, provider and day), the header and its chunks once.
 */
export function indexWriteCost(
  dataItems: readonly StoredItem[],
  rollupItems: readonly StoredItem[],
  monthlyUpdates: number,
): IndexWriteCost {
  const sizesOf = (items: readonly StoredItem[], prefix: RegExp) =>
    items.filter((item) => prefix.test(String(item.SK))).map(itemSize);
  const headers = sizesOf(dataItems, /^COST#/);
  const chunks = sizesOf(dataItems, /^LINES#/);
  const daily = sizesOf(rollupItems, /^DAILY#/);
  const monthly = sizesOf(rollupItems, /^MONTHLY#/);
  const storedDays = headers.length;
  // A rollup item is shared (a day's by its providers, a month's by its days): spread its writes
  // over the items, which are about equally often written.
  const spread = (sizes: number[], writes: number) =>
    tally(sizes, sizes.length === 0 ? 0 : writes / sizes.length);
  const dailyWrites = spread(daily, storedDays);
  const monthlyWrites = spread(monthly, monthlyUpdates);
  const base = plus(tally(headers), tally(chunks), dailyWrites, monthlyWrites);
  const dataGsi1 = tally(headers);
  const gsi2 = tally(headers);
  const timeseriesGsi1 = plus(dailyWrites, monthlyWrites);
  const perDay = (writes: string, t: Tally): IndexCostRow => ({
    writes,
    itemsPerDay: t.items / storedDays,
    kbPerDay: t.bytes / 1024 / storedDays,
    writeUnitsPerDay: t.units / storedDays,
  });
  const { writes: _w, ...withIndexes } = perDay("", plus(base, dataGsi1, timeseriesGsi1));
  const { writes: _x, ...withoutIndexes } = perDay("", base);
  return {
    storedDays,
    rows: [
      perDay("base tables: header, line chunks, daily and monthly rollup", base),
      perDay("data GSI1 PROVIDER#p#month (providerCosts)", dataGsi1),
      perDay("timeseries GSI1 DAILY|MONTHLY#period (portfolio)", timeseriesGsi1),
      perDay("data GSI2 cost-record keys (no reader; no longer written)", gsi2),
    ],
    withIndexes,
    withoutIndexes,
  };
}
