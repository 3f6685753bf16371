/**
 * Topic-based publish/subscribe between the stream consumer and GraphQL subscriptions. Topics are
 * per tenant (see events.ts), so a subscriber only wakes for its own client's changes. The
 * interface is deliberately small and events are plain JSON-friendly objects, so a Redis
 * implementation (one consumer publishing, every instance subscribing) can replace this one.
 */
import { BufferedSubscription, checkBufferSize, type Subscription } from "./subscription.js";

export type { Subscription } from "./subscription.js";
export { LiveUpdatesInterruptedError, SubscriberTooSlowError } from "./subscription.js";

/** A topic name that also carries the type of its events, so publish and subscribe agree on it. */
export type Topic<E> = string & { readonly __event?: E };

export interface SubscribeOptions {
  /** Undelivered events a subscriber may have before it is closed as too slow. */
  bufferSize?: number;
}

export interface PubSub {
  /** Resolves once the event is handed to every current subscriber (or to the broker). */
  publish<E>(topic: Topic<E>, event: E): Promise<void>;
  subscribe<E>(topic: Topic<E>, options?: SubscribeOptions): Subscription<E>;
  /** Ends every subscription (shutdown). */
  close(): Promise<void>;
}

export const DEFAULT_SUBSCRIBER_BUFFER = 100;

export interface InProcessPubSubOptions {
  defaultBufferSize?: number;
  /**
   * A topic got its first subscriber; the promise (a broker's subscribe) is the `ready` of the
   * topic's subscriptions until the topic empties again.
   */
  onTopicOpened?(topic: string): Promise<void>;
  /** A topic lost its last subscriber. */
  onTopicClosed?(topic: string): void;
}

export class InProcessPubSub implements PubSub {
  private readonly topics = new Map<string, Set<BufferedSubscription<unknown>>>();
  private readonly topicReady = new Map<string, Promise<void>>();
  private readonly defaultBufferSize: number;

  constructor(private readonly options: InProcessPubSubOptions = {}) {
    this.defaultBufferSize = checkBufferSize(options.defaultBufferSize ?? DEFAULT_SUBSCRIBER_BUFFER);
  }

  publish<E>(topic: Topic<E>, event: E): Promise<void> {
    // A copy of the set: a subscriber closed as too slow leaves it during the loop.
    for (const subscription of [...(this.topics.get(topic) ?? [])]) subscription.push(event);
    // A publisher that awaits (the stream consumer catching up on a burst of records) yields to I/O
    // here, so subscribers' sockets drain between events instead of after the whole burst: only a
    // subscriber that really cannot keep up reaches its buffer limit.
    return new Promise((resolve) => setImmediate(resolve));
  }

  subscribe<E>(topic: Topic<E>, options: SubscribeOptions = {}): Subscription<E> {
    let subscribers = this.topics.get(topic);
    if (!subscribers) {
      subscribers = new Set<BufferedSubscription<unknown>>();
      this.topics.set(topic, subscribers);
      this.openTopic(topic);
    }
    const topicSubscribers = subscribers;
    const subscription: BufferedSubscription<E> = new BufferedSubscription<E>(
      options.bufferSize ?? this.defaultBufferSize,
      () => {
        topicSubscribers.delete(subscription as BufferedSubscription<unknown>);
        // Topics are per tenant: drop empty ones so the map does not grow with every client ever seen.
        if (topicSubscribers.size === 0 && this.topics.get(topic) === topicSubscribers) {
          this.topics.delete(topic);
          this.topicReady.delete(topic);
          this.options.onTopicClosed?.(topic);
        }
      },
      this.topicReady.get(topic),
    );
    subscribers.add(subscription as BufferedSubscription<unknown>);
    return subscription;
  }

  private openTopic(topic: string): void {
    if (!this.options.onTopicOpened) return;
    const ready = this.options.onTopicOpened(topic);
    // Handled here so a subscriber that never awaits `ready` raises no unhandled rejection.
    ready.catch(() => undefined);
    this.topicReady.set(topic, ready);
  }

  /** Ends every current subscription with `reason` (a broker connection lost). */
  closeAll(reason?: Error): void {
    for (const subscribers of [...this.topics.values()]) {
      for (const subscription of [...subscribers]) subscription.close(reason);
    }
  }

  subscriberCount(topic: string): number {
    return this.topics.get(topic)?.size ?? 0;
  }

  /** Topics with at least one subscriber. */
  topicCount(): number {
    return this.topics.size;
  }

  close(): Promise<void> {
    this.closeAll();
    return Promise.resolve();
  }
}
