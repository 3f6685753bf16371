/**
 * One error taxonomy for all three clouds. Adapters map their SDK's errors into these; the retry
 * policy and the job report only ever see these. Messages never carry credential material.
 */
export type ProviderErrorCode =
  "AUTHENTICATION" | "AUTHORIZATION" | "RATE_LIMIT" | "TRANSIENT" | "INVALID_REQUEST" | "DATA_UNAVAILABLE";

export abstract class ProviderError extends Error {
  abstract readonly code: ProviderErrorCode;
  abstract readonly retryable: boolean;
  /** Milliseconds the provider asked us to wait, when it said so. */
  readonly retryAfterMs?: number;
  /** Provider API requests the failed operation spent before giving up, when the adapter counted them. */
  apiRequests?: number;

  constructor(message: string, options?: { retryAfterMs?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    if (options?.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}

export class AuthenticationError extends ProviderError {
  readonly code = "AUTHENTICATION";
  readonly retryable = false;
}
export class AuthorizationError extends ProviderError {
  readonly code = "AUTHORIZATION";
  readonly retryable = false;
}
export class RateLimitError extends ProviderError {
  readonly code = "RATE_LIMIT";
  readonly retryable = true;
}
export class TransientError extends ProviderError {
  readonly code = "TRANSIENT";
  readonly retryable = true;
}
export class InvalidRequestError extends ProviderError {
  readonly code = "INVALID_REQUEST";
  readonly retryable = false;
}
export class DataUnavailableError extends ProviderError {
  readonly code = "DATA_UNAVAILABLE";
  readonly retryable = false;
}
