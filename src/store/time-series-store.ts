/** Reads of the daily and monthly rollups (written by CostRecordStore.upsertDay, never here). */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { IsoDay, IsoMonth } from "../domain/cost-record.js";
import type { RollupGranularity, UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import { batchGetAll, inKeyOrder } from "./batch.js";
import { checkDay, checkDayRange, checkId, checkMonth, checkMonthRange } from "./input.js";
import { keys, type ItemKey } from "./keys.js";
import { queryAll } from "./query.js";
import { timeSeriesFromItem } from "./rollup-item.js";
import type { TableNames } from "./table-definitions.js";

export class TimeSeriesStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames }) {
    this.doc = options.doc;
    this.table = options.names.timeseries;
  }

  /** One entry per day, null where no record contributed (for DataLoaders: BatchGetItem, 100 keys a call). */
  async getDaily(clientId: string, days: readonly IsoDay[]): Promise<(UnifiedTimeSeriesRecord | null)[]> {
    checkId(clientId, "clientId");
    return this.getMany(days.map((day, i) => keys.dailyRollup(clientId, checkDay(day, `days[${i}]`))));
  }

  async getMonthly(
    clientId: string,
    months: readonly IsoMonth[],
  ): Promise<(UnifiedTimeSeriesRecord | null)[]> {
    checkId(clientId, "clientId");
    return this.getMany(
      months.map((month, i) => keys.monthlyRollup(clientId, checkMonth(month, `months[${i}]`))),
    );
  }

  /**
   * Rollups of any clients, days and months in one go (BatchGetItem, 100 keys a call), in request
   * order with null where nothing was stored: what a DataLoader batches across a whole request.
   */
  async getRollups(
    rollupKeys: readonly { clientId: string; granularity: RollupGranularity; period: string }[],
  ): Promise<(UnifiedTimeSeriesRecord | null)[]> {
    return this.getMany(
      rollupKeys.map((key, i) => {
        const clientId = checkId(key.clientId, `keys[${i}].clientId`);
        return key.granularity === "DAILY"
          ? keys.dailyRollup(clientId, checkDay(key.period, `keys[${i}].period`))
          : keys.monthlyRollup(clientId, checkMonth(key.period, `keys[${i}].period`));
      }),
    );
  }

  /** Days with data from start to end, inclusive, in date order. */
  async queryDaily(clientId: string, start: IsoDay, end: IsoDay): Promise<UnifiedTimeSeriesRecord[]> {
    checkId(clientId, "clientId");
    const range = checkDayRange(start, end);
    return this.queryRange(keys.dailyRollup(clientId, range.start), keys.dailyRollup(clientId, range.end));
  }

  async queryMonthly(
    clientId: string,
    startMonth: IsoMonth,
    endMonth: IsoMonth,
  ): Promise<UnifiedTimeSeriesRecord[]> {
    checkId(clientId, "clientId");
    const range = checkMonthRange(startMonth, endMonth);
    return this.queryRange(
      keys.monthlyRollup(clientId, range.start),
      keys.monthlyRollup(clientId, range.end),
    );
  }

  /** Every client's rollup for one day or month (GSI1), in client id order. */
  async queryAcrossClients(
    granularity: RollupGranularity,
    period: string,
  ): Promise<UnifiedTimeSeriesRecord[]> {
    if (granularity === "DAILY") checkDay(period, "period");
    else checkMonth(period, "period");
    const { GSI1PK } = keys.rollupIndex(granularity, period, "");
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": GSI1PK },
    });
    return items.map(timeSeriesFromItem);
  }

  private async getMany(itemKeys: ItemKey[]): Promise<(UnifiedTimeSeriesRecord | null)[]> {
    if (itemKeys.length === 0) return [];
    const found = await batchGetAll(this.doc, { [this.table]: { Keys: itemKeys } });
    return inKeyOrder(itemKeys, found[this.table] ?? []).map((item) =>
      item ? timeSeriesFromItem(item) : null,
    );
  }

  private async queryRange(from: ItemKey, to: ItemKey): Promise<UnifiedTimeSeriesRecord[]> {
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": from.PK, ":from": from.SK, ":to": to.SK },
    });
    return items.map(timeSeriesFromItem);
  }
}
