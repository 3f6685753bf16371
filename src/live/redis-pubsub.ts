/**
 * Redis pub/sub fan-out for several instances: the instance holding the stream-consumer lease
 * publishes each event to Redis, and every instance delivers what its Redis subscription receives
 * to its own subscribers. Locally it is the in-process pubsub (same buffers, same slow-subscriber
 * rule); Redis only carries events between instances, one channel per topic, subscribed while the
 * instance has a subscriber for it.
 *
 * Redis pub/sub keeps nothing for a disconnected subscriber. So:
 * - publish() rejects while Redis is unreachable: the stream consumer does not checkpoint and
 *   publishes the records again (at least once), instead of dropping them;
 * - when the subscriber connection drops, every local subscription ends with
 *   LiveUpdatesInterruptedError, telling clients to subscribe again and re-read, instead of
 *   leaving them unaware of a gap.
 */
import { Redis } from "ioredis";
import { InProcessPubSub, type PubSub, type SubscribeOptions, type Topic } from "./pubsub.js";
import { LiveUpdatesInterruptedError, type Subscription } from "./subscription.js";
import type { Logger } from "../observability/logger.js";

export interface RedisPubSubOptions {
  /** redis:// or rediss:// URL; it may hold a password, so it is never logged. */
  url: string;
  /** Prepended to every channel, so deployments sharing a Redis stay apart. */
  channelPrefix: string;
  logger: Logger;
  defaultBufferSize?: number;
  /** Milliseconds a Redis command may take before it fails (default 5 s). */
  commandTimeoutMs?: number;
}

export class EventBrokerError extends Error {
  override name = "EventBrokerError";
}

/** Reconnects forever, backing off to 2 s: an outage must not need a restart. */
const retryStrategy = (attempt: number) => Math.min(100 * 2 ** attempt, 2_000);

export class RedisPubSub implements PubSub {
  private readonly local: InProcessPubSub;
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private lastSocketError: string | undefined;

  private constructor(private readonly options: RedisPubSubOptions) {
    const connection = {
      lazyConnect: true,
      retryStrategy,
      commandTimeout: options.commandTimeoutMs ?? 5_000,
      maxRetriesPerRequest: 1,
    };
    // No offline queue for publishing: while Redis is away, publish fails at once (and is retried
    // by the stream consumer) rather than piling up in memory.
    this.publisher = new Redis(options.url, { ...connection, enableOfflineQueue: false });
    this.subscriber = new Redis(options.url, { ...connection, enableOfflineQueue: true });
    this.local = new InProcessPubSub({
      ...(options.defaultBufferSize ? { defaultBufferSize: options.defaultBufferSize } : {}),
      onTopicOpened: (topic) => this.listen(topic),
      onTopicClosed: (topic) => this.stopListening(topic),
    });
    this.subscriber.on("message", (channel: string, message: string) => this.deliver(channel, message));
    for (const [name, client] of [
      ["publisher", this.publisher],
      ["subscriber", this.subscriber],
    ] as const) {
      // The error's name and code only: ioredis messages can carry the host and port.
      client.on("error", (error: Error & { code?: string }) => {
        this.lastSocketError = error.code ?? error.name;
        options.logger.warn({ connection: name, error: this.lastSocketError }, "redis connection error");
      });
    }
    this.subscriber.on("close", () => {
      if (this.local.topicCount() === 0) return;
      options.logger.warn(
        { topics: this.local.topicCount() },
        "redis subscriber connection lost; ending live subscriptions",
      );
      this.local.closeAll(new LiveUpdatesInterruptedError());
    });
  }

  /** Connects both connections; rejects with a message naming no host or password. */
  static async connect(options: RedisPubSubOptions): Promise<RedisPubSub> {
    const pubsub = new RedisPubSub(options);
    try {
      await Promise.all([pubsub.publisher.connect(), pubsub.subscriber.connect()]);
    } catch (error) {
      pubsub.publisher.disconnect();
      pubsub.subscriber.disconnect();
      // ioredis rejects with "Connection is closed."; the socket's own error says why.
      const reason = pubsub.lastSocketError ?? (error as Error).name;
      throw new EventBrokerError(`cannot connect to Redis (REDIS_URL): ${reason}`);
    }
    return pubsub;
  }

  async publish<E>(topic: Topic<E>, event: E): Promise<void> {
    try {
      await this.publisher.publish(this.channel(topic), JSON.stringify(event));
    } catch (error) {
      throw new EventBrokerError(`Redis did not take the event: ${(error as Error).name}`);
    }
  }

  subscribe<E>(topic: Topic<E>, options?: SubscribeOptions): Subscription<E> {
    return this.local.subscribe(topic, options);
  }

  /** Whether both connections are up (readiness). */
  isConnected(): boolean {
    return this.publisher.status === "ready" && this.subscriber.status === "ready";
  }

  async close(): Promise<void> {
    await this.local.close();
    // quit() waits for replies to commands already sent; disconnect() ends reconnect attempts.
    await Promise.allSettled([this.publisher.quit(), this.subscriber.quit()]);
    this.publisher.disconnect();
    this.subscriber.disconnect();
  }

  private channel(topic: string): string {
    return `${this.options.channelPrefix}${topic}`;
  }

  private async listen(topic: string): Promise<void> {
    try {
      await this.subscriber.subscribe(this.channel(topic));
    } catch (error) {
      throw new EventBrokerError(`Redis did not confirm the subscription: ${(error as Error).name}`);
    }
  }

  private stopListening(topic: string): void {
    this.subscriber.unsubscribe(this.channel(topic)).catch((error: Error) => {
      this.options.logger.warn({ error: error.name }, "redis unsubscribe failed");
    });
  }

  private deliver(channel: string, message: string): void {
    if (!channel.startsWith(this.options.channelPrefix)) return;
    let event: unknown;
    try {
      event = JSON.parse(message);
    } catch {
      this.options.logger.warn({ channel }, "redis message is not JSON; dropped");
      return;
    }
    void this.local.publish(channel.slice(this.options.channelPrefix.length), event);
  }
}
