/**
 * BigQuery client failures -> the shared ProviderError taxonomy. Messages are built here from the
 * HTTP status, Google's error reasons and its (bounded) message, and only from Google's documented
 * JSON error (`{"error": {"code", "message", "errors": [{"reason"}]}}`): the client quotes any other
 * body in its errors, so such an answer is turned away first (bigQueryReplyProblem). The SDK's
 * error object is never attached as a cause: its `response.request.headers` holds the bearer token.
 */
import {
  AuthenticationError,
  AuthorizationError,
  foreignReplyError,
  InvalidRequestError,
  ProviderError,
  RateLimitError,
  TransientError,
} from "../errors.js";

export interface GcpFailureContext {
  billingExportTable: string;
  location: string;
}

/** Google's JSON error, as the SDK's ApiError carries it (status code plus `errors[].reason`). */
interface GoogleApiErrorLike {
  code: number;
  errors?: { reason?: unknown }[];
  message?: unknown;
}

const RATE_LIMIT_REASONS = new Set(["rateLimitExceeded", "userRateLimitExceeded"]);
const SERVER_REASONS = new Set(["backendError", "internalError"]);
/** OAuth token endpoint answers when the key itself is refused (revoked, deleted, clock skew). */
const TOKEN_GRANT_ERRORS = new Set(["invalid_grant", "invalid_client", "unauthorized_client"]);
const MAX_SERVICE_MESSAGE = 300;

function isGoogleApiError(error: unknown): error is GoogleApiErrorLike {
  return (
    typeof error === "object" && error !== null && typeof (error as { code?: unknown }).code === "number"
  );
}

function reasonsOf(error: GoogleApiErrorLike): string[] {
  return (Array.isArray(error.errors) ? error.errors : [])
    .map((entry) => entry?.reason)
    .filter((reason): reason is string => typeof reason === "string");
}

/** The service's own words, bounded, with anything shaped like a bearer token removed. */
function serviceSays(error: GoogleApiErrorLike, reasons: string[]): string {
  const reason = reasons.length > 0 ? ` ${reasons.join(",")}` : "";
  const message = typeof error.message === "string" ? error.message : "";
  const safe = message
    .replace(/bearer\s+\S+/gi, "Bearer [REDACTED]")
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, MAX_SERVICE_MESSAGE);
  return `BigQuery answered ${error.code}${reason}${safe ? `: ${safe}` : ""}`;
}

function fromApiError(error: GoogleApiErrorLike, context: GcpFailureContext): ProviderError {
  const reasons = reasonsOf(error);
  const text = serviceSays(error, reasons);
  const has = (wanted: Set<string> | string) =>
    reasons.some((reason) => (typeof wanted === "string" ? reason === wanted : wanted.has(reason)));

  if (error.code === 401)
    return new AuthenticationError(`${text} (the access token or service-account key was refused)`);
  if (error.code === 429 || has(RATE_LIMIT_REASONS)) return new RateLimitError(text);
  // quotaExceeded is mostly the concurrent-query and per-minute quotas, which clear within the retry
  // budget; a daily quota outlasts it and the job then fails with RATE_LIMIT, which says what happened.
  if (has("quotaExceeded")) return new RateLimitError(text);
  if (error.code === 408 || error.code >= 500 || has(SERVER_REASONS)) return new TransientError(text);
  if (error.code === 403) {
    return new AuthorizationError(
      `${text} (the service account needs roles/bigquery.jobUser on its project and roles/bigquery.dataViewer on the export dataset)`,
    );
  }
  if (error.code === 404) {
    return new InvalidRequestError(
      `billing export table ${context.billingExportTable} was not found in location ${context.location} (${text})`,
    );
  }
  return new InvalidRequestError(text);
}

/** Errors of the OAuth token exchange (google-auth-library's GaxiosError), production path only. */
function tokenGrantError(error: unknown): string | undefined {
  const data = (error as { response?: { data?: { error?: unknown } } } | null)?.response?.data;
  return typeof data?.error === "string" && TOKEN_GRANT_ERRORS.has(data.error) ? data.error : undefined;
}

/** Maps anything the BigQuery client or its auth client throws; never copies its message blindly. */
export function toProviderError(error: unknown, context: GcpFailureContext): ProviderError {
  if (error instanceof ProviderError) return error;
  const grant = tokenGrantError(error);
  if (grant) return new AuthenticationError(`Google refused the service-account key (${grant})`);
  if (isGoogleApiError(error)) return fromApiError(error, context);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("ERR_OSSL")) {
    return new AuthenticationError("the service-account private key could not sign a token (corrupt key?)");
  }
  if (typeof code === "string") return new TransientError(`BigQuery request failed: network error ${code}`);
  const name = error instanceof Error ? error.name : typeof error;
  return new TransientError(`BigQuery request failed unexpectedly (${name})`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** The BigQuery REST method a request of the client is ("jobs.query"...), for messages. */
export function bigQueryOperation(method: string | undefined, uri: string): string {
  if (/(^|\/)queries$/.test(uri)) return "jobs.query";
  if (/(^|\/)queries\/[^/]+$/.test(uri)) return "jobs.getQueryResults";
  if (/(^|\/)jobs$/.test(uri) && method === "POST") return "jobs.insert";
  return "request";
}

/**
 * Why an answer the client received is not BigQuery's, as the error to report instead; undefined
 * when it is. BigQuery answers JSON objects: a failure carries Google's `error` object, a success
 * its `bigquery#...` kind. Anything else (a proxy's page, another server's body) would be quoted by
 * the client, or crash it (a 200 without a job reference), so it never gets that far.
 */
export function bigQueryReplyProblem(
  operation: string,
  status: number | undefined,
  body: unknown,
  failed: boolean,
): ProviderError | undefined {
  if (status === undefined) return undefined;
  const documented =
    isObject(body) && (failed ? isObject(body.error) : String(body.kind).startsWith("bigquery#"));
  return documented ? undefined : foreignReplyError(`GCP BigQuery ${operation}`, status);
}
