/**
 * Reads of the daily and monthly rollups (written by CostRecordStore.upsertDays, never here): by key
 * for known clients, or every client's rollup of one day or month through GSI1.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RollupGranularity, UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import { keyedRead, type KeyedRead } from "./batch.js";
import { checkDay, checkId, checkMonth } from "./input.js";
import { keys } from "./keys.js";
import { queryAll } from "./query.js";
import { timeSeriesFromItem } from "./rollup-item.js";
import type { TableNames } from "./table-definitions.js";

export class TimeSeriesStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly indexPageLimit: number | undefined;
  private readonly read: KeyedRead;

  /** `indexPageLimit`: items per index Query page (DynamoDB's 1 MB when absent); tests page with it. */
  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames; indexPageLimit?: number }) {
    this.doc = options.doc;
    this.table = options.names.timeseries;
    this.read = keyedRead(options.doc);
    this.indexPageLimit = options.indexPageLimit;
  }

  /**
   * Every client's rollup of one day ("YYYY-MM-DD", DAILY) or month ("YYYY-MM", MONTHLY), in client
   * id order: one Query on GSI1 (one partition per period), followed to its last page.
   */
  async queryAcrossClients(
    granularity: RollupGranularity,
    period: string,
  ): Promise<UnifiedTimeSeriesRecord[]> {
    const checked = granularity === "DAILY" ? checkDay(period, "period") : checkMonth(period, "period");
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.rollupIndex(granularity, checked, "").GSI1PK },
      ...(this.indexPageLimit === undefined ? {} : { Limit: this.indexPageLimit }),
    });
    return items.map(timeSeriesFromItem);
  }

  /**
   * Rollups of any clients, days and months in one go (BatchGetItem, 100 keys a call, or shared
   * with other reads through `read`), in request order with null where nothing was stored: what a
   * DataLoader batches across a whole request.
   */
  async getRollups(
    rollupKeys: readonly { clientId: string; granularity: RollupGranularity; period: string }[],
    read: KeyedRead = this.read,
  ): Promise<(UnifiedTimeSeriesRecord | null)[]> {
    const itemKeys = rollupKeys.map((key, i) => {
      const clientId = checkId(key.clientId, `keys[${i}].clientId`);
      return key.granularity === "DAILY"
        ? keys.dailyRollup(clientId, checkDay(key.period, `keys[${i}].period`))
        : keys.monthlyRollup(clientId, checkMonth(key.period, `keys[${i}].period`));
    });
    return (await read(this.table, itemKeys)).map((item) => (item ? timeSeriesFromItem(item) : null));
  }
}
