/**
 * One subscriber's queue: an async iterator over the events published to its topic, with a bounded
 * buffer. A consumer that falls more than `bufferSize` events behind is cut off with an error rather
 * than letting the buffer grow without limit; it must resubscribe (and re-read what it missed).
 * Shared by every PubSub implementation, so in-process and Redis subscribers behave the same.
 */

/** An AsyncIterableIterator of a topic's events that can also be ended from the outside. */
export interface Subscription<E> extends AsyncIterableIterator<E> {
  /**
   * Settles once events published from now on will arrive: at once in-process; with a broker, when
   * it confirmed the subscription. Rejects when the broker refused or could not be reached.
   */
  readonly ready: Promise<void>;
  /** Unsubscribes (what `for await` calls on break and graphql-ws when the client completes). */
  return(): Promise<IteratorResult<E>>;
  /**
   * Ends the subscription and drops undelivered events. Without a reason the iterator finishes;
   * with one, the next `next()` rejects with it, then the iterator finishes.
   */
  close(reason?: Error): void;
}

/** Why a subscription ended early; `code` and message are written for the API's clients. */
export abstract class LiveStreamError extends Error {
  abstract readonly code: string;
}

export class SubscriberTooSlowError extends LiveStreamError {
  override name = "SubscriberTooSlowError";
  readonly code = "SUBSCRIBER_TOO_SLOW";
  constructor(readonly bufferSize: number) {
    super(`subscriber too slow: more than ${bufferSize} undelivered events`);
  }
}

/** The event broker could not be reached, so events may have been missed. */
export class LiveUpdatesInterruptedError extends LiveStreamError {
  override name = "LiveUpdatesInterruptedError";
  readonly code = "LIVE_UPDATES_INTERRUPTED";
  constructor() {
    super("live updates were interrupted: subscribe again and re-read what may have changed meanwhile");
  }
}

interface Waiter<E> {
  resolve(result: IteratorResult<E>): void;
  reject(error: Error): void;
}

const DONE: IteratorResult<never> = { value: undefined, done: true };

export function checkBufferSize(bufferSize: number): number {
  if (!Number.isInteger(bufferSize) || bufferSize < 1) {
    throw new RangeError(`bufferSize must be a positive whole number, got ${String(bufferSize)}`);
  }
  return bufferSize;
}

export class BufferedSubscription<E> implements Subscription<E> {
  private readonly buffer: E[] = [];
  /** Set while the consumer awaits `next()` on an empty buffer. */
  private waiter: Waiter<E> | undefined;
  private closed = false;
  /** The close reason not yet handed to the consumer. */
  private failure: Error | undefined;

  /** `onClose` runs exactly once, however the subscription ends (unsubscribe from the topic there). */
  constructor(
    private readonly bufferSize: number,
    private readonly onClose: () => void,
    readonly ready: Promise<void> = Promise.resolve(),
  ) {
    checkBufferSize(bufferSize);
  }

  /** Hands an event over: to a waiting consumer at once, else into the buffer while there is room. */
  push(event: E): void {
    if (this.closed) return;
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = undefined;
      waiter.resolve({ value: event, done: false });
      return;
    }
    if (this.buffer.length >= this.bufferSize) {
      this.close(new SubscriberTooSlowError(this.bufferSize));
      return;
    }
    this.buffer.push(event);
  }

  next(): Promise<IteratorResult<E>> {
    if (this.buffer.length > 0) {
      return Promise.resolve({ value: this.buffer.shift() as E, done: false });
    }
    if (this.failure) {
      const failure = this.failure;
      this.failure = undefined;
      return Promise.reject(failure);
    }
    if (this.closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<E>> {
    this.close();
    return Promise.resolve(DONE);
  }

  close(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer.length = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    if (waiter && reason) waiter.reject(reason);
    else if (waiter) waiter.resolve(DONE);
    else this.failure = reason;
    this.onClose();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
