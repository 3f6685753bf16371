/**
 * Cost Explorer and STS failures -> the shared ProviderError taxonomy. Messages are built here from
 * the error's name, HTTP status and the service's (bounded) message, with every secret of the
 * connection scrubbed out. The message is kept only when the SDK read AWS's documented JSON error
 * (a modeled or typed service exception); a body it could not read as one keeps only the status.
 * The SDK error is never attached as a cause: its request holds signed headers, including a session
 * token when there is one.
 */
import {
  AuthenticationError,
  AuthorizationError,
  DataUnavailableError,
  foreignReplyError,
  InvalidRequestError,
  ProviderError,
  RateLimitError,
  TransientError,
} from "../errors.js";

const RATE_LIMITED = new Set([
  "LimitExceededException",
  "ThrottlingException",
  "Throttling",
  "TooManyRequestsException",
  "RequestLimitExceeded",
]);
const UNAUTHENTICATED = new Set([
  "UnrecognizedClientException",
  "InvalidClientTokenId",
  "ExpiredTokenException",
  "ExpiredToken",
  "InvalidSignatureException",
  "SignatureDoesNotMatch",
  "IncompleteSignature",
  "MissingAuthenticationTokenException",
  "MissingAuthenticationToken",
  "CredentialsProviderError",
]);
const UNAUTHORIZED = new Set(["AccessDeniedException", "AccessDenied", "UnauthorizedOperation"]);
const UNAVAILABLE = new Set(["DataUnavailableException", "BillExpirationException"]);
/** Node's and the SDK's names for a connection that broke or never answered. */
const NETWORK = new Set([
  "TimeoutError",
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "ENOTFOUND",
  "NetworkingError",
]);
const MAX_SERVICE_MESSAGE = 300;
/** An AWS error code as `__type` or x-amzn-ErrorType names it. */
const AWS_ERROR_CODE = /^[A-Za-z][A-Za-z0-9]{0,99}$/;
/** The SDK's names for an error answer that named no code: not AWS's error format. */
const NO_CODE = new Set(["Unknown", "UnknownError"]);

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export interface AwsFailureContext {
  /** e.g. "Cost Explorer GetCostAndUsage" or "STS AssumeRole". */
  operation: string;
  /** Secret strings of the connection, removed from any text that leaves this module. */
  secrets: string[];
  /** Set when our own per-request timeout fired (not the caller's cancellation). */
  timeoutMs?: number;
}

function scrub(text: string, secrets: string[]): string {
  let safe = text;
  for (const secret of secrets) if (secret.length >= 4) safe = safe.split(secret).join("[REDACTED]");
  return safe.replace(/\s+/g, " ").trim().slice(0, MAX_SERVICE_MESSAGE);
}

export function toAwsProviderError(error: unknown, context: AwsFailureContext): ProviderError {
  if (error instanceof ProviderError) return error;
  if (context.timeoutMs !== undefined) {
    return new TransientError(`AWS ${context.operation}: no answer within ${context.timeoutMs} ms`);
  }
  const sdk = (typeof error === "object" && error !== null ? error : {}) as SdkErrorLike;
  const name = typeof sdk.name === "string" ? sdk.name : "Error";
  const code = typeof sdk.code === "string" ? sdk.code : "";
  const status = sdk.$metadata?.httpStatusCode;
  // The SDK's service exceptions carry $fault; a body it could not parse throws a SyntaxError instead.
  const fromService =
    (sdk.$fault === "client" || sdk.$fault === "server") && AWS_ERROR_CODE.test(name) && !NO_CODE.has(name);
  if (status !== undefined && !fromService) return foreignReplyError(`AWS ${context.operation}`, status);
  // Without an answer (network, credentials chain) only the error's name and code are told.
  const said = fromService
    ? scrub(typeof sdk.message === "string" ? sdk.message : "", context.secrets)
    : code && code !== name
      ? code
      : "";
  const text = `AWS ${context.operation} failed: ${name}${status ? ` (HTTP ${status})` : ""}${said ? `: ${said}` : ""}`;

  if (RATE_LIMITED.has(name) || status === 429) return new RateLimitError(text);
  if (UNAUTHENTICATED.has(name)) return new AuthenticationError(`${text} (the credentials were refused)`);
  if (UNAUTHORIZED.has(name) || status === 403) {
    const needs = context.operation.startsWith("STS")
      ? "the role's trust policy must let us assume it with this external id"
      : "the identity needs ce:GetCostAndUsage";
    return new AuthorizationError(`${text} (${needs})`);
  }
  if (UNAVAILABLE.has(name)) return new DataUnavailableError(text);
  if (
    NETWORK.has(name) ||
    NETWORK.has(code) ||
    sdk.$fault === "server" ||
    (status !== undefined && status >= 500)
  ) {
    return new TransientError(text);
  }
  if (status !== undefined && status >= 400) return new InvalidRequestError(text);
  // No HTTP answer and no recognised cause: treat as a passing network failure.
  return new TransientError(text);
}
