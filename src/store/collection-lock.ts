/**
 * The collection lock: one item per (client, provider) that keeps two jobs from pulling the same
 * data at once. It expires on its own (`lockExpiresAt`), so a crashed job cannot hold it forever.
 */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { CloudProvider } from "../domain/provider.js";
import { describeValue, ValidationError } from "../domain/validation.js";
import { conditionHeld, deleteIfHeldBy } from "./held-items.js";
import { checkId, checkProvider } from "./input.js";
import { keys } from "./keys.js";
import type { TableNames } from "./table-definitions.js";

export interface LockHolder {
  jobId: string;
  /** Epoch seconds after which the lock is free for anyone. */
  lockExpiresAt: number;
}

/** Expired locks linger this long before DynamoDB TTL removes them (only tidiness: expiry is checked). */
const LOCK_TTL_GRACE_SECONDS = 3_600;

export class CollectionLockStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly now: () => Date;

  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames; now?: () => Date }) {
    this.doc = options.doc;
    this.table = options.names.data;
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Takes the (client, provider) collection lock for `jobId` for `ttlSeconds`. Succeeds when the
   * lock is free, expired, or already this job's (which extends it); false when another job holds it.
   */
  acquire(clientId: string, provider: CloudProvider, jobId: string, ttlSeconds: number): Promise<boolean> {
    return this.put(
      clientId,
      provider,
      jobId,
      ttlSeconds,
      "attribute_not_exists(PK) OR lockExpiresAt < :now OR holder = :job",
    );
  }

  /**
   * Extends the lock for a job that holds it (even past its expiry, while nobody took it over).
   * False when the lock is gone or another job's: released for this job, or taken over.
   */
  renew(clientId: string, provider: CloudProvider, jobId: string, ttlSeconds: number): Promise<boolean> {
    return this.put(clientId, provider, jobId, ttlSeconds, "holder = :job");
  }

  private async put(
    clientId: string,
    provider: CloudProvider,
    jobId: string,
    ttlSeconds: number,
    condition: string,
  ): Promise<boolean> {
    checkId(jobId, "jobId");
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new ValidationError(
        "ttlSeconds",
        `${describeValue(ttlSeconds)} is not a positive whole number of seconds`,
      );
    }
    const now = this.epochSeconds();
    return conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.lockKey(clientId, provider),
            entity: "COLLECTION_LOCK",
            holder: jobId,
            lockExpiresAt: now + ttlSeconds,
            acquiredAt: this.now().toISOString(),
            expiresAt: now + ttlSeconds + LOCK_TTL_GRACE_SECONDS,
          },
          ConditionExpression: condition,
          ExpressionAttributeValues: {
            ":job": jobId,
            ...(condition.includes(":now") ? { ":now": now } : {}),
          },
        }),
      ),
    );
  }

  /** Releases the lock if `jobId` holds it; false when it does not (someone else took it over). */
  async release(clientId: string, provider: CloudProvider, jobId: string): Promise<boolean> {
    checkId(jobId, "jobId");
    return deleteIfHeldBy(this.doc, this.table, this.lockKey(clientId, provider), jobId);
  }

  /** The job holding the lock now; null when it is free or expired. */
  async holder(clientId: string, provider: CloudProvider): Promise<LockHolder | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.lockKey(clientId, provider), ConsistentRead: true }),
    );
    if (!Item || typeof Item.holder !== "string" || typeof Item.lockExpiresAt !== "number") return null;
    return Item.lockExpiresAt < this.epochSeconds()
      ? null
      : { jobId: Item.holder, lockExpiresAt: Item.lockExpiresAt };
  }

  private lockKey(clientId: string, provider: CloudProvider) {
    return keys.collectionLock(checkId(clientId, "clientId"), checkProvider(provider, "provider"));
  }

  private epochSeconds(): number {
    return Math.floor(this.now().getTime() / 1000);
  }
}
