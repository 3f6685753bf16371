import { ProviderError, TransientError } from "./errors.js";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Base of the exponential backoff. */
  baseDelayMs: number;
  /** Cap of one backoff step (a provider's own retry-after may exceed it, up to maxTotalMs). */
  maxDelayMs: number;
  /** Give up when the next wait would pass this budget since the first attempt. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxTotalMs: 120_000,
};

export interface RetryAttemptFailure {
  attempt: number;
  error: ProviderError;
  /** How long we wait before the next attempt; undefined when giving up. */
  delayMs?: number;
}

/** Told of every failed attempt (metrics count the retried ones). */
export type RetryFailureListener = (failure: RetryAttemptFailure) => void;

export interface RetryOptions {
  policy?: RetryPolicy;
  signal?: AbortSignal;
  onFailure?: (failure: RetryAttemptFailure) => void;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Full jitter (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
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
 * Runs `operation` until it succeeds, fails with a non-retryable ProviderError, or the attempt or
 * time budget runs out. A provider's retry-after wins over the computed backoff (it knows its quota).
 * Errors that are not ProviderErrors are treated as transient: adapters map what they recognise.
 */
export async function withRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const sleep = options.sleep ?? abortableSleep;
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (caught) {
      const error =
        caught instanceof ProviderError
          ? caught
          : new TransientError(caught instanceof Error ? caught.message : String(caught), { cause: caught });
      if (options.signal?.aborted) throw error;
      const delayMs = error.retryAfterMs ?? backoffDelay(attempt, policy, options.random);
      const outOfBudget =
        attempt >= policy.maxAttempts || Date.now() - startedAt + delayMs > policy.maxTotalMs;
      if (!error.retryable || outOfBudget) {
        options.onFailure?.({ attempt, error });
        throw error;
      }
      options.onFailure?.({ attempt, error, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}
