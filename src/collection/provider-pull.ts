/**
 * One provider pull of one collection window: it waits for a slot of its provider (never more than
 * `concurrencyPerProvider` pulls against one cloud at a time, across every job that shares this
 * instance: Azure in particular throttles after a handful of calls per scope), then asks the
 * adapter, and retries the whole pull when its final error is retryable (the adapter has already
 * retried each request). A pull never rejects: it ends SUCCEEDED or FAILED.
 */
import type { CollectionError } from "../domain/collection-job.js";
import type { DayRange } from "../domain/dates.js";
import type { CloudProvider } from "../domain/provider.js";
import type { Logger } from "../observability/logger.js";
import type { CostProviderAdapter, FetchResult } from "../providers/adapter.js";
import { ProviderError } from "../providers/errors.js";
import { KeyedSemaphore } from "../shared/keyed-semaphore.js";
import { withRetry, type FailureVerdict, type RetryPolicy } from "../shared/retry.js";

interface PullTally {
  /** Whole pulls tried (each adapter retries its own requests inside one pull). */
  attempts: number;
  /** Provider API requests spent over all attempts, failed ones included when the adapter counted them. */
  apiRequests: number;
}
export type PullOutcome =
  | (PullTally & { status: "SUCCEEDED"; result: FetchResult })
  | (PullTally & { status: "FAILED"; error: CollectionError });

export interface ProviderPullsOptions {
  /** Whole-pull retries; maxAttempts counts pulls (default: 2 pulls, 30 s to 2 min apart). */
  retryPolicy?: RetryPolicy;
  /** Pulls allowed at once per provider (default 1). */
  concurrencyPerProvider?: number;
}

const DEFAULT_PULL_RETRY: RetryPolicy = {
  maxAttempts: 2,
  baseDelayMs: 30_000,
  maxDelayMs: 120_000,
  maxTotalMs: 3_600_000,
};

export const CANCELLED: CollectionError = {
  code: "CANCELLED",
  message: "the collection was cancelled",
  retryable: true,
};

/** A provider failure as the job reports it. */
export function collectionErrorOf(error: unknown, provider: CloudProvider): CollectionError {
  if (error instanceof ProviderError)
    return { code: error.code, message: error.message, retryable: error.retryable };
  // Adapters map everything they know; anything else is a bug whose text we do not trust to be safe.
  return { code: "INTERNAL", message: `unexpected failure in the ${provider} adapter`, retryable: false };
}

export class ProviderPulls {
  private readonly slots = new KeyedSemaphore<CloudProvider>();
  private readonly retryPolicy: RetryPolicy;
  private readonly concurrencyPerProvider: number;

  constructor(options: ProviderPullsOptions = {}) {
    this.retryPolicy = options.retryPolicy ?? DEFAULT_PULL_RETRY;
    this.concurrencyPerProvider = options.concurrencyPerProvider ?? 1;
  }

  /** Pulls the window's daily costs from the adapter's provider; `log` hears of every failed attempt. */
  async pull(
    adapter: CostProviderAdapter,
    window: DayRange,
    signal: AbortSignal,
    log: Logger,
  ): Promise<PullOutcome> {
    const { provider } = adapter;
    const tally: PullTally = { attempts: 0, apiRequests: 0 };
    let release: () => void;
    try {
      release = await this.slots.acquire(provider, this.concurrencyPerProvider, signal);
    } catch {
      return { ...tally, status: "FAILED", error: CANCELLED };
    }
    const classify = (caught: unknown): FailureVerdict<CollectionError> => {
      const error = collectionErrorOf(caught, provider);
      const retryAfterMs = caught instanceof ProviderError ? caught.retryAfterMs : undefined;
      return { error, retryable: error.retryable, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
    };
    try {
      const result = await withRetry(
        async () => {
          tally.attempts++;
          try {
            return await adapter.fetchDailyCosts(window, signal);
          } catch (caught) {
            if (caught instanceof ProviderError) tally.apiRequests += caught.apiRequests ?? 0;
            throw caught;
          }
        },
        {
          policy: this.retryPolicy,
          classify,
          signal,
          onFailure: ({ attempt, error }) =>
            log.warn({ provider, attempt, code: error.code, error: error.message }, "provider pull failed"),
        },
      );
      tally.apiRequests += result.apiRequests;
      return { ...tally, status: "SUCCEEDED", result };
    } catch (caught) {
      // Unless the wait was cut short by the signal, what withRetry throws is the classified error.
      const error = signal.aborted ? CANCELLED : (caught as CollectionError);
      return { ...tally, status: "FAILED", error };
    } finally {
      release();
    }
  }
}
