/**
 * The idempotent write of one (client, provider, day): read the stored header (consistent), and if
 * the content changed, ONE TransactWriteItems across both tables puts the header (conditional on
 * the version read, so concurrent writers cannot interleave), puts the line chunks, deletes chunks
 * the old version had beyond the new count, and ADDs the exact old->new delta to the day's and the
 * month's rollups. A lost race re-runs the whole read-compute-write.
 */
import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { monthOf } from "../domain/dates.js";
import type { UnifiedCostRecord } from "../domain/cost-record.js";
import { rollupContribution } from "../domain/rollups.js";
import { validateCostRecord } from "../domain/validation.js";
import { abortableSleep, backoffDelay } from "../providers/retry.js";
import { costRecordContentHash } from "./content-hash.js";
import { costRecordToItems } from "./cost-record-item.js";
import {
  COST_RECORD_STORAGE,
  COST_RECORD_SUMMARY,
  type CostRecordStorage,
  type CostRecordSummary,
} from "./cost-record-shapes.js";
import { TransactionTooLargeError, VersionConflictError, WriteContentionError } from "./errors.js";
import { throwIfIssues } from "./input.js";
import { itemSize } from "./item-size.js";
import { keys } from "./keys.js";
import { NO_CONTRIBUTION, rollupDeltaUpdate } from "./rollup-item.js";
import { decodeItem } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export const TRANSACTION_MAX_ITEMS = 100;
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

async function readPrevious(
  context: UpsertContext,
  record: UnifiedCostRecord,
): Promise<StoredPrevious | null> {
  const key = keys.costRecord(record.clientId, record.provider, record.date);
  const { Item } = await context.doc.send(
    new GetCommand({
      TableName: context.names.data,
      Key: key,
      ConsistentRead: true,
      ProjectionExpression: PROJECTED.map((_, i) => `#p${i}`).join(", "),
      ExpressionAttributeNames: Object.fromEntries(PROJECTED.map((name, i) => [`#p${i}`, name])),
    }),
  );
  if (!Item) return null;
  const what = `cost record ${key.PK}/${key.SK}`;
  return {
    summary: decodeItem(COST_RECORD_SUMMARY, Item, what),
    storage: decodeItem(COST_RECORD_STORAGE, Item, what),
  };
}

function buildTransaction(
  context: UpsertContext,
  record: UnifiedCostRecord,
  previous: StoredPrevious | null,
  version: number,
  contentHash: string,
): TransactItem[] {
  const { clientId, provider, date } = record;
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
  const rollupBase = {
    table: context.names.timeseries,
    clientId,
    currency: record.reportingCurrency,
    updatedAt: context.now().toISOString(),
  };
  const before = previous ? rollupContribution(previous.summary) : NO_CONTRIBUTION;
  const after = rollupContribution(record);
  const items: TransactItem[] = [
    { Put: { TableName: context.names.data, Item: header, ...condition } },
    ...chunks.map((Item) => ({ Put: { TableName: context.names.data, Item } })),
    ...staleChunks.map((Key) => ({ Delete: { TableName: context.names.data, Key } })),
    rollupDeltaUpdate({ ...rollupBase, granularity: "DAILY", period: date }, before, after),
    rollupDeltaUpdate({ ...rollupBase, granularity: "MONTHLY", period: monthOf(date) }, before, after),
  ];
  assertFitsOneTransaction(record, items);
  return items;
}

function assertFitsOneTransaction(record: UnifiedCostRecord, items: TransactItem[]): void {
  const bytes = items.reduce((sum, item) => sum + itemSize(item.Put?.Item ?? item.Delete?.Key ?? {}), 0);
  if (items.length > TRANSACTION_MAX_ITEMS || bytes > TRANSACTION_MAX_BYTES) {
    throw new TransactionTooLargeError(
      `cost record ${record.clientId}/${record.provider}/${record.date} needs ${items.length} items and about ` +
        `${bytes} bytes (${record.lines.length} lines), over one transaction's limit of ` +
        `${TRANSACTION_MAX_ITEMS} items and ${TRANSACTION_MAX_BYTES} bytes`,
    );
  }
}

/** The header's version condition failed (another writer won), or two transactions collided. */
function lostRace(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some(
    (reason) => reason.Code === "ConditionalCheckFailed" || reason.Code === "TransactionConflict",
  );
}

export async function upsertCostRecord(
  context: UpsertContext,
  record: UnifiedCostRecord,
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  throwIfIssues(validateCostRecord(record));
  const id = `${record.clientId}/${record.provider}/${record.date}`;
  const contentHash = costRecordContentHash(record);
  for (let attempt = 1; ; attempt++) {
    const previous = await readPrevious(context, record);
    const storedVersion = previous?.summary.version ?? null;
    if (options.expectedVersion !== undefined && options.expectedVersion !== storedVersion) {
      throw new VersionConflictError(id, options.expectedVersion, storedVersion);
    }
    const withPrevious = previous ? { previous: previous.summary } : {};
    if (previous?.storage.contentHash === contentHash) {
      return { outcome: "unchanged", ...withPrevious, version: previous.summary.version };
    }
    const version = (storedVersion ?? 0) + 1;
    const TransactItems = buildTransaction(context, record, previous, version, contentHash);
    try {
      await context.doc.send(new TransactWriteCommand({ TransactItems }));
      return { outcome: previous ? "updated" : "created", ...withPrevious, version };
    } catch (error) {
      if (!lostRace(error)) throw error;
      if (attempt >= MAX_ATTEMPTS) throw new WriteContentionError(id, attempt);
      // With an expected version there is no waiting: the next read shows the winner and throws.
      if (options.expectedVersion === undefined)
        await abortableSleep(backoffDelay(attempt, CONFLICT_BACKOFF));
    }
  }
}
