/**
 * Per-shard checkpoints (keys.streamCheckpoint): the last sequence number whose events were
 * published, and whether the shard is closed and fully read. Written only after publishing, so a
 * consumer that dies re-reads at most its last unsaved batch (at-least-once), and fenced by the
 * lease, so a holder that lost the lease cannot move them.
 */
import { TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { keys } from "../store/keys.js";
import { queryAll } from "../store/query.js";
import { itemFields } from "../store/item-fields.js";
import type { StreamLease } from "./lease.js";

export interface ShardCheckpoint {
  shardId: string;
  /** Absent for a shard that closed before any record was read from it. */
  sequenceNumber?: string;
  finished: boolean;
}

/** Raised when a checkpoint write finds the lease held by someone else (or expired). */
export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

/** Shards vanish from the stream 24 h after they close; their checkpoints outlive them by this, then TTL tidies them. */
const CHECKPOINT_TTL_SECONDS = 7 * 86_400;

export class CheckpointStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly streamName: string;
  private readonly now: () => number;

  constructor(options: {
    doc: DynamoDBDocumentClient;
    table: string;
    streamName: string;
    now?: () => number;
  }) {
    this.doc = options.doc;
    this.table = options.table;
    this.streamName = options.streamName;
    this.now = options.now ?? Date.now;
  }

  /** Every checkpoint of the stream, by shard id (one Query). */
  async loadAll(): Promise<Map<string, ShardCheckpoint>> {
    const { PK, SK } = keys.streamCheckpoint(this.streamName, "");
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": PK, ":prefix": SK },
      ConsistentRead: true,
    });
    const checkpoints = new Map<string, ShardCheckpoint>();
    for (const item of items) {
      const fields = itemFields(item, `stream checkpoint ${String(item.SK)}`);
      const sequenceNumber = fields.optionalString("sequenceNumber");
      const shardId = fields.string("shardId");
      checkpoints.set(shardId, {
        shardId,
        finished: fields.boolean("finished"),
        ...(sequenceNumber !== undefined ? { sequenceNumber } : {}),
      });
    }
    return checkpoints;
  }

  /** Saves a checkpoint if `lease` is still held; LeaseLostError otherwise. */
  async save(checkpoint: ShardCheckpoint, lease: StreamLease): Promise<void> {
    const now = this.now();
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: lease.heldCondition() },
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.streamCheckpoint(this.streamName, checkpoint.shardId),
                  entity: "STREAM_CHECKPOINT",
                  ...checkpoint,
                  holder: lease.holderId,
                  updatedAt: new Date(now).toISOString(),
                  expiresAt: Math.floor(now / 1000) + CHECKPOINT_TTL_SECONDS,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (leaseConditionFailed(error)) {
        throw new LeaseLostError(
          `lease for stream ${this.streamName} is no longer held by ${lease.holderId}`,
        );
      }
      throw error;
    }
  }
}

function leaseConditionFailed(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons[0]?.Code === "ConditionalCheckFailed";
}
