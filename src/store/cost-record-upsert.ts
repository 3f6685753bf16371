/**
 * The idempotent write of (client, provider, day) records: read the stored headers (consistent),
 * and for each day whose content changed, put the header (conditional on the version read, so
 * concurrent writers cannot interleave), put the line chunks, delete chunks the old version had
 * beyond the new count, and ADD the exact old->new delta to the day's rollup; the month's rollup
 * gets the exact sum of those deltas. All of it in TransactWriteItems across both tables:
 *
 * - one day (upsertCostRecord): a GetItem and one transaction;
 * - the days of one client, provider and month (upsertCostRecordsOfMonth): one Query for their
 *   headers and transactions of up to 10 days (fewer when the 100-item / 4 MB limits say so), one
 *   after another, each moving the monthly rollup once. Days of one month written one by one, in
 *   parallel, would all contend for that monthly item.
 *
 * A lost race re-runs the read-compute-write of what is not yet committed.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { RollupContribution } from "../domain/rollups.js";
import type { IsoDay } from "../domain/cost-record.js";
import { queryAll } from "./query.js";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { monthOf } from "../domain/dates.js";
import type { UnifiedCostRecord } from "../domain/cost-record.js";
import { rollupContribution } from "../domain/rollups.js";
import { abortableSleep, backoffDelay } from "../shared/retry.js";
import { costRecordContentHash } from "./content-hash.js";
import { costRecordToItems } from "./cost-record-item.js";
import {
  COST_RECORD_STORAGE,
  COST_RECORD_SUMMARY,
  type CostRecordStorage,
  type CostRecordSummary,
} from "./cost-record-shapes.js";
import { TransactionTooLargeError, VersionConflictError, WriteContentionError } from "./errors.js";
import { itemSize } from "./item-size.js";
import { keys } from "./keys.js";
import { NO_CONTRIBUTION, rollupDeltaUpdate } from "./rollup-item.js";
import { decodeItem } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export const TRANSACTION_MAX_ITEMS = 100;
/**
 * Days per transaction, below what the limits allow: a month still takes 3 or 4 transactions
 * instead of 31, but none holds DynamoDB (Local, above all) long enough to stall other requests.
 */
export const MAX_DAYS_PER_TRANSACTION = 10;
export const TRANSACTION_MAX_BYTES = 4 * 1024 * 1024;
const MAX_ATTEMPTS = 6;
const CONFLICT_BACKOFF = { baseDelayMs: 20, maxDelayMs: 500, maxAttempts: MAX_ATTEMPTS, maxTotalMs: 10_000 };

export interface UpsertOptions {
  /** The version the caller last saw; null = the day must not exist yet. A mismatch throws at once. */
  expectedVersion?: number | null;
}

export interface UpsertResult {
  outcome: "created" | "updated" | "unchanged";
  /** The stored record's header before this call (without lines and marginal lists). */
  previous?: CostRecordSummary;
  /** The version now stored. */
  version: number;
}

export interface UpsertContext {
  doc: DynamoDBDocumentClient;
  names: TableNames;
  now: () => Date;
}

interface StoredPrevious {
  summary: CostRecordSummary;
  storage: CostRecordStorage;
}

const PROJECTED = [...Object.keys(COST_RECORD_SUMMARY), ...Object.keys(COST_RECORD_STORAGE)];
const projection = (extra: string[] = []) => {
  const names = [...PROJECTED, ...extra];
  return {
    ProjectionExpression: names.map((_, i) => `#p${i}`).join(", "),
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#p${i}`, name])),
  };
};

function storedPrevious(item: Record<string, unknown>): StoredPrevious {
  const what = `cost record ${String(item.PK)}/${String(item.SK)}`;
  return {
    summary: decodeItem(COST_RECORD_SUMMARY, item, what),
    storage: decodeItem(COST_RECORD_STORAGE, item, what),
  };
}

async function readPrevious(
  context: UpsertContext,
  record: UnifiedCostRecord,
): Promise<StoredPrevious | null> {
  const key = keys.costRecord(record.clientId, record.provider, record.date);
  const { Item } = await context.doc.send(
    new GetCommand({ TableName: context.names.data, Key: key, ConsistentRead: true, ...projection() }),
  );
  return Item ? storedPrevious({ ...Item, ...key }) : null;
}

