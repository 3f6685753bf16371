/**
 * The write lease of one client, provider and month: what keeps two writers of the same days apart
 * now that a day's large items go by BatchWriteItem, which cannot be conditional. A lease is a small
 * item of the timeseries table (no stream, so taking and giving it back makes no stream records),
 * taken with a conditional put and given back with a conditional delete. It expires on its own
 * (`leaseExpiresAt`, epoch ms) so a writer that died cannot hold it forever, and the rollup
 * transaction checks it (`fence`), so a writer that lost it moves no rollup.
 *
 * A lease left by a round of this process that is no longer running (its release was lost, e.g.
 * while DynamoDB was cut off) is taken over at once: only another process's lease is waited out.
 */
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { IsoMonth } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import { abortableSleep, backoffDelay } from "../shared/retry.js";
import { WriteContentionError } from "./errors.js";
import { conditionHeld, deleteIfHeldBy } from "./held-items.js";
import { keys, type ItemKey } from "./keys.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Longer than any round takes (a month of days, even of the largest ones), short enough to wait out. */
export const WRITE_LEASE_MS = 15_000;
/** Expired leases linger this long before DynamoDB TTL removes them (only tidiness: expiry is checked). */
const TTL_GRACE_SECONDS = 3_600;
const WAIT = { baseDelayMs: 10, maxDelayMs: 250 };

const PROCESS_TOKEN = randomUUID();
const runningHolders = new Set<string>();
let holderCount = 0;

export interface LeaseContext {
  doc: DynamoDBDocumentClient;
  /** The timeseries table. */
  table: string;
  now: () => Date;
}

export interface WriteLease {
  key: ItemKey;
  holder: string;
}

/** The transaction item that fails the transaction unless `lease` is still held. */
export function fence(context: LeaseContext, lease: WriteLease): TransactItem {
  return {
    ConditionCheck: {
      TableName: context.table,
      Key: lease.key,
      ConditionExpression: "holder = :holder",
      ExpressionAttributeValues: { ":holder": lease.holder },
    },
  };
}

async function tryTake(
  context: LeaseContext,
  key: ItemKey,
  holder: string,
  condition: string,
  stale?: string,
) {
  const now = context.now().getTime();
  return conditionHeld(
    context.doc.send(
      new PutCommand({
        TableName: context.table,
        Item: {
          ...key,
          entity: "WRITE_LEASE",
          holder,
          leaseExpiresAt: now + WRITE_LEASE_MS,
          expiresAt: Math.ceil((now + WRITE_LEASE_MS) / 1000) + TTL_GRACE_SECONDS,
        },
        ConditionExpression: condition,
        ExpressionAttributeValues: stale === undefined ? { ":now": now } : { ":stale": stale },
      }),
    ),
  );
}

/** The holder of a lease that nobody runs any more: a finished round of this process. */
async function abandonedHolder(context: LeaseContext, key: ItemKey): Promise<string | undefined> {
  const { Item } = await context.doc.send(
    new GetCommand({ TableName: context.table, Key: key, ConsistentRead: true }),
  );
  const holder = typeof Item?.holder === "string" ? Item.holder : undefined;
  return holder?.startsWith(`${PROCESS_TOKEN}:`) && !runningHolders.has(holder) ? holder : undefined;
}

/** Waits for the lease of (client, provider, month) and takes it; WriteContentionError after twice its length. */
export async function takeWriteLease(
  context: LeaseContext,
  clientId: string,
  provider: CloudProvider,
  month: IsoMonth,
): Promise<WriteLease> {
  const key = keys.writeLease(clientId, provider, month);
  const holder = `${PROCESS_TOKEN}:${++holderCount}`;
  const started = Date.now();
  for (let attempt = 1; ; attempt++) {
    let taken = await tryTake(context, key, holder, "attribute_not_exists(PK) OR leaseExpiresAt < :now");
    if (!taken) {
      const abandoned = await abandonedHolder(context, key);
      if (abandoned) taken = await tryTake(context, key, holder, "holder = :stale", abandoned);
    }
    if (taken) {
      runningHolders.add(holder);
      return { key, holder };
    }
    if (Date.now() - started > 2 * WRITE_LEASE_MS)
      throw new WriteContentionError(
        `${clientId}/${provider}/${month}`,
        `another writer held the write lease through ${attempt} attempts`,
      );
    await abortableSleep(backoffDelay(attempt, WAIT));
  }
}

/** Gives the lease back if it is still ours. Never throws: an unreturned lease expires or is taken over. */
export async function releaseWriteLease(context: LeaseContext, lease: WriteLease): Promise<void> {
  runningHolders.delete(lease.holder);
  await deleteIfHeldBy(context.doc, context.table, lease.key, lease.holder).catch(() => undefined);
}
