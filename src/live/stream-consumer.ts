/**
 * Reads the data table's DynamoDB Stream and publishes what changed (events.ts) to the pubsub.
 * Exactly one instance per deployment reads: the one holding the lease (lease.ts). The others
 * retry the lease every third of its duration and take over once the holder stops renewing (a
 * clean stop releases it at once). How the stream is read, and from where, is in stream-reader.ts.
 */
import type { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { Logger } from "../observability/logger.js";
import { abortableSleep } from "../shared/retry.js";
import type { DynamoSdkClients } from "../store/dynamo-client.js";
import { CheckpointStore, LeaseLostError } from "./checkpoints.js";
import { StreamLease } from "./lease.js";
import type { PubSub } from "./pubsub.js";
import { StreamReader, messageOf, type StreamReaderOptions } from "./stream-reader.js";
import { streamsClientFor } from "./stream-shards.js";

export interface StreamConsumerOptions {
  dynamo: DynamoSdkClients;
  /** Defaults to a client built from `dynamo`'s region, credentials and custom endpoint. */
  streams?: DynamoDBStreamsClient;
  /** The data table (its stream is read; lease and checkpoints are stored in it). */
  table: string;
  pubsub: PubSub;
  logger: Logger;
  holderId?: string;
  /** How long a lease lasts without renewal: the longest a dead holder delays its successor. */
  leaseMs?: number;
  /** Pause between polls when the last pass found nothing; passes that found records repeat at once. */
  idlePollMs?: number;
  /** How often the shard list is re-read to find new shards (always right after a shard closes). */
  shardRefreshMs?: number;
  /** Records per GetRecords call (1..1000): the most a crash can make a successor re-publish per shard. */
  batchSize?: number;
  /** Called with the age of the newest record processed (0 when caught up). */
  onLag?: (lagMs: number) => void;
  /** See StreamReaderOptions.onRecordChanges: what runs once per change, on the lease holder only. */
  onRecordChanges?: StreamReaderOptions["onRecordChanges"];
  /** See StreamReaderOptions.onDataChanged. */
  onDataChanged?: StreamReaderOptions["onDataChanged"];
}

/** starting: lease not yet tried; reader: holds the lease; standby: another live instance holds it. */
export type ConsumerRole = "starting" | "reader" | "standby";

export interface ConsumerStatus {
  ready: boolean;
  role: ConsumerRole;
  lagMs: number | null;
  lastError?: string;
}

export const DEFAULT_LEASE_MS = 15_000;
export const DEFAULT_IDLE_POLL_MS = 250;
const MAX_BACKOFF_MS = 10_000;

export class StreamConsumer {
  private readonly options: StreamConsumerOptions;
  private readonly streams: DynamoDBStreamsClient;
  private readonly lease: StreamLease;
  private readonly reader: StreamReader;
  private readonly logger: Logger;
  private readonly idlePollMs: number;
  private readonly renewEveryMs: number;
  private readonly abort = new AbortController();

  private role: ConsumerRole = "starting";
  private heldUntil = 0;
  private nextLeaseAttempt = 0;
  private failures = 0;
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;

  constructor(options: StreamConsumerOptions) {
    const batchSize = options.batchSize ?? 1000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 1000) {
      throw new RangeError(`batchSize must be a whole number from 1 to 1000, got ${String(batchSize)}`);
    }
    this.options = options;
    this.logger = options.logger;
    this.streams = options.streams ?? streamsClientFor(options.dynamo.lowLevel);
    // The table name, not the stream ARN, names the stream: it survives re-enabling the stream.
    const streamName = options.table;
    this.lease = new StreamLease({
      doc: options.dynamo.doc,
      table: options.table,
      streamName,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      ...(options.holderId !== undefined ? { holderId: options.holderId } : {}),
    });
    this.reader = new StreamReader({
      dynamo: options.dynamo.lowLevel,
      streams: this.streams,
      table: options.table,
      checkpoints: new CheckpointStore({ doc: options.dynamo.doc, table: options.table, streamName }),
      lease: this.lease,
      pubsub: options.pubsub,
      logger: options.logger,
      shardRefreshMs: options.shardRefreshMs ?? 60_000,
      batchSize,
      ...(options.onLag ? { onLag: options.onLag } : {}),
      ...(options.onRecordChanges ? { onRecordChanges: options.onRecordChanges } : {}),
      ...(options.onDataChanged ? { onDataChanged: options.onDataChanged } : {}),
    });
    this.idlePollMs = options.idlePollMs ?? DEFAULT_IDLE_POLL_MS;
    this.renewEveryMs = Math.max(50, Math.floor(this.lease.leaseMs / 3));
  }

  get holderId(): string {
    return this.lease.holderId;
  }

  /** Starts the polling loop in the background; failures are logged and retried, never thrown. */
  start(): void {
    if (this.loop) throw new Error("the stream consumer was already started");
    this.loop = this.run();
  }

  /** Finishes the batch in hand (published and checkpointed), then releases the lease. Final. */
  stop(): Promise<void> {
    this.stopped ??= this.shutdown();
    return this.stopped;
  }

  /** True once this instance reads (lease held, shards listed) or knows another instance does. */
  isReady(): boolean {
    return (this.isLeaseHolder() && this.reader.shardsListed) || this.role === "standby";
  }

  /** True while this instance holds an unexpired lease, i.e. may read. */
  isLeaseHolder(): boolean {
    return this.role === "reader" && Date.now() < this.heldUntil;
  }

  lagMs(): number | null {
    return this.reader.lagMs();
  }

  status(): ConsumerStatus {
    return {
      ready: this.isReady(),
      role: this.role,
      lagMs: this.reader.lagMs(),
      ...(this.lastError !== undefined ? { lastError: this.lastError } : {}),
    };
  }

  private async shutdown(): Promise<void> {
    this.abort.abort();
    await this.loop;
    if (this.role === "reader") {
      await this.lease.release().catch((error: unknown) => {
        this.logger.warn({ error: messageOf(error) }, "could not release the stream lease; it will expire");
      });
    }
    this.role = "starting";
    if (!this.options.streams) this.streams.destroy();
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let busy = false;
      try {
        await this.keepLease();
        if (this.isLeaseHolder()) {
          busy = await this.reader.readPass(() => !this.stopping && this.isLeaseHolder());
        }
        this.failures = 0;
        this.lastError = undefined;
      } catch (error) {
        this.onFailure(error);
      }
      await abortableSleep(this.pause(busy), this.abort.signal).catch(() => undefined);
    }
  }

  private pause(busy: boolean): number {
    if (this.failures > 0) return Math.min(this.idlePollMs * 2 ** this.failures, MAX_BACKOFF_MS);
    const untilLeaseAttempt = Math.max(0, this.nextLeaseAttempt - Date.now());
    if (!this.isLeaseHolder()) return untilLeaseAttempt;
    return busy ? 0 : Math.min(this.idlePollMs, untilLeaseAttempt);
  }

  private onFailure(error: unknown): void {
    if (error instanceof LeaseLostError) {
      this.logger.warn({ holderId: this.holderId }, "stream lease lost; stopping reads");
      this.becomeStandby();
      return;
    }
    this.failures++;
    this.lastError = messageOf(error);
    this.logger.warn({ error: this.lastError, failures: this.failures }, "stream consumer pass failed");
  }

  private becomeStandby(): void {
    this.role = "standby";
    this.heldUntil = 0;
  }

  private async keepLease(): Promise<void> {
    const now = Date.now();
    if (now < this.nextLeaseAttempt) return;
    const continuing = this.isLeaseHolder();
    const until = await this.lease.acquireOrRenew();
    this.nextLeaseAttempt = now + this.renewEveryMs;
    if (until === null) {
      if (continuing)
        this.logger.warn({ holderId: this.holderId }, "stream lease taken over; stopping reads");
      this.becomeStandby();
      return;
    }
    if (!continuing) {
      // Another holder may have moved the checkpoints meanwhile: start again from them.
      this.logger.info({ holderId: this.holderId, table: this.options.table }, "stream lease acquired");
      this.reader.reset();
    }
    this.role = "reader";
    this.heldUntil = until;
  }
}
