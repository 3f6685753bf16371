/**
 * The idempotent write of (client, provider, day) records, a round at a time: days of one client
 * and month, each (provider, day) at most once, under the write lease of each provider's month
 * (write-lease.ts). In a round:
 *
 * 1. one consistent Query per provider reads the stored headers of its days, and one consistent
 *    BatchGetItem the days' rollups;
 * 2. one TransactWriteItems of small items, fenced by the leases, moves each day's rollup from
 *    what it holds for each provider to the provider's new record (a rollup keeps providers apart,
 *    so it says itself what it holds: `providerShare`) and the month's rollup by the exact sum of
 *    those moves;
 * 3. the changed days are put by BatchWriteItem, each day's header, line chunks and deletes of the
 *    chunks its previous version had beyond the new count in one call (`dayCalls`): after the
 *    rollups, so a stream consumer that sees a header finds its rollups already moved.
 *
 * Large items go by BatchWriteItem because a transaction costs twice the write units on DynamoDB
 * and, on DynamoDB Local, several times the time: the lease, not a condition on each header, keeps
 * writers of the same days apart. Rollups follow the records whatever happened before: a round
 * cut off after step 2 is completed by the next write of its days, which finds the rollups level
 * (or not) with the records by themselves; until then the rollups are a step ahead of the headers.
 */
