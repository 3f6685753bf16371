/**
 * Azure failures -> the shared ProviderError taxonomy. Messages are built here from the status, the
 * service's error code and its (truncated) message; the SDK's error object, which carries the
 * request and its headers, is never attached.
 */
import { isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import {
  AuthenticationError,
  AuthorizationError,
  InvalidRequestError,
  RateLimitError,
  TransientError,
  type ProviderError,
} from "../errors.js";

/**
 * Cost Management answers 429 with these (seconds), and no standard Retry-After: the SDK does not
 * retry them, our policy does. The largest is the one that must pass before a retry can succeed.
 */
export const RATE_LIMIT_RETRY_AFTER_HEADERS = [
  "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
  "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
  "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
  "retry-after",
];

export function retryAfterMsFrom(header: (name: string) => string | undefined): number | undefined {
  const seconds = RATE_LIMIT_RETRY_AFTER_HEADERS.map((name) => Number(header(name)))
    .filter((value) => Number.isFinite(value) && value >= 0)
    .reduce<number | undefined>(
      (largest, value) => (largest === undefined || value > largest ? value : largest),
      undefined,
    );
  return seconds === undefined ? undefined : Math.ceil(seconds * 1000);
}

export interface AzureHttpFailure {
  status: number;
  code?: string;
  message?: string;
  header: (name: string) => string | undefined;
}

const MAX_SERVICE_MESSAGE = 300;

/** The service's own words, bounded, and with anything shaped like a bearer token removed. */
function serviceSays(failure: AzureHttpFailure): string {
  const code = failure.code ? ` ${failure.code}` : "";
  const message = (failure.message ?? "")
    .replace(/bearer\s+\S+/gi, "Bearer [REDACTED]")
    .slice(0, MAX_SERVICE_MESSAGE);
  return `Azure Cost Management answered ${failure.status}${code}${message ? `: ${message}` : ""}`;
}

export function providerErrorFromHttp(failure: AzureHttpFailure): ProviderError {
  const text = serviceSays(failure);
  const retryAfterMs = retryAfterMsFrom(failure.header);
  const withRetryAfter = retryAfterMs === undefined ? undefined : { retryAfterMs };
  if (failure.status === 429) return new RateLimitError(text, withRetryAfter);
  if (failure.status === 401) return new AuthenticationError(text);
  if (failure.status === 403) return new AuthorizationError(text);
  if (failure.status === 408 || failure.status >= 500) return new TransientError(text, withRetryAfter);
  return new InvalidRequestError(text);
}

/** The failure in a raw pipeline response (the nextLink pages, sent without an operation spec). */
export function failureFromResponse(response: PipelineResponse): AzureHttpFailure {
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(response.bodyAsText ?? "") as { error?: typeof error }).error;
  } catch {
    error = undefined;
  }
  return {
    status: response.status,
    ...(typeof error?.code === "string" ? { code: error.code } : {}),
    ...(typeof error?.message === "string" ? { message: error.message } : {}),
    header: (name) => response.headers.get(name),
  };
}

const IDENTITY_ERRORS = new Set([
  "AuthenticationError",
  "CredentialUnavailableError",
  "AuthenticationRequiredError",
]);

export interface FailureContext {
  /** The per-request timeout fired (not the caller's signal). */
  timedOut: boolean;
  timeoutMs: number;
  /** maskAzureCredentials(...) of the connection, for messages about the identity. */
  identity: string;
}

/** Anything the SDK or the credential threw -> ProviderError. */
export function providerErrorFrom(caught: unknown, context: FailureContext): ProviderError {
  if (context.timedOut) {
    return new TransientError(`Azure Cost Management did not answer within ${context.timeoutMs} ms`);
  }
  if (isRestError(caught) && caught.statusCode !== undefined) {
    const headers = caught.response?.headers;
    return providerErrorFromHttp({
      status: caught.statusCode,
      ...(caught.code ? { code: caught.code } : {}),
      message: caught.message,
      header: (name) => headers?.get(name),
    });
  }
  const name = caught instanceof Error ? caught.name : "";
  if (IDENTITY_ERRORS.has(name)) {
    return new AuthenticationError(`Microsoft Entra ID issued no token for the ${context.identity}`);
  }
  const code = isRestError(caught) && caught.code ? caught.code : name || "unknown error";
  return new TransientError(`Azure Cost Management request failed before an answer (${code})`);
}
