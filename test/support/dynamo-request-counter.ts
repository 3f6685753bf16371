/**
 * Counts the DynamoDB requests of a client, so tests and the benchmark can assert exact request
 * counts of read and write paths. It listens through the same per-attempt middleware the service's
 * metrics use (observeDynamoRequests), attached by the test to whichever client it wants counted.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { observeDynamoRequests, type DynamoRequestRecord } from "../../src/store/dynamo-client.js";

export interface DynamoRequestFilter {
  /** Wire operation name: GetItem, BatchGetItem, Query, TransactWriteItems, ... */
  operation?: string;
  table?: string;
}

export interface DynamoRequestCount {
  operation: string;
  /** null for requests that name no table (ListTables, PartiQL). */
  table: string | null;
  requests: number;
  itemsRead: number;
}

interface Tally {
  requests: number;
  itemsRead: number;
  /** Attempts that failed (the SDK retries those it may): included in `requests`. */
  failed: number;
}

/**
 * Counts every HTTP attempt the SDK makes (SDK retries included, failed attempts included) per
 * operation and per table, and the items each response returned: Item (0/1), Count of a Query or
 * Scan (matched items, also with Select COUNT), Responses of BatchGetItem and TransactGetItems.
 * A request naming several tables counts once in the totals and once for each table it names.
 */
export class DynamoRequestCounter {
  private readonly byOperation = new Map<string, Tally>();
  private readonly byTable = new Map<string, Map<string | null, Tally>>();

  /** Counts the requests of `client` (and of document clients made from it) from now on. */
  attach(client: DynamoDBClient): this {
    observeDynamoRequests(client, (request) => this.record(request));
    return this;
  }

  record({ operation, tables, itemsReadByTable, error }: DynamoRequestRecord): void {
    const itemsRead = [...itemsReadByTable.values()].reduce((sum, n) => sum + n, 0);
    const failed = error === undefined ? 0 : 1;
    add(tallyIn(this.byOperation, operation), 1, itemsRead, failed);
    const perTable = this.byTable.get(operation) ?? new Map<string | null, Tally>();
    this.byTable.set(operation, perTable);
    for (const table of tables.length > 0 ? tables : [null]) {
      add(tallyIn(perTable, table), 1, itemsReadByTable.get(table) ?? 0, failed);
    }
  }

  requests(filter: DynamoRequestFilter = {}): number {
    return this.sum(filter, (tally) => tally.requests);
  }

  itemsRead(filter: DynamoRequestFilter = {}): number {
    return this.sum(filter, (tally) => tally.itemsRead);
  }

  /** Attempts that failed (a dropped connection, a timeout...), counted in `requests` too. */
  failedAttempts(filter: DynamoRequestFilter = {}): number {
    return this.sum(filter, (tally) => tally.failed);
  }

  /** One row per (operation, table) seen since the last reset. */
  snapshot(): DynamoRequestCount[] {
    return [...this.byTable].flatMap(([operation, perTable]) =>
      [...perTable].map(([table, { requests, itemsRead }]) => ({ operation, table, requests, itemsRead })),
    );
  }

  reset(): void {
    this.byOperation.clear();
    this.byTable.clear();
  }

  private sum(filter: DynamoRequestFilter, pick: (tally: Tally) => number): number {
    const matchesOperation = (operation: string) =>
      filter.operation === undefined || filter.operation === operation;
    if (filter.table === undefined) {
      return [...this.byOperation].reduce(
        (sum, [op, tally]) => sum + (matchesOperation(op) ? pick(tally) : 0),
        0,
      );
    }
    return [...this.byTable].reduce((sum, [op, perTable]) => {
      const tally = matchesOperation(op) ? perTable.get(filter.table ?? null) : undefined;
      return sum + (tally ? pick(tally) : 0);
    }, 0);
  }
}

function tallyIn<K>(map: Map<K, Tally>, key: K): Tally {
  const tally = map.get(key) ?? { requests: 0, itemsRead: 0, failed: 0 };
  map.set(key, tally);
  return tally;
}

function add(tally: Tally, requests: number, itemsRead: number, failed: number): void {
  tally.requests += requests;
  tally.itemsRead += itemsRead;
  tally.failed += failed;
}
