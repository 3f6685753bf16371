/**
 * Azure failures -> the shared ProviderError taxonomy. Messages are built here from the status, the
 * service's error code and its (truncated) message, read only from Azure's documented error body
 * (`{"error": {"code", "message"}}`): the SDK's own message may quote a body it could not parse,
 * so it is never used. The SDK's error object, which carries the request and its headers, is never
 * attached.
 */
import { isRestError, type PipelineResponse } from "@azure/core-rest-pipeline";
import {
  AuthenticationError,
  AuthorizationError,
  foreignReplyError,
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
  /** Azure's documented error body; absent when the answer was not in that format. */
  error?: { code: string; message?: string };
  header: (name: string) => string | undefined;
}

const OPERATION = "Azure Cost Management query";

const MAX_SERVICE_MESSAGE = 300;

/** The service's own words, bounded, and with anything shaped like a bearer token removed. */
function serviceSays(failure: AzureHttpFailure, error: { code: string; message?: string }): string {
  const code = ` ${error.code}`;
  const message = (error.message ?? "")
    .replace(/bearer\s+\S+/gi, "Bearer [REDACTED]")
    .slice(0, MAX_SERVICE_MESSAGE);
  return `Azure Cost Management answered ${failure.status}${code}${message ? `: ${message}` : ""}`;
}

export function providerErrorFromHttp(failure: AzureHttpFailure): ProviderError {
  if (!failure.error) return foreignReplyError(OPERATION, failure.status);
  const text = serviceSays(failure, failure.error);
  const retryAfterMs = retryAfterMsFrom(failure.header);
  const withRetryAfter = retryAfterMs === undefined ? undefined : { retryAfterMs };
  if (failure.status === 429) return new RateLimitError(text, withRetryAfter);
  if (failure.status === 401) return new AuthenticationError(text);
  if (failure.status === 403) return new AuthorizationError(text);
  if (failure.status === 408 || failure.status >= 500) return new TransientError(text, withRetryAfter);
  return new InvalidRequestError(text);
}

/** The failure in a response: its status, headers and, when the body is Azure's error format, that error. */
export function failureFromResponse(response: PipelineResponse): AzureHttpFailure {
  let error: { code?: unknown; message?: unknown } | undefined;
  try {
    error = (JSON.parse(response.bodyAsText ?? "") as { error?: typeof error } | null)?.error;
  } catch {
    error = undefined;
  }
  return {
    status: response.status,
    ...(typeof error?.code === "string"
      ? {
          error: {
            code: error.code,
            ...(typeof error.message === "string" ? { message: error.message } : {}),
          },
        }
      : {}),
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
    return providerErrorFromHttp(
      caught.response
        ? failureFromResponse(caught.response)
        : { status: caught.statusCode, header: () => undefined },
    );
  }
  const name = caught instanceof Error ? caught.name : "";
  if (IDENTITY_ERRORS.has(name)) {
    return new AuthenticationError(`Microsoft Entra ID issued no token for the ${context.identity}`);
  }
  const code = isRestError(caught) && caught.code ? caught.code : name || "unknown error";
  return new TransientError(`Azure Cost Management request failed before an answer (${code})`);
}
