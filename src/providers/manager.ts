/**
 * Runs the provider pulls of collections: all requested providers at once, each isolated (one
 * failing never stops the others), each retried as a whole when its final error is retryable, and
 * never more than `concurrencyPerProvider` pulls against one provider at a time, across every job
 * that shares this manager (Azure in particular throttles after a handful of calls per scope).
 */
import type { CollectionError } from "../domain/collection-job.js";
import type { CloudProvider } from "../domain/provider.js";
import type { Logger } from "../observability/logger.js";
import type { CostProviderAdapter, DateRange, FetchResult } from "./adapter.js";
import type { ErrorHistory, ErrorHistoryEntry } from "./error-history.js";
import { ProviderError } from "./errors.js";
import { KeyedSemaphore } from "../shared/keyed-semaphore.js";
import { abortableSleep, backoffDelay, type RetryPolicy } from "../shared/retry.js";

export interface ProviderCollectionRequest {
  provider: CloudProvider;
  adapter: CostProviderAdapter;
  /** Key of the connection in the error history, e.g. `${clientId}#${provider}` (default: the provider). */
  connection?: string;
}

interface OutcomeBase {
  provider: CloudProvider;
  connection: string;
  /** Whole pulls tried (each adapter retries its own requests inside one pull). */
  attempts: number;
  /** Provider API requests spent over all attempts, failed ones included when the adapter counted them. */
  apiRequests: number;
  /** Errors of this collection, oldest first. */
  errors: ErrorHistoryEntry[];
}
export interface ProviderCollectionSuccess extends OutcomeBase {
  status: "SUCCEEDED";
  result: FetchResult;
}
export interface ProviderCollectionFailure extends OutcomeBase {
  status: "FAILED";
  error: CollectionError;
}
export type ProviderCollectionOutcome = ProviderCollectionSuccess | ProviderCollectionFailure;

export interface ProviderCollectionProgress {
  provider: CloudProvider;
  connection: string;
  status: "QUEUED" | "RUNNING" | "RETRYING" | "SUCCEEDED" | "FAILED";
  attempt: number;
  apiRequests: number;
  error?: CollectionError;
}

export interface CollectOptions {
  /** Pulls allowed at once per provider, shared with concurrent collect() calls (default 1). */
  concurrencyPerProvider?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ProviderCollectionProgress) => void;
}

export interface ProviderCollectionManagerOptions {
  /** Whole-pull retries; maxAttempts counts pulls (default: 2 pulls, 30 s to 2 min apart). */
  retryPolicy?: RetryPolicy;
  history?: ErrorHistory;
  logger?: Logger;
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

export function collectionErrorOf(error: unknown, provider: CloudProvider): CollectionError {
  if (error instanceof ProviderError)
    return { code: error.code, message: error.message, retryable: error.retryable };
  // Adapters map everything they know; anything else is a bug whose text we do not trust to be safe.
  return { code: "INTERNAL", message: `unexpected failure in the ${provider} adapter`, retryable: false };
}

export class ProviderCollectionManager {
  private readonly slots = new KeyedSemaphore<CloudProvider>();
  private readonly retryPolicy: RetryPolicy;

  constructor(private readonly options: ProviderCollectionManagerOptions = {}) {
    this.retryPolicy = options.retryPolicy ?? DEFAULT_PULL_RETRY;
  }

  /** One outcome per request, in request order; never rejects because a provider failed. */
  collect(
    requests: ProviderCollectionRequest[],
    period: DateRange,
    options: CollectOptions = {},
  ): Promise<ProviderCollectionOutcome[]> {
    return Promise.all(requests.map((request) => this.collectOne(request, period, options)));
  }

  private async collectOne(
    request: ProviderCollectionRequest,
    period: DateRange,
    options: CollectOptions,
  ): Promise<ProviderCollectionOutcome> {
    const { provider, adapter } = request;
    const connection = request.connection ?? provider;
    const errors: ErrorHistoryEntry[] = [];
    let apiRequests = 0;
    let attempt = 0;
    const report = (status: ProviderCollectionProgress["status"], error?: CollectionError) =>
      options.onProgress?.({
        provider,
        connection,
        status,
        attempt,
        apiRequests,
        ...(error ? { error } : {}),
      });
    const fail = (error: CollectionError): ProviderCollectionFailure => {
      report("FAILED", error);
      return { provider, connection, status: "FAILED", error, attempts: attempt, apiRequests, errors };
    };

    report("QUEUED");
    let release: () => void;
    try {
      release = await this.slots.acquire(provider, options.concurrencyPerProvider ?? 1, options.signal);
    } catch {
      return fail(CANCELLED);
    }
    try {
      for (;;) {
        attempt++;
        report("RUNNING");
        try {
          const result = await adapter.fetchDailyCosts(period, options.signal);
          apiRequests += result.apiRequests;
          report("SUCCEEDED");
          return {
            provider,
            connection,
            status: "SUCCEEDED",
            result,
            attempts: attempt,
            apiRequests,
            errors,
          };
        } catch (caught) {
          if (caught instanceof ProviderError) apiRequests += caught.apiRequests ?? 0;
          if (options.signal?.aborted) return fail(CANCELLED);
          const error = collectionErrorOf(caught, provider);
          errors.push(
            this.options.history?.record(connection, error) ?? { ...error, at: new Date().toISOString() },
          );
          this.options.logger?.warn(
            { provider, connection, attempt, code: error.code, error: error.message },
            "provider pull failed",
          );
          if (!error.retryable || attempt >= this.retryPolicy.maxAttempts) return fail(error);
          report("RETRYING", error);
          const retryAfter = caught instanceof ProviderError ? caught.retryAfterMs : undefined;
          await abortableSleep(retryAfter ?? backoffDelay(attempt, this.retryPolicy), options.signal).catch(
            () => undefined,
          );
          if (options.signal?.aborted) return fail(CANCELLED);
        }
      }
    } finally {
      release();
    }
  }
}