import {
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { IsoDay, IsoMonth, UnifiedCostRecord } from "../domain/cost-record.js";
import { monthOf } from "../domain/dates.js";
import type { CloudProvider } from "../domain/provider.js";
import type { UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import { providerShare, rollupContribution, type RollupContribution } from "../domain/rollups.js";
import { BATCH_WRITE_LIMIT, batchGetAll, batchWriteCalls, type WriteRequest } from "./batch.js";
import { costRecordContentHash } from "./content-hash.js";
import { costRecordToItems } from "./cost-record-item.js";
import {
  COST_RECORD_STORAGE,
  COST_RECORD_SUMMARY,
  type CostRecordStorage,
  type CostRecordSummary,
} from "./cost-record-shapes.js";
import {
  isTransactionCollision,
  isTransactionConditionFailure,
  VersionConflictError,
  WriteContentionError,
} from "./errors.js";
import { keys, type ItemKey } from "./keys.js";
import { queryAll, type StoredItem } from "./query.js";
import { rollupDeltaUpdate, timeSeriesFromItem } from "./rollup-item.js";
import { abortableSleep, backoffDelay } from "../shared/retry.js";
import { decodeItem } from "./shape.js";
import type { TableNames } from "./table-definitions.js";
import {
  fence,
  releaseWriteLease,
  takeWriteLease,
  type LeaseContext,
  type WriteLease,
} from "./write-lease.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

export interface UpsertOptions {
  /** The version the caller last saw; null = the day must not exist yet. A mismatch throws, nothing written. */
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

const PROJECTED = ["PK", "SK", ...Object.keys(COST_RECORD_SUMMARY), ...Object.keys(COST_RECORD_STORAGE)];
const PROJECTION = {
  ProjectionExpression: PROJECTED.map((_, i) => `#p${i}`).join(", "),
  ExpressionAttributeNames: Object.fromEntries(PROJECTED.map((name, i) => [`#p${i}`, name])),
};

function storedPrevious(item: StoredItem): StoredPrevious {
  const what = `cost record ${String(item.PK)}/${String(item.SK)}`;
  return {
    summary: decodeItem(COST_RECORD_SUMMARY, item, what),
    storage: decodeItem(COST_RECORD_STORAGE, item, what),
  };
}

const dayKey = (provider: CloudProvider, day: IsoDay) => `${provider}#${day}`;

/** The stored headers of one provider's days, by provider and day: one consistent Query over their range. */
async function readHeaders(
  context: UpsertContext,
  records: readonly UnifiedCostRecord[],
): Promise<Map<string, StoredPrevious>> {
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
    ...PROJECTION,
  });
  return new Map(
    items.map((item) => {
      const stored = storedPrevious(item);
      return [dayKey(first.provider, stored.summary.date), stored];
    }),
  );
}

/** The days' rollups as stored now (consistent; a round has at most 31 days: one call). */
async function readDailyRollups(
  context: UpsertContext,
  clientId: string,
  days: readonly IsoDay[],
): Promise<Map<IsoDay, UnifiedTimeSeriesRecord>> {
  const table = context.names.timeseries;
  const found = await batchGetAll(context.doc, {
    [table]: { Keys: days.map((day) => ({ ...keys.dailyRollup(clientId, day) })), ConsistentRead: true },
  });
  return new Map(
    (found[table] ?? []).map((item) => {
      const rollup = timeSeriesFromItem(item);
      return [rollup.period, rollup];
    }),
  );
}

/** A record of the round: what is stored for its day, and what writing it takes. */
interface PlannedDay {
  index: number;
  record: UnifiedCostRecord;
  stored: StoredPrevious | null;
  /** Absent when the stored content is the same (nothing to put). */
  items?: { header: StoredItem; chunks: StoredItem[]; staleChunks: ItemKey[] };
}

function planDay(index: number, record: UnifiedCostRecord, stored: StoredPrevious | null): PlannedDay {
  const contentHash = costRecordContentHash(record);
  if (stored?.storage.contentHash === contentHash) return { index, record, stored };
  const { clientId, provider, date } = record;
  const { header, chunks } = costRecordToItems(record, (stored?.summary.version ?? 0) + 1, contentHash);
  const staleChunks = Array.from(
    { length: Math.max(0, (stored?.storage.lineChunks ?? 0) - chunks.length) },
    (_, i) => keys.costLines(clientId, provider, date, chunks.length + i),
  );
  return { index, record, stored, items: { header, chunks, staleChunks } };
}

/**
 * The changed days' writes packed into BatchWriteItem calls so that a day's header, chunks and
 * deletes of stale chunks travel in one call (unless it alone has more than 25): DynamoDB carries
 * out a call it received even when its sender dies, so a killed writer leaves each day whole, old
 * or new. Only a call's unprocessed remainder, resent, could split a day. (25 items of at most
 * 400 KB stay below a call's 16 MB.)
 */
function dayCalls(changed: readonly PlannedDay[]): WriteRequest[][] {
  const calls: WriteRequest[][] = [];
  let call: WriteRequest[] = [];
  for (const { items } of changed) {
    const { header, chunks, staleChunks } = items!;
    const requests: WriteRequest[] = [
      ...chunks.map((Item) => ({ PutRequest: { Item } })),
      ...staleChunks.map((Key) => ({ DeleteRequest: { Key: { ...Key } } })),
      { PutRequest: { Item: header } },
    ];
    if (call.length > 0 && call.length + requests.length > BATCH_WRITE_LIMIT) {
      calls.push(call);
      call = [];
    }
    for (const request of requests) {
      if (call.length === BATCH_WRITE_LIMIT) {
        calls.push(call);
        call = [];
      }
      call.push(request);
    }
  }
  if (call.length > 0) calls.push(call);
  return calls;
}

function resultOf(day: PlannedDay): UpsertResult {
  const previous = day.stored ? { previous: day.stored.summary } : {};
  if (!day.items) return { outcome: "unchanged", ...previous, version: day.stored!.summary.version };
  return {
    outcome: day.stored ? "updated" : "created",
    ...previous,
    version: (day.stored?.summary.version ?? 0) + 1,
  };
}

/**
 * Each day's rollup moved from what it holds for the round's providers to their records, and the
 * month's by the sum of those moves; empty when every rollup already holds its records.
 */
function rollupMoves(
  context: UpsertContext,
  clientId: string,
  month: IsoMonth,
  days: readonly PlannedDay[],
  rollups: ReadonlyMap<IsoDay, UnifiedTimeSeriesRecord>,
): TransactItem[] {
  const byDay = new Map<IsoDay, PlannedDay[]>();
  for (const day of days) byDay.set(day.record.date, [...(byDay.get(day.record.date) ?? []), day]);
  const target = (currency: string) => ({
    table: context.names.timeseries,
    clientId,
    currency,
    updatedAt: context.now().toISOString(),
  });
  const moves: TransactItem[] = [];
  const held: RollupContribution[] = [];
  const next: RollupContribution[] = [];
  let currency = "";
  for (const [date, planned] of byDay) {
    const before = planned.map(({ record }) => providerShare(rollups.get(date) ?? null, record.provider));
    const after = planned.map(({ record }) => rollupContribution(record));
    currency = planned[0]!.record.reportingCurrency;
    const move = rollupDeltaUpdate(
      { ...target(currency), granularity: "DAILY", period: date },
      before,
      after,
    );
    if (!move) continue;
    moves.push(move);
    held.push(...before);
    next.push(...after);
  }
  const monthly = rollupDeltaUpdate(
    { ...target(currency), granularity: "MONTHLY", period: month },
    held,
    next,
  );
  return monthly ? [...moves, monthly] : moves;
}

/** BatchWriteItem calls of one round in flight at once: a month of 3 providers is about 8 calls. */
const BATCH_CALLS_IN_FLIGHT = 4;
const COLLISION_RETRY = { baseDelayMs: 20, maxDelayMs: 500 };
const COLLISION_ATTEMPTS = 8;

/**
 * Sends the rollup moves fenced by the leases. A collision with another round's transaction (other
 * providers of the same days) is sent again: each round moves only its own providers' figures, and
 * the shared total and count by ADD, so the order does not matter.
 */
async function moveRollups(
  context: UpsertContext,
  leaseContext: LeaseContext,
  moves: TransactItem[],
  leases: readonly WriteLease[],
  id: string,
): Promise<void> {
  const TransactItems = [...moves, ...leases.map((lease) => fence(leaseContext, lease))];
  for (let attempt = 1; ; attempt++) {
    try {
      await context.doc.send(new TransactWriteCommand({ TransactItems }));
      return;
    } catch (error) {
      if (isTransactionConditionFailure(error))
        throw new WriteContentionError(id, "the write lease expired before the rollups moved");
      if (!isTransactionCollision(error) || attempt >= COLLISION_ATTEMPTS) throw error;
      await abortableSleep(backoffDelay(attempt, COLLISION_RETRY));
    }
  }
}

/**
 * One round (validated by the caller: one client and month, each (provider, day) at most once);
 * results in input order. `expectedVersion` applies to every record of the round.
 */
export async function upsertCostRecordsOfMonth(
  context: UpsertContext,
  records: readonly UnifiedCostRecord[],
  options: UpsertOptions = {},
): Promise<UpsertResult[]> {
  const [first] = records;
  if (!first) return [];
  const { clientId } = first;
  const month = monthOf(first.date);
  const leaseContext: LeaseContext = { doc: context.doc, table: context.names.timeseries, now: context.now };
  const providers = [...new Set(records.map((record) => record.provider))].sort();
  const leases: WriteLease[] = [];
  try {
    // In one order everywhere, so two rounds never wait for each other's leases.
    for (const provider of providers)
      leases.push(await takeWriteLease(leaseContext, clientId, provider, month));
    const [headers, rollups] = await Promise.all([
      Promise.all(
        providers.map((p) =>
          readHeaders(
            context,
            records.filter((r) => r.provider === p),
          ),
        ),
      ),
      readDailyRollups(context, clientId, [...new Set(records.map((record) => record.date))]),
    ]);
    const stored = new Map(headers.flatMap((found) => [...found]));
    const storedOf = (record: UnifiedCostRecord) => stored.get(dayKey(record.provider, record.date)) ?? null;
    // Before any record is hashed and compressed: a conflict writes nothing.
    if (options.expectedVersion !== undefined) {
      for (const record of records) {
        const version = storedOf(record)?.summary.version ?? null;
        if (version !== options.expectedVersion)
          throw new VersionConflictError(
            `${record.clientId}/${record.provider}/${record.date}`,
            options.expectedVersion,
            version,
          );
      }
    }
    const days = records.map((record, index) => planDay(index, record, storedOf(record)));
    const changed = days.filter((day) => day.items);
    const moves = rollupMoves(context, clientId, month, days, rollups);
    if (moves.length > 0)
      await moveRollups(context, leaseContext, moves, leases, `${clientId}/${providers.join("+")}/${month}`);
    await batchWriteCalls(context.doc, context.names.data, dayCalls(changed), {
      inFlight: BATCH_CALLS_IN_FLIGHT,
    });
    return days.map(resultOf);
  } finally {
    await Promise.all(leases.map((lease) => releaseWriteLease(leaseContext, lease)));
  }
}

/** One day, validated by the caller. */
export async function upsertCostRecord(
  context: UpsertContext,
  record: UnifiedCostRecord,
  options: UpsertOptions = {},
): Promise<UpsertResult> {
  const [result] = await upsertCostRecordsOfMonth(context, [record], options);
  return result!;
}
