/** Monthly exchange rates: `FXRATE#{month}` / `{from}#{to}`, one item per published pair. */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { IsoMonth } from "../domain/cost-record.js";
import { createExchangeRateTable, type ExchangeRate } from "../domain/currency.js";
import { batchWriteAll } from "./batch.js";
import { checkMonth } from "./input.js";
import { keys } from "./keys.js";
import { queryAll, type StoredItem } from "./query.js";
import { decodeItem, encodeShape, type Shape } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

const EXCHANGE_RATE: Shape<ExchangeRate> = {
  month: "string",
  from: "string",
  to: "string",
  rate: "number",
  source: "string",
};

export function exchangeRateToItem(rate: ExchangeRate): StoredItem {
  return {
    ...keys.exchangeRate(rate.month, rate.from, rate.to),
    entity: "FXRATE",
    ...encodeShape(EXCHANGE_RATE, rate),
  };
}

export function exchangeRateFromItem(item: StoredItem): ExchangeRate {
  return decodeItem(EXCHANGE_RATE, item, `exchange rate ${String(item.PK)}/${String(item.SK)}`);
}

export class ExchangeRateStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames }) {
    this.doc = options.doc;
    this.table = options.names.data;
  }

  /** Stores rates (validated all at once first; a pair given twice is rejected), replacing earlier ones. */
  async putRates(rates: readonly ExchangeRate[]): Promise<void> {
    createExchangeRateTable(rates);
    await batchWriteAll(
      this.doc,
      this.table,
      rates.map((rate) => ({ PutRequest: { Item: exchangeRateToItem(rate) } })),
    );
  }

  /** Every rate published for the months, month by month (one Query each). */
  async getRates(months: readonly IsoMonth[]): Promise<ExchangeRate[]> {
    const checked = months.map((month, i) => checkMonth(month, `months[${i}]`));
    const perMonth = await Promise.all(
      checked.map(async (month) => {
        const { items } = await queryAll(this.doc, {
          TableName: this.table,
          KeyConditionExpression: "PK = :pk",
          ExpressionAttributeValues: { ":pk": keys.exchangeRate(month, "", "").PK },
        });
        return items.map(exchangeRateFromItem);
      }),
    );
    return perMonth.flat();
  }
}
