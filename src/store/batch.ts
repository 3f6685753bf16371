/**
 * BatchWriteItem / BatchGetItem that finish the job: chunk to the API limits (25 writes, 100 keys)
 * and resend UnprocessedItems / UnprocessedKeys with exponential backoff and full jitter, a bounded
 * number of times. DynamoDB returns unprocessed entries under throttling, not as errors, so a caller
 * that ignores them silently loses writes.
 */
import {
  BatchGetCommand,
  BatchWriteCommand,
  type BatchGetCommandInput,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { abortableSleep, backoffDelay } from "../shared/retry.js";
import { BatchIncompleteError } from "./errors.js";
import type { ItemKey } from "./keys.js";
import type { StoredItem } from "./query.js";

export const BATCH_WRITE_LIMIT = 25;
export const BATCH_GET_LIMIT = 100;

export type WriteRequest = NonNullable<BatchWriteCommandInput["RequestItems"]>[string][number];
type KeysAndAttributes = NonNullable<BatchGetCommandInput["RequestItems"]>[string];
export type BatchGetRequest = Record<string, KeysAndAttributes>;

export interface BatchRetryOptions {
  /** Attempts per chunk, the first included. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const DEFAULTS = { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 };

function retryPolicy(options: BatchRetryOptions) {
  const merged = { ...DEFAULTS, ...options };
  return { ...merged, maxTotalMs: Number.POSITIVE_INFINITY };
}

function chunk<T>(values: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < values.length; i += size) chunks.push(values.slice(i, i + size));
  return chunks;
}

/** Writes every request to `table`, 25 per call, until none is left unprocessed. */
export function batchWriteAll(
  doc: DynamoDBDocumentClient,
  table: string,
  requests: readonly WriteRequest[],
  options: BatchRetryOptions = {},
): Promise<void> {
  return batchWriteCalls(doc, table, chunk(requests, BATCH_WRITE_LIMIT), options);
}

/**
 * Sends each call's requests (at most 25) to `table` in one BatchWriteItem, resending what comes
 * back unprocessed; `inFlight` calls at once (1 by default). After a call gives up, calls not yet
 * sent are not sent.
 */
export async function batchWriteCalls(
  doc: DynamoDBDocumentClient,
  table: string,
  calls: readonly (readonly WriteRequest[])[],
  options: BatchRetryOptions & { inFlight?: number } = {},
): Promise<void> {
  const policy = retryPolicy(options);
  let next = 0;
  let failed = false;
  const send = async (first: readonly WriteRequest[]) => {
    let pending = first;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > policy.maxAttempts) {
        failed = true;
        const notSent = calls.slice(next).reduce((sum, c) => sum + c.length, 0);
        throw new BatchIncompleteError("BatchWriteItem", pending.length + notSent, policy.maxAttempts);
      }
      if (attempt > 1) await abortableSleep(backoffDelay(attempt - 1, policy));
      const out = await doc.send(new BatchWriteCommand({ RequestItems: { [table]: [...pending] } }));
      pending = out.UnprocessedItems?.[table] ?? [];
    }
  };
  const worker = async () => {
    while (!failed && next < calls.length) await send(calls[next++]!);
  };
  const inFlight = Math.max(1, Math.min(options.inFlight ?? 1, calls.length));
  await Promise.all(Array.from({ length: inFlight }, worker));
}

function keyCount(request: BatchGetRequest): number {
  return Object.values(request).reduce((sum, entry) => sum + (entry.Keys?.length ?? 0), 0);
}

/** Splits a multi-table request into requests of at most `limit` keys, duplicates dropped. */
function splitGetRequest(request: BatchGetRequest, limit: number): BatchGetRequest[] {
  const parts: BatchGetRequest[] = [];
  let current: BatchGetRequest = {};
  let size = 0;
  for (const [table, entry] of Object.entries(request)) {
    const seen = new Set<string>();
    for (const key of entry.Keys ?? []) {
      const id = JSON.stringify(key);
      if (seen.has(id)) continue;
      seen.add(id);
      if (size === limit) {
        parts.push(current);
        current = {};
        size = 0;
      }
      const target = (current[table] ??= { ...entry, Keys: [] });
      target.Keys?.push(key);
      size++;
    }
  }
  if (size > 0) parts.push(current);
  return parts;
}

