/**
 * The read path's baseline: the same answers as the GraphQL scenarios, fetched straight through
 * the DynamoDB SDK with the fewest calls the key design allows, all of a scenario's calls at once,
 * and computed with the same domain functions. No GraphQL, no HTTP, no DataLoaders.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { breakdown, summarize, timeSeries } from "../../src/domain/aggregation.js";
import { monthsInRange, previousPeriod, splitRangeByMonth, type DayRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { batchGetAll, BATCH_GET_LIMIT, type BatchGetRequest } from "../../src/store/batch.js";
import { clientFromItem } from "../../src/store/client-store.js";
import { costHeaderFromItem, headerRecord } from "../../src/store/cost-record-item.js";
import { keys, type ItemKey } from "../../src/store/keys.js";
import { queryAll, type StoredItem } from "../../src/store/query.js";
import { timeSeriesFromItem } from "../../src/store/rollup-item.js";
import type { TableNames } from "../../src/store/table-definitions.js";

/** What each scenario answers, for checking the baseline against GraphQL. */
export interface BaselineAnswer {
  json: string;
  total: number;
}

/** One scenario's reads, as data: what the load generator and the HTTP baseline are asked to run. */
export type DirectReadCall =
  | { read: "dashboard"; clientId: string; period: DayRange; top: number }
  | { read: "portfolio"; clientIds: string[]; year: DayRange }
  | { read: "monthlySeries"; clientId: string; year: DayRange };

/** The clients a call reads (what a caller must be allowed to see). */
export const clientsOf = (call: DirectReadCall) =>
  call.read === "portfolio" ? call.clientIds : [call.clientId];

interface TableKey {
  table: string;
  key: ItemKey;
}

export class DirectReads {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly names: TableNames,
  ) {}

  run(call: DirectReadCall): Promise<BaselineAnswer> {
    if (call.read === "dashboard") return this.dashboard(call.clientId, call.period, call.top);
    if (call.read === "portfolio") return this.portfolio(call.clientIds, call.year);
    return this.monthlySeries(call.clientId, call.year);
  }

  /** (a) 3 Queries (one per provider's day range) and 1 BatchGetItem (profile + previous period's rollups). */
  async dashboard(clientId: string, period: DayRange, top: number): Promise<BaselineAnswer> {
    const previous = splitRangeByMonth(previousPeriod(period).start, previousPeriod(period).end);
    const [records, [profile, ...previousRollups]] = await Promise.all([
      Promise.all(CLOUD_PROVIDERS.map((provider) => this.headers(clientId, provider, period))),
      this.getAll([
        { table: this.names.data, key: keys.client(clientId) },
        ...previous.fullMonths.map((month) => this.rollupKey(keys.monthlyRollup(clientId, month))),
        ...previous.edgeDays.map((day) => this.rollupKey(keys.dailyRollup(clientId, day))),
      ]),
    ]);
    const current = records.flat();
    const summary = summarize(current);
    const answer = {
      client: profile ? clientFromItem(profile) : null,
      summary,
      previousTotal: summarize(previousRollups.filter((item) => item !== null).map(timeSeriesFromItem)).total,
      topServices: breakdown(current, "SERVICE", { top }),
      daily: timeSeries(current, { period, granularity: "DAILY" }),
    };
    return { json: JSON.stringify(answer), total: summary.total };
  }

  /** (b) The profiles and every monthly rollup as known keys: ceil((clients x 13) / 100) BatchGetItem calls. */
  async portfolio(clientIds: readonly string[], year: DayRange): Promise<BaselineAnswer> {
    const months = monthsInRange(year.start, year.end);
    const found = await this.getAll([
      ...clientIds.map((clientId) => ({ table: this.names.data, key: keys.client(clientId) })),
      ...clientIds.flatMap((clientId) =>
        months.map((month) => this.rollupKey(keys.monthlyRollup(clientId, month))),
      ),
    ]);
    const profiles = found.slice(0, clientIds.length);
    const rollups = found
      .slice(clientIds.length)
      .filter((item) => item !== null)
      .map(timeSeriesFromItem);
    const answer = clientIds.map((clientId, i) => {
      const profile = profiles[i];
      const own = rollups.filter((rollup) => rollup.clientId === clientId);
      return {
        client: profile ? clientFromItem(profile) : null,
        series: timeSeries(own, { period: year, granularity: "MONTHLY" }),
      };
    });
    return { json: JSON.stringify(answer), total: summarize(rollups).total };
  }

  /** (c) One Query over the client's MONTHLY rollups. */
  async monthlySeries(clientId: string, year: DayRange): Promise<BaselineAnswer> {
    const months = monthsInRange(year.start, year.end);
    const first = keys.monthlyRollup(clientId, months[0] ?? "");
    const last = keys.monthlyRollup(clientId, months.at(-1) ?? "");
    const { items } = await queryAll(this.doc, {
      TableName: this.names.timeseries,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": first.PK, ":from": first.SK, ":to": last.SK },
    });
    const rollups = items.map(timeSeriesFromItem);
    const series = timeSeries(rollups, { period: year, granularity: "MONTHLY" });
    return { json: JSON.stringify(series), total: summarize(rollups).total };
  }

  private rollupKey(key: ItemKey): TableKey {
    return { table: this.names.timeseries, key };
  }

  private async headers(clientId: string, provider: (typeof CLOUD_PROVIDERS)[number], period: DayRange) {
    const from = keys.costRecord(clientId, provider, period.start);
    const { items } = await queryAll(this.doc, {
      TableName: this.names.data,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": from.PK,
        ":from": from.SK,
        ":to": keys.costRecord(clientId, provider, period.end).SK,
      },
    });
    return items.map((item): UnifiedCostRecord => ({ ...headerRecord(costHeaderFromItem(item)), lines: [] }));
  }

  /** Every key in 100-key BatchGetItem calls sent at once; results in key order, null where missing. */
  private async getAll(tableKeys: readonly TableKey[]): Promise<(StoredItem | null)[]> {
    const requests: BatchGetRequest[] = [];
    for (let i = 0; i < tableKeys.length; i += BATCH_GET_LIMIT) {
      const request: BatchGetRequest = {};
      for (const { table, key } of tableKeys.slice(i, i + BATCH_GET_LIMIT)) {
        (request[table] ??= { Keys: [] }).Keys?.push(key);
      }
      requests.push(request);
    }
    const parts = await Promise.all(requests.map((request) => batchGetAll(this.doc, request)));
    const byKey = new Map<string, StoredItem>();
    for (const part of parts) {
      for (const [table, items] of Object.entries(part)) {
        for (const item of items) byKey.set(`${table}|${String(item.PK)}|${String(item.SK)}`, item);
      }
    }
    return tableKeys.map(({ table, key }) => byKey.get(`${table}|${key.PK}|${key.SK}`) ?? null);
  }
}
