/**
 * Cost records and rollups as the tables hold them, for tests that check what a write left behind:
 * range queries over the table, rollups by key and by range, and the single-day
 * upsert. The service reads through its request loaders (keys it already knows) and writes whole
 * windows (upsertDays); these are the tests' own ways in, so they live here, not in the stores.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { IsoDay, IsoMonth, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import type { UnifiedTimeSeriesRecord } from "../../src/domain/time-series.js";
import { validateCostRecord } from "../../src/domain/validation.js";
import { costHeaderFromItem, headerRecord } from "../../src/store/cost-record-item.js";
import { CostRecordStore } from "../../src/store/cost-record-store.js";
import {
  upsertCostRecord,
  type UpsertOptions,
  type UpsertResult,
} from "../../src/store/cost-record-upsert.js";
import { throwIfIssues } from "../../src/store/input.js";
import { keys, type ItemKey } from "../../src/store/keys.js";
import { queryAll, type StoredItem } from "../../src/store/query.js";
import { timeSeriesFromItem } from "../../src/store/rollup-item.js";
import type { TableNames } from "../../src/store/table-definitions.js";
import { TimeSeriesStore } from "../../src/store/time-series-store.js";

export interface StoredTables {
  doc: DynamoDBDocumentClient;
  names: TableNames;
}

export type StoredCosts = ReturnType<typeof storedCosts>;

const withoutLines = (record: UnifiedCostRecord | null) => {
  if (!record) return null;
  const { lines: _lines, ...header } = record;
  return header;
};

/** The reads and the single-day write over one pair of tables (a TestStoreContext will do). */
export function storedCosts(tables: StoredTables, now: () => Date = () => new Date()) {
  const records = new CostRecordStore({ ...tables, now });
  const rollups = new TimeSeriesStore(tables);

  /** Headers (records without lines) of the items between `from` and `to` in one partition. */
  const headersBetween = async (pk: string, from: string, to: string) => {
    const { items } = await queryAll(tables.doc, {
      TableName: tables.names.data,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": pk, ":from": from, ":to": to },
    });
    return headersOf(items);
  };

  /** As the store decodes one: a header whose marginal lists moved to the chunks is read whole. */
  const headerOf = async (item: StoredItem) => {
    const stored = costHeaderFromItem(item);
    if (!stored.storage.detailInChunks) return headerRecord(stored);
    const { clientId, provider, date } = stored.summary;
    return withoutLines(await records.getRecord(clientId, provider, date));
  };
  const headersOf = async (items: readonly StoredItem[]) =>
    (await Promise.all(items.map(headerOf))).filter((header) => header !== null);

  const rollupsBetween = async (from: ItemKey, to: ItemKey): Promise<UnifiedTimeSeriesRecord[]> => {
    const { items } = await queryAll(tables.doc, {
      TableName: tables.names.timeseries,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": from.PK, ":from": from.SK, ":to": to.SK },
    });
    return items.map(timeSeriesFromItem);
  };

  const headers = (clientId: string, provider: CloudProvider, start: IsoDay, end: IsoDay) => {
    const from = keys.costRecord(clientId, provider, start);
    return headersBetween(from.PK, from.SK, keys.costRecord(clientId, provider, end).SK);
  };

  return {
    /** Writes one day: validated first, then one transaction (the store's single-day path). */
    upsertDay(record: UnifiedCostRecord, options: UpsertOptions = {}): Promise<UpsertResult> {
      throwIfIssues(validateCostRecord(record));
      return upsertCostRecord({ ...tables, now }, record, options);
    },

    /** Headers of one client and provider from start to end (inclusive), in date order. */
    headers,

    /** Headers of every provider of a client, in provider then date order. */
    async headersOfClient(clientId: string, start: IsoDay, end: IsoDay) {
      const perProvider = await Promise.all(CLOUD_PROVIDERS.map((p) => headers(clientId, p, start, end)));
      return perProvider.flat();
    },

    /** One daily rollup per day, null where no record contributed. */
    dailyRollups(clientId: string, days: readonly IsoDay[]) {
      return rollups.getRollups(days.map((period) => ({ clientId, granularity: "DAILY" as const, period })));
    },

    /** One monthly rollup per month, null where no record contributed. */
    monthlyRollups(clientId: string, months: readonly IsoMonth[]) {
      return rollups.getRollups(
        months.map((period) => ({ clientId, granularity: "MONTHLY" as const, period })),
      );
    },

    /** Daily rollups with data from start to end, inclusive, in date order. */
    dailyRollupsBetween(clientId: string, start: IsoDay, end: IsoDay) {
      return rollupsBetween(keys.dailyRollup(clientId, start), keys.dailyRollup(clientId, end));
    },

    /** Monthly rollups with data from start to end, inclusive, in month order. */
    monthlyRollupsBetween(clientId: string, start: IsoMonth, end: IsoMonth) {
      return rollupsBetween(keys.monthlyRollup(clientId, start), keys.monthlyRollup(clientId, end));
    },
  };
}
