/**
 * The reading half of the stream consumer, used only while the lease is held: passes over the
 * readable shards, publishing each batch and then checkpointing it.
 *
 * - At-least-once: a shard's checkpoint is saved AFTER its batch is published, so a crash re-reads
 *   at most that batch. Events carry `version` and `eventId` so clients can drop repeats.
 * - Where reading starts: after the shard's checkpoint; a shard without one (first deployment, or a
 *   child shard born from a rollover) starts at TRIM_HORIZON, the oldest retained record. That is
 *   the no-loss choice: LATEST would skip whatever was written between the shard's creation and
 *   our first read. The price is a one-time replay of up to 24 h on a first deployment.
 * - Shard rollover: a closed shard answers without NextShardIterator; it is marked finished and the
 *   shard list is re-read, so its children become readable (parents before children).
 * - Expired iterators (15 min) and any other failure drop the shard's iterator; the next pass asks
 *   for a new one AFTER_SEQUENCE_NUMBER of the last checkpoint, so nothing is skipped.
 */
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { DynamoDBStreamsClient, _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import type { Logger } from "../observability/logger.js";
import type { CheckpointStore } from "./checkpoints.js";
import {
  changedClientOf,
  decodeStreamRecord,
  isReaderBookkeeping,
  type CostRecordHeaderChange,
  type StreamItemChange,
} from "../store/stream-items.js";
import { eventsOf, type LiveEvent } from "./events.js";
import type { StreamLease } from "./lease.js";
import type { PubSub } from "./pubsub.js";
import { latestStreamArn, listShards, readableShards, type ShardInfo } from "./stream-shards.js";

export interface StreamReaderOptions {
  dynamo: DynamoDBClient;
  streams: DynamoDBStreamsClient;
  table: string;
  checkpoints: CheckpointStore;
  /** Fences checkpoint writes (a reader that lost the lease gets LeaseLostError). */
  lease: StreamLease;
  pubsub: PubSub;
  logger: Logger;
  shardRefreshMs: number;
  batchSize: number;
  onLag?: (lagMs: number) => void;
  /**
   * Sees a batch's cost-record changes after their events are published and before the batch is
   * checkpointed (so a crash re-delivers them: what it does must be idempotent). A failure fails
   * the batch, which is read again.
   */
  onRecordChanges?: (changes: readonly CostRecordHeaderChange[]) => Promise<void>;
  /**
   * Told which clients' data a batch changed before any of its events is published (the read
   * caches drop what they kept of them). A failure fails the batch, which is read again.
   */
  onDataChanged?: (clientIds: readonly string[]) => Promise<void>;
}

interface ShardPosition {
  iterator?: string;
  /** The last sequence number published and checkpointed. */
  sequenceNumber?: string;
}

export const errorNamed = (error: unknown, name: string) => error instanceof Error && error.name === name;
export const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class StreamReader {
  private readonly options: StreamReaderOptions;
  private streamArn: string | undefined;
  /** Undefined until listed since the last reset; then re-listed every shardRefreshMs. */
  private shards: ShardInfo[] | undefined;
  private shardsListedAt = 0;
  private readonly finished = new Set<string>();
  private readonly positions = new Map<string, ShardPosition>();
  private lag: number | null = null;

  constructor(options: StreamReaderOptions) {
    this.options = options;
  }

  get shardsListed(): boolean {
    return this.shards !== undefined;
  }

  lagMs(): number | null {
    return this.lag;
  }

  /** Forgets all positions: the next pass starts from the saved checkpoints (after a lease change). */
  reset(): void {
    this.shards = undefined;
    this.finished.clear();
    this.positions.clear();
  }

  /**
   * One pass over the readable shards while `keepReading()` holds; true when any shard had records
   * (or closed), so the caller should come back at once instead of idling.
   */
  async readPass(keepReading: () => boolean): Promise<boolean> {
    if (!this.shards || Date.now() - this.shardsListedAt >= this.options.shardRefreshMs) {
      await this.refreshShards();
    }
    let busy = false;
    for (const shard of readableShards(this.shards ?? [], this.finished)) {
      if (!keepReading()) break;
      busy = (await this.readShard(shard.shardId)) || busy;
    }
    if (!busy) this.reportLag(0);
    return busy;
  }

  private async refreshShards(): Promise<void> {
    const { dynamo, streams, table, checkpoints } = this.options;
    this.streamArn ??= await latestStreamArn(dynamo, table);
    const fresh = this.shards === undefined;
    const [shards, saved] = await Promise.all([
      listShards(streams, this.streamArn),
      fresh ? checkpoints.loadAll() : undefined,
    ]);
    for (const checkpoint of saved?.values() ?? []) {
      if (checkpoint.finished) this.finished.add(checkpoint.shardId);
      else this.positions.set(checkpoint.shardId, { sequenceNumber: checkpoint.sequenceNumber });
    }
    this.shards = shards;
    this.shardsListedAt = Date.now();
  }

  private async readShard(shardId: string): Promise<boolean> {
    const position = this.positions.get(shardId) ?? {};
    this.positions.set(shardId, position);
    // Taken out of the state: any failure below leaves the shard to get a fresh iterator next pass.
    const iterator = position.iterator ?? (await this.iteratorFor(shardId, position.sequenceNumber));
    position.iterator = undefined;
    let page;
    try {
      page = await this.options.streams.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize }),
      );
    } catch (error) {
      if (errorNamed(error, "ExpiredIteratorException")) return true;
      throw error;
    }
    const records = page.Records ?? [];
    await this.publishAll(records);
    const last = records.at(-1)?.dynamodb;
    const sequenceNumber = last?.SequenceNumber ?? position.sequenceNumber;
    const closed = !page.NextShardIterator;
    // A checkpoint is itself a change in the stream: saving one after reading only the reader's own
    // writes would write again for every write read, forever.
    if (records.some((record) => !isReaderBookkeeping(record)) || closed) {
      await this.options.checkpoints.save(
        { shardId, finished: closed, ...(sequenceNumber ? { sequenceNumber } : {}) },
        this.options.lease,
      );
    }
    position.sequenceNumber = sequenceNumber;
    position.iterator = page.NextShardIterator;
    if (closed) {
      this.options.logger.info({ shardId }, "stream shard finished; reading its children next");
      this.finished.add(shardId);
      this.positions.delete(shardId);
      this.shardsListedAt = 0;
    }
    if (last?.ApproximateCreationDateTime) {
      this.reportLag(Date.now() - last.ApproximateCreationDateTime.getTime());
    }
    return records.length > 0 || closed;
  }

  private async iteratorFor(shardId: string, after: string | undefined): Promise<string> {
    const { streams, logger } = this.options;
    const shard = { StreamArn: this.streamArn, ShardId: shardId };
    if (after) {
      try {
        const { ShardIterator } = await streams.send(
          new GetShardIteratorCommand({
            ...shard,
            ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
            SequenceNumber: after,
          }),
        );
        if (ShardIterator) return ShardIterator;
      } catch (error) {
        if (!errorNamed(error, "TrimmedDataAccessException")) throw error;
        // The stream keeps 24 h: a consumer down longer than that cannot recover what fell out.
        logger.error(
          { shardId },
          "stream records after the checkpoint were trimmed; continuing from the oldest",
        );
      }
    }
    const { ShardIterator } = await streams.send(
      new GetShardIteratorCommand({ ...shard, ShardIteratorType: "TRIM_HORIZON" }),
    );
    if (!ShardIterator) throw new Error(`no shard iterator returned for ${shardId}`);
    return ShardIterator;
  }

  private async publishAll(records: readonly StreamRecord[]): Promise<void> {
    const changedClients = new Set(records.map(changedClientOf).filter((id) => id !== undefined));
    if (changedClients.size > 0) await this.options.onDataChanged?.([...changedClients]);
    const recordChanges: CostRecordHeaderChange[] = [];
    for (const record of records) {
      let change: StreamItemChange | undefined;
      try {
        change = decodeStreamRecord(record);
      } catch (error) {
        // One undecodable item must not block the stream behind it.
        this.options.logger.error(
          { error: messageOf(error), sequenceNumber: record.dynamodb?.SequenceNumber },
          "skipping a stream record that could not be decoded",
        );
      }
      if (change?.kind === "costRecordHeader") recordChanges.push(change);
      for (const live of eventsOf(change)) {
        await this.options.pubsub.publish<LiveEvent["event"]>(live.topic, live.event);
      }
    }
    if (recordChanges.length > 0) await this.options.onRecordChanges?.(recordChanges);
  }

  private reportLag(lagMs: number): void {
    this.lag = Math.max(0, lagMs);
    this.options.onLag?.(this.lag);
  }
}
