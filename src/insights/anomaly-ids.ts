/**
 * Names of anomaly scopes and ids of anomalies. A scope key names one series of a client (its total,
 * a provider, or one account, service, region or service category of a provider, or a service
 * category over every provider); an anomaly id is derived from the client, the scope key, the
 * direction and the day the event started, so the same event always gets the same id and a
 * re-evaluation overwrites instead of adding.
 */
import type { AnomalyDirection, AnomalyScope } from "../domain/anomaly.js";
import type { IsoDay } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";

/** The scope key of the client's total. */
export const TOTAL_SCOPE_KEY = "TOTAL";

/**
 * The key of a scope (null: the client's total). Scope keys are as in breakdowns: the provider for
 * PROVIDER, "AWS|us-east-1" for SERVICE, ACCOUNT and REGION, the category for SERVICE_CATEGORY.
 * "TOTAL", "PROVIDER|AWS", "SERVICE|AWS|AmazonEC2", "ACCOUNT|AWS|1234", "REGION|AWS|us-east-1",
 * "SERVICE_CATEGORY|AWS|Compute" (one provider's) or "SERVICE_CATEGORY|*|Compute" (every provider's).
 * Suppression rules name patterns by these keys.
 */
export function anomalyScopeKey(
  provider: CloudProvider | null,
  scope: Pick<AnomalyScope, "dimension" | "key"> | null,
): string {
  if (!scope) return TOTAL_SCOPE_KEY;
  if (scope.dimension === "SERVICE_CATEGORY") return `SERVICE_CATEGORY|${provider ?? "*"}|${scope.key}`;
  return `${scope.dimension}|${scope.key}`;
}

/** 53-bit string hash (cyrb53): deterministic, no I/O, enough to keep one client's events apart. */
function hash53(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** "an_" and 26 hex digits, from (client, scope key, direction, first day of the event). */
export function anomalyId(
  clientId: string,
  scopeKey: string,
  direction: AnomalyDirection,
  start: IsoDay,
): string {
  const text = `${clientId}\u0000${scopeKey}\u0000${direction}\u0000${start}`;
  const hex = (value: number): string => value.toString(16).padStart(14, "0");
  return `an_${hex(hash53(text, 0))}${hex(hash53(text, 0x9e3779b9)).slice(2)}`;
}