/** The stored headers of days of one client and provider, by day: one consistent Query over their range. */
async function readPreviousOfDays(
  context: UpsertContext,
  records: readonly UnifiedCostRecord[],
): Promise<Map<IsoDay, StoredPrevious>> {
  const [first] = records;
  if (!first) return new Map();
  const days = records.map((record) => record.date).sort();
  const from = keys.costRecord(first.clientId, first.provider, days[0]!);
  const to = keys.costRecord(first.clientId, first.provider, days[days.length - 1]!);
  const { items } = await queryAll(context.doc, {
    TableName: context.names.data,
    KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
    ExpressionAttributeValues: { ":pk": from.PK, ":from": from.SK, ":to": to.SK },
    ConsistentRead: true,
    ...projection(["PK", "SK"]),
  });
  return new Map(items.map((item) => [item.date as IsoDay, storedPrevious(item)]));
}

/** A changed day's part of a transaction, and what it moves the monthly rollup by. */
export interface DayWrite {
  record: UnifiedCostRecord;
  previous: StoredPrevious | null;
  version: number;
  items: TransactItem[];
  before: RollupContribution;
  after: RollupContribution;
}

function rollupTarget(context: UpsertContext, record: UnifiedCostRecord) {
  return {
    table: context.names.timeseries,
    clientId: record.clientId,
    currency: record.reportingCurrency,
    updatedAt: context.now().toISOString(),
  };
}

function dayWrite(
  context: UpsertContext,
  record: UnifiedCostRecord,
  previous: StoredPrevious | null,
  contentHash: string,
): DayWrite {
  const { clientId, provider, date } = record;
  const version = (previous?.summary.version ?? 0) + 1;
  const { header, chunks } = costRecordToItems(record, version, contentHash);
  const condition = previous
    ? {
        ConditionExpression: "#version = :expected",
        ExpressionAttributeNames: { "#version": "version" },
        ExpressionAttributeValues: { ":expected": previous.summary.version },
      }
    : { ConditionExpression: "attribute_not_exists(PK)" };
  const staleChunks = Array.from(
    { length: Math.max(0, (previous?.storage.lineChunks ?? 0) - chunks.length) },
    (_, i) => keys.costLines(clientId, provider, date, chunks.length + i),
  );
  const before = previous ? rollupContribution(previous.summary) : NO_CONTRIBUTION;
  const after = rollupContribution(record);
  const items: TransactItem[] = [
    { Put: { TableName: context.names.data, Item: header, ...condition } },
    ...chunks.map((Item) => ({ Put: { TableName: context.names.data, Item } })),
    ...staleChunks.map((Key) => ({ Delete: { TableName: context.names.data, Key } })),
    rollupDeltaUpdate(
      { ...rollupTarget(context, record), granularity: "DAILY", period: date },
      [before],
      [after],
    ),
  ];
  return { record, previous, version, items, before, after };
}

/** The writes' items and one update moving their month's rollup by the sum of their deltas. */
function transactionOf(context: UpsertContext, writes: readonly DayWrite[]): TransactItem[] {
  const [first] = writes;
  if (!first) return [];
  const monthly = rollupDeltaUpdate(
    { ...rollupTarget(context, first.record), granularity: "MONTHLY", period: monthOf(first.record.date) },
    writes.map((write) => write.before),
    writes.map((write) => write.after),
  );
  return [...writes.flatMap((write) => write.items), monthly];
}

const transactionBytes = (items: readonly TransactItem[]) =>
  items.reduce((sum, item) => sum + itemSize(item.Put?.Item ?? item.Delete?.Key ?? {}), 0);

function assertFitsOneTransaction(record: UnifiedCostRecord, items: TransactItem[]): void {
  const bytes = transactionBytes(items);
  if (items.length > TRANSACTION_MAX_ITEMS || bytes > TRANSACTION_MAX_BYTES) {
    throw new TransactionTooLargeError(
      `cost record ${record.clientId}/${record.provider}/${record.date} needs ${items.length} items and about ` +
        `${bytes} bytes (${record.lines.length} lines), over one transaction's limit of ` +
        `${TRANSACTION_MAX_ITEMS} items and ${TRANSACTION_MAX_BYTES} bytes`,
    );
  }
}

