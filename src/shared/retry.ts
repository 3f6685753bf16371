/**
 * Retries with exponential backoff and full jitter, for any kind of operation. What a failure means
 * is the caller's knowledge, not this module's: each caller passes a classifier that says whether a
 * failure is worth another attempt and how long the other side asked us to wait (providers classify
 * by their error taxonomy; the collection service retries every DynamoDB failure).
 */

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Base of the exponential backoff. */
  baseDelayMs: number;
  /** Cap of one backoff step (a retry-after the other side asked for may exceed it, up to maxTotalMs). */
  maxDelayMs: number;
  /** Give up when the next wait would pass this budget since the first attempt. */
  maxTotalMs: number;
}

/** A classifier's answer about one failure; `error` is what the caller sees when retrying stops. */
export interface FailureVerdict<E> {
  error: E;
  retryable: boolean;
  /** Milliseconds the other side asked us to wait; it wins over the computed backoff. */
  retryAfterMs?: number;
}

export type FailureClassifier<E> = (caught: unknown) => FailureVerdict<E>;

/** Every failure is worth another attempt, and is rethrown as it was. */
export const retryEveryFailure: FailureClassifier<unknown> = (caught) => ({ error: caught, retryable: true });

export interface RetryAttemptFailure<E> {
  attempt: number;
  error: E;
  /** How long we wait before the next attempt; undefined when giving up. */
  delayMs?: number;
}

export interface RetryOptions<E> {
  policy: RetryPolicy;
  classify: FailureClassifier<E>;
  signal?: AbortSignal;
  /** Told of every failed attempt, the last one included (metrics count the retried ones). */
  onFailure?: (failure: RetryAttemptFailure<E>) => void;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^(attempt-1))). */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Runs `operation` until it succeeds, fails with a failure the classifier calls final, the caller
 * aborts, or the attempt or time budget runs out; then throws the classified error.
 */
export async function withRetry<T, E>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions<E>,
): Promise<T> {
  const { policy } = options;
  const sleep = options.sleep ?? abortableSleep;
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (caught) {
      const { error, retryable, retryAfterMs } = options.classify(caught);
      if (options.signal?.aborted) throw error;
      const delayMs = retryAfterMs ?? backoffDelay(attempt, policy, options.random);
      const outOfBudget =
        attempt >= policy.maxAttempts || Date.now() - startedAt + delayMs > policy.maxTotalMs;
      if (!retryable || outOfBudget) {
        options.onFailure?.({ attempt, error });
        throw error;
      }
      options.onFailure?.({ attempt, error, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}
