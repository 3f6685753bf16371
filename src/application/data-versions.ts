/**
 * Keeps the read cache true to the data table. The stream's lease holder drops the changed clients'
 * entries itself and publishes their ids (dataVersionTopic) through the live fan-out before the
 * changes' own events; every instance drops them again as the ids arrive. A gap in that feed (the
 * broker lost) turns the cache off until the feed is back.
 */
import { dataVersionTopic } from "../live/events.js";
import type { PubSub, Subscription } from "../live/pubsub.js";
import type { DataVersionEvent } from "../live/events.js";
import type { Logger } from "../observability/logger.js";
import type { ReadCache } from "./read-cache.js";

/** What the stream's lease holder does with a batch's changed clients (StreamReaderOptions.onDataChanged). */
export function announceDataChanges(cache: ReadCache | undefined, pubsub: PubSub) {
  return async (clientIds: readonly string[]): Promise<void> => {
    cache?.invalidate(clientIds);
    await pubsub.publish(dataVersionTopic, { clientIds: [...clientIds] });
  };
}

/** Changes published per instance before a slow follower is cut off (then it resubscribes). */
const FOLLOWER_BUFFER = 10_000;

export interface DataVersionFollowerOptions {
  cache: ReadCache;
  pubsub: PubSub;
  logger: Logger;
  /** Wait before subscribing again after the feed broke. */
  retryMs?: number;
}

/** Follows the published changes into this instance's cache until stopped. */
export class DataVersionFollower {
  private subscription: Subscription<DataVersionEvent> | undefined;
  private stopped = false;
  private retry: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly options: DataVersionFollowerOptions) {}

  start(): void {
    this.running = this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.subscription?.return();
    await this.running;
  }

  private async follow(): Promise<void> {
    const { cache, pubsub, logger } = this.options;
    cache.setFollowing(false);
    const subscription = pubsub.subscribe(dataVersionTopic, { bufferSize: FOLLOWER_BUFFER });
    this.subscription = subscription;
    try {
      await subscription.ready;
      cache.setFollowing(true);
      for await (const event of subscription) cache.invalidate(event.clientIds);
    } catch (error) {
      logger.warn({ error: (error as Error).name }, "read cache stopped: data changes cannot be followed");
    }
    cache.setFollowing(false);
    if (this.stopped) return;
    this.retry = setTimeout(() => {
      this.running = this.follow();
    }, this.options.retryMs ?? 1_000);
  }
}
