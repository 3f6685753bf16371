/**
 * The Cost Management service's failure replies, as the simulator sends them: Azure's error JSON
 * codes and messages, the 429 whose retry-after is only in x-ms-ratelimit headers (seconds), and
 * the replies of the injectable faults.
 */
import type { Fault } from "../faults.js";
import { AzureApiError } from "./azure-query-engine.js";

const RETRY_AFTER = {
  qpu: "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
  entity: "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
  tenant: "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
};

export const errorReply = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
) => new AzureApiError(status, code, message, headers);

/** Azure's 429: the wait is in seconds, split by the quota that ran out, with no standard Retry-After. */
export function throttled(seconds: { qpu?: number; entity?: number }) {
  return errorReply(429, "429", "Too many requests. Please retry.", {
    [RETRY_AFTER.qpu]: String(seconds.qpu ?? 0),
    [RETRY_AFTER.entity]: String(seconds.entity ?? 0),
    [RETRY_AFTER.tenant]: "0",
  });
}

export function faultReply(fault: Required<Fault>) {
  switch (fault.kind) {
    case "throttle":
      return throttled({ qpu: Math.max(1, Math.ceil(fault.delayMs / 1000)) });
    case "server-error":
      return errorReply(
        503,
        "ServiceUnavailable",
        "The service is temporarily unavailable. Please retry later.",
      );
    case "auth":
      return errorReply(
        401,
        "ExpiredAuthenticationToken",
        "The access token expiry UTC time is earlier than current UTC time.",
        {
          "www-authenticate":
            'Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="The access token has expired."',
        },
      );
    case "forbidden":
      return errorReply(
        403,
        "AuthorizationFailed",
        "The client does not have authorization to perform action 'Microsoft.CostManagement/query/action'.",
      );
    default:
      return undefined;
  }
}
