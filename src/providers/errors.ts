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

/**
 * An answer that is not in the provider's documented format (a proxy's page, another server's body):
 * only who was asked, what, and the HTTP status are kept. Its body never reaches a message, since it
 * may come from an internal host the endpoint was aimed at.
 */
export function foreignReplyError(operation: string, status: number): ProviderError {
  const text = `${operation} failed: HTTP ${status}, response was not the provider's error format`;
  if (status === 429) return new RateLimitError(text);
  if (status === 401) return new AuthenticationError(text);
  if (status === 403) return new AuthorizationError(text);
  if (status === 408 || status >= 500) return new TransientError(text);
  return new InvalidRequestError(text);
}
