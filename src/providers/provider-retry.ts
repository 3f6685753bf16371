/**
 * The shared retry (shared/retry.ts) as the adapters use it: failures classified by the provider
 * error taxonomy. A ProviderError says whether it is retryable and how long the provider asked us
 * to wait; anything else is taken for transient (adapters map every failure they recognise).
 */
import {
  withRetry,
  type FailureVerdict,
  type RetryAttemptFailure,
  type RetryOptions,
  type RetryPolicy,
} from "../shared/retry.js";
import { ProviderError, TransientError } from "./errors.js";

/** One request's retries inside a pull. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 20_000,
  maxTotalMs: 120_000,
};

export type ProviderRetryFailure = RetryAttemptFailure<ProviderError>;

/** Told of every failed request attempt (metrics count the retried ones). */
export type RetryFailureListener = (failure: ProviderRetryFailure) => void;

export function classifyProviderFailure(caught: unknown): FailureVerdict<ProviderError> {
  const error =
    caught instanceof ProviderError
      ? caught
      : new TransientError(caught instanceof Error ? caught.message : String(caught), { cause: caught });
  return {
    error,
    retryable: error.retryable,
    ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
  };
}

export type ProviderRetryOptions = Omit<RetryOptions<ProviderError>, "classify">;

/** Throws the last ProviderError when retrying stops. */
export function withProviderRetry<T>(
  operation: (attempt: number) => Promise<T>,
  options: ProviderRetryOptions,
): Promise<T> {
  return withRetry(operation, { ...options, classify: classifyProviderFailure });
}