/** Consecutive writes packed into transactions within the day, item and size limits (one monthly update each). */
export function packTransactions<W extends DayWrite>(context: UpsertContext, writes: readonly W[]): W[][] {
  const batches: W[][] = [];
  let batch: W[] = [];
  let items = 1;
  let bytes = 0;
  for (const write of writes) {
    assertFitsOneTransaction(write.record, transactionOf(context, [write]));
    const size = transactionBytes(write.items);
    if (
      batch.length > 0 &&
      (batch.length >= MAX_DAYS_PER_TRANSACTION ||
        items + write.items.length > TRANSACTION_MAX_ITEMS ||
        bytes + size > TRANSACTION_MAX_BYTES)
    ) {
      batches.push(batch);
      [batch, items, bytes] = [[], 1, 0];
    }
    batch.push(write);
    items += write.items.length;
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The header's version condition failed (another writer won), or two transactions collided. */
function lostRace(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some(
    (reason) => reason.Code === "ConditionalCheckFailed" || reason.Code === "TransactionConflict",
  );
}

const recordId = (record: UnifiedCostRecord) => `${record.clientId}/${record.provider}/${record.date}`;

function written(write: DayWrite): UpsertResult {
  return {
    outcome: write.previous ? "updated" : "created",
    ...(write.previous ? { previous: write.previous.summary } : {}),
    version: write.version,
  };
}

function unchanged(previous: StoredPrevious): UpsertResult {
  return { outcome: "unchanged", previous: previous.summary, version: previous.summary.version };
}

/** One day, validated by the caller. */
export async function upsertCostRecord(
  context: UpsertContext,
  record: UnifiedCostRecord,
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const contentHash = costRecordContentHash(record);
  for (let attempt = 1; ; attempt++) {
    const previous = await readPrevious(context, record);
    const storedVersion = previous?.summary.version ?? null;
    if (options.expectedVersion !== undefined && options.expectedVersion !== storedVersion) {
      throw new VersionConflictError(recordId(record), options.expectedVersion, storedVersion);
    }
    if (previous?.storage.contentHash === contentHash) return unchanged(previous);
    const write = dayWrite(context, record, previous, contentHash);
    const TransactItems = transactionOf(context, [write]);
    assertFitsOneTransaction(record, TransactItems);
    try {
      await context.doc.send(new TransactWriteCommand({ TransactItems }));
      return written(write);
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(recordId(record), attempt);
      // With an expected version there is no waiting: the next read shows the winner and throws.
      if (options.expectedVersion === undefined)
        await abortableSleep(backoffDelay(attempt, CONFLICT_BACKOFF));
    }
  }
}

/**
 * Days of one client, provider and month, each day at most once, validated by the caller; results
 * in input order. Transactions commit one after another: after a failure the earlier ones stay.
 */
export async function upsertCostRecordsOfMonth(
  context: UpsertContext,
  records: readonly UnifiedCostRecord[],
): Promise<UpsertResult[]> {
  const results: UpsertResult[] = new Array(records.length);
  const hashes = records.map(costRecordContentHash);
  let pending = records.map((_, index) => index);
  for (let attempt = 1; ; attempt++) {
    const previous = await readPreviousOfDays(
      context,
      pending.map((index) => records[index]!),
    );
    const writes: (DayWrite & { index: number })[] = [];
    for (const index of pending) {
      const record = records[index]!;
      const stored = previous.get(record.date) ?? null;
      if (stored && stored.storage.contentHash === hashes[index]) results[index] = unchanged(stored);
      else writes.push({ ...dayWrite(context, record, stored, hashes[index]!), index });
    }
    pending = [];
    for (const batch of packTransactions(context, writes)) {
      if (pending.length > 0) {
        pending.push(...batch.map((write) => write.index));
        continue;
      }
      try {
        await context.doc.send(new TransactWriteCommand({ TransactItems: transactionOf(context, batch) }));
        for (const write of batch) results[write.index] = written(write);
      } catch (error) {
        if (!lostRace(error)) throw error;
        pending.push(...batch.map((write) => write.index));
      }
    }
    if (pending.length === 0) return results;
    if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(recordId(records[pending[0]!]!), attempt);
    await abortableSleep(backoffDelay(attempt, CONFLICT_BACKOFF));
  }
}
