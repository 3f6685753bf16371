import { describe, expect, it } from "vitest";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { daysInRange } from "../../src/domain/dates.js";
import { rollupContribution } from "../../src/domain/rollups.js";
import {
  MAX_DAYS_PER_TRANSACTION,
  packTransactions,
  TRANSACTION_MAX_BYTES,
  TRANSACTION_MAX_ITEMS,
  type DayWrite,
} from "../../src/store/cost-record-upsert.js";
import { TransactionTooLargeError } from "../../src/store/errors.js";
import { NO_CONTRIBUTION } from "../../src/store/rollup-item.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { costRecord } from "../support/records.js";

const context = {
  // Packing sends nothing.
  doc: undefined as unknown as DynamoDBDocumentClient,
  names: tableNames("unit-"),
  now: () => new Date("2026-02-01T00:00:00.000Z"),
};

/** A day whose part of a transaction is `items` puts of `bytes` bytes each. */
function write(date: string, items: number, bytes = 100): DayWrite {
  const record = costRecord({ clientId: "pack", provider: "AWS", date });
  return {
    record,
    previous: null,
    version: 1,
    items: Array.from({ length: items }, (_, i) => ({
      Put: {
        TableName: context.names.data,
        Item: { PK: "CLIENT#pack", SK: `${date}#${i}`, pad: "x".repeat(bytes) },
      },
    })),
    before: NO_CONTRIBUTION,
    after: rollupContribution(record),
  };
}

const days = (count: number) => daysInRange("2026-01-01", "2026-01-31").slice(0, count);

describe("packTransactions", () => {
  it("puts at most 10 small days in one transaction", () => {
    const batches = packTransactions(
      context,
      days(31).map((date) => write(date, 3)),
    );
    expect(batches.map((batch) => batch.length)).toEqual([MAX_DAYS_PER_TRANSACTION, 10, 10, 1]);
    expect(batches.flat().map((day) => day.record.date)).toEqual(days(31));
  });

  it("starts a new transaction before the 100-item limit, counting one monthly update in each", () => {
    const batches = packTransactions(
      context,
      days(31).map((date) => write(date, 12)),
    );
    // 8 days x 12 items + 1 = 97; a 9th day would make 109.
    expect(batches.map((batch) => batch.length)).toEqual([8, 8, 8, 7]);
    for (const batch of batches) {
      expect(batch.reduce((sum, day) => sum + day.items.length, 1)).toBeLessThanOrEqual(
        TRANSACTION_MAX_ITEMS,
      );
    }
    expect(batches.flat().map((day) => day.record.date)).toEqual(days(31));
  });

  it("starts a new transaction before the 4 MB limit", () => {
    const big = 300 * 1024;
    const batches = packTransactions(
      context,
      days(10).map((date) => write(date, 4, big)),
    );
    // 3 days x 4 x 300 KB = 3.5 MB; a 4th would pass 4 MB.
    expect(batches.map((batch) => batch.length)).toEqual([3, 3, 3, 1]);
    expect(3 * 4 * big).toBeLessThan(TRANSACTION_MAX_BYTES);
  });

  it("refuses a day that alone exceeds one transaction, naming it", () => {
    expect(() => packTransactions(context, [write("2026-01-05", TRANSACTION_MAX_ITEMS)])).toThrow(
      TransactionTooLargeError,
    );
    expect(() => packTransactions(context, [write("2026-01-05", TRANSACTION_MAX_ITEMS)])).toThrow(
      /cost record pack\/AWS\/2026-01-05 needs 101 items/,
    );
  });
});
