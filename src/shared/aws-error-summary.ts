/**
 * How the service's own AWS calls (KMS, CloudWatch) describe a failure in logs and errors: the
 * error's name and HTTP status, never its message, which can name principals and key policies.
 */
interface SdkErrorLike {
  name?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: number };
}

export function awsErrorSummary(error: unknown): string {
  const sdk = (error ?? {}) as SdkErrorLike;
  const name = typeof sdk.name === "string" ? sdk.name : "unknown error";
  const status = sdk.$metadata?.httpStatusCode;
  return status === undefined ? name : `${name} (HTTP ${status})`;
}

/** Throttling, server faults and failures without an answer (network, timeouts) may pass later. */
export function isTransientAwsError(error: unknown): boolean {
  const sdk = (error ?? {}) as SdkErrorLike;
  const status = sdk.$metadata?.httpStatusCode;
  if (status === undefined || sdk.$fault === "server" || status >= 500 || status === 429) return true;
  return typeof sdk.name === "string" && /Throttl|TooManyRequests|LimitExceeded/.test(sdk.name);
}