/**
 * Reads every key, 100 per call, resending UnprocessedKeys. Returns the items per table in no
 * particular order (BatchGetItem does not keep one); see `inKeyOrder`.
 */
export async function batchGetAll(
  doc: DynamoDBDocumentClient,
  request: BatchGetRequest,
  options: BatchRetryOptions = {},
): Promise<Record<string, StoredItem[]>> {
  const policy = retryPolicy(options);
  const found: Record<string, StoredItem[]> = {};
  for (const table of Object.keys(request)) found[table] = [];
  const parts = splitGetRequest(request, BATCH_GET_LIMIT);
  for (const [index, part] of parts.entries()) {
    let pending: BatchGetRequest = part;
    for (let attempt = 1; keyCount(pending) > 0; attempt++) {
      if (attempt > policy.maxAttempts) {
        const notSent = parts.slice(index + 1).reduce((sum, p) => sum + keyCount(p), 0);
        throw new BatchIncompleteError("BatchGetItem", keyCount(pending) + notSent, policy.maxAttempts);
      }
      if (attempt > 1) await abortableSleep(backoffDelay(attempt - 1, policy));
      const out = await doc.send(new BatchGetCommand({ RequestItems: pending }));
      for (const [table, items] of Object.entries(out.Responses ?? {})) (found[table] ??= []).push(...items);
      pending = (out.UnprocessedKeys ?? {}) as BatchGetRequest;
    }
  }
  return found;
}

const keyId = (key: { PK?: unknown; SK?: unknown }) => `${String(key.PK)}\u0000${String(key.SK)}`;

/** Items of `table` by key (eventually consistent reads), one entry per key, null where missing. */
export type KeyedRead = (table: string, keys: readonly ItemKey[]) => Promise<(StoredItem | null)[]>;

/** Each call its own BatchGetItem calls. */
export function keyedRead(doc: DynamoDBDocumentClient, options: BatchRetryOptions = {}): KeyedRead {
  return async (table, keys) =>
    keys.length === 0
      ? []
      : inKeyOrder(keys, (await batchGetAll(doc, { [table]: { Keys: [...keys] } }, options))[table] ?? []);
}

/**
 * Calls made in the same turn of the event loop share BatchGetItem calls (100 keys each, across
 * tables, sent at once): what one GraphQL request's loaders ask for together (the client's profile,
 * record headers, rollups) costs the fewest requests the keys allow, not one partial call per kind.
 */
export function keyedReadsTogether(doc: DynamoDBDocumentClient, options: BatchRetryOptions = {}): KeyedRead {
  interface Waiting {
    table: string;
    keys: readonly ItemKey[];
    resolve: (items: (StoredItem | null)[]) => void;
    reject: (error: unknown) => void;
  }
  let waiting: Waiting[] = [];
  const send = async () => {
    const calls = waiting;
    waiting = [];
    const request: BatchGetRequest = {};
    for (const { table, keys } of calls) (request[table] ??= { Keys: [] }).Keys!.push(...keys);
    try {
      const found: Record<string, StoredItem[]> = {};
      const parts = splitGetRequest(request, BATCH_GET_LIMIT);
      for (const part of await Promise.all(parts.map((p) => batchGetAll(doc, p, options))))
        for (const [table, items] of Object.entries(part)) (found[table] ??= []).push(...items);
      for (const { table, keys, resolve } of calls) resolve(inKeyOrder(keys, found[table] ?? []));
    } catch (error) {
      for (const { reject } of calls) reject(error);
    }
  };
  return (table, keys) => {
    if (keys.length === 0) return Promise.resolve([]);
    if (waiting.length === 0) setImmediate(() => void send());
    return new Promise((resolve, reject) => waiting.push({ table, keys, resolve, reject }));
  };
}

/** Matches batch results back to the requested keys: one entry per key, null where nothing was found. */
export function inKeyOrder(keys: readonly ItemKey[], items: readonly StoredItem[]): (StoredItem | null)[] {
  const byKey = new Map(items.map((item) => [keyId(item), item]));
  return keys.map((key) => byKey.get(keyId(key)) ?? null);
}
