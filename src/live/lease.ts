/**
 * The stream consumer's lease: one item (keys.streamLease) naming the instance that may read the
 * stream, and until when. DynamoDB Streams throttles more than two readers per shard, and two
 * readers would publish every change twice, so exactly one instance per deployment reads.
 *
 * Expiry is compared with the clock of the instance trying to take over, so instance clocks must
 * agree to well within the lease time (NTP does); the holder renews at a fraction of it.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { conditionHeld, deleteIfHeldBy } from "../store/held-items.js";
import { keys } from "../store/keys.js";

export interface LeaseHolder {
  holderId: string;
  /** Epoch milliseconds after which anyone may take the lease. */
  expiresAtMs: number;
}

export interface StreamLeaseOptions {
  doc: DynamoDBDocumentClient;
  /** The data table: it holds the lease item. */
  table: string;
  /** Names the stream the lease is for (the data table's name: it survives stream re-creation). */
  streamName: string;
  holderId?: string;
  leaseMs: number;
  now?: () => number;
}

/** Released or abandoned lease items linger this long before DynamoDB TTL removes them (tidiness only). */
const LEASE_TTL_GRACE_SECONDS = 86_400;

export const defaultHolderId = () => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

export class StreamLease {
  readonly holderId: string;
  readonly leaseMs: number;
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly streamName: string;
  private readonly now: () => number;

  constructor(options: StreamLeaseOptions) {
    if (!Number.isInteger(options.leaseMs) || options.leaseMs < 100) {
      throw new RangeError(`leaseMs must be a whole number of at least 100, got ${String(options.leaseMs)}`);
    }
    this.doc = options.doc;
    this.table = options.table;
    this.streamName = options.streamName;
    this.holderId = options.holderId ?? defaultHolderId();
    this.leaseMs = options.leaseMs;
    this.now = options.now ?? Date.now;
  }

  get key() {
    return keys.streamLease(this.streamName);
  }

  /**
   * Takes the lease when it is free or expired, or extends it when this instance holds it.
   * Returns the expiry this instance may read until (measured from before the write, so a slow
   * round trip shortens it rather than overstating it), or null when another live holder has it.
   */
  async acquireOrRenew(): Promise<number | null> {
    const now = this.now();
    const expiresAtMs = now + this.leaseMs;
    const taken = await conditionHeld(
      this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: {
            ...this.key,
            entity: "STREAM_LEASE",
            holder: this.holderId,
            leaseExpiresAt: expiresAtMs,
            renewedAt: new Date(now).toISOString(),
            expiresAt: Math.floor(expiresAtMs / 1000) + LEASE_TTL_GRACE_SECONDS,
          },
          ConditionExpression: "attribute_not_exists(PK) OR leaseExpiresAt < :now OR holder = :me",
          ExpressionAttributeValues: { ":now": now, ":me": this.holderId },
        }),
      ),
    );
    return taken ? expiresAtMs : null;
  }

  /** Gives the lease up so another instance can take over at once; false when this instance did not hold it. */
  async release(): Promise<boolean> {
    return deleteIfHeldBy(this.doc, this.table, this.key, this.holderId);
  }

  /** The live holder, or null when the lease is free or expired. */
  async current(): Promise<LeaseHolder | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key, ConsistentRead: true }),
    );
    if (!Item || typeof Item.holder !== "string" || typeof Item.leaseExpiresAt !== "number") return null;
    return Item.leaseExpiresAt < this.now()
      ? null
      : { holderId: Item.holder, expiresAtMs: Item.leaseExpiresAt };
  }

  /**
   * The condition a write must carry to be fenced by this lease: a holder that lost the lease
   * (paused past its expiry, then resumed) cannot move checkpoints any more.
   */
  heldCondition() {
    return {
      TableName: this.table,
      Key: this.key,
      ConditionExpression: "holder = :me AND leaseExpiresAt >= :now",
      ExpressionAttributeValues: { ":me": this.holderId, ":now": this.now() },
    };
  }
}
