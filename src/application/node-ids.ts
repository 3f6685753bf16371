/**
 * Global object ids (the GraphQL `Node` interface): each identifies exactly one object, and tells
 * which tenant owns it before anything is read, so `node(id)` checks access first.
 *
 * Ids that existed before `Node` keep their form (a client's id, a job's id, a cost record's
 * `client:PROVIDER:day`); every newer kind is `Kind:` followed by its key parts as base64url JSON.
 * A client id and a job id cannot contain ":", so the three forms never collide. Callers treat all
 * ids as opaque.
 */
import type { CostFilter } from "../domain/aggregation.js";
import { isIsoDay, type DayRange } from "../domain/dates.js";
import { checkCostFilter } from "../domain/limits.js";
import { isCloudProvider, type CloudProvider } from "../domain/provider.js";
import { isSafeId, ValidationError } from "../domain/validation.js";

export type NodeRef =
  /** A client id or a job id: which one is known only by looking (see nodes.ts). */
  | { kind: "ClientOrJob"; id: string }
  | { kind: "CostRecord"; clientId: string; provider: CloudProvider; date: string }
  | { kind: "AccountCostItem"; clientId: string; provider: CloudProvider; date: string; accountId: string }
  | { kind: "ProviderConnection"; clientId: string; provider: CloudProvider }
  | { kind: "ProviderCollection"; clientId: string; jobId: string; provider: CloudProvider }
  | { kind: "CostSummary"; clientId: string; period: DayRange; filter: CostFilter }
  | { kind: "CostAnomaly"; clientId: string; date: string; key: string }
  | { kind: "Budget"; clientId: string; budgetId: string }
  | { kind: "BudgetAlert"; clientId: string; key: string };

export type NodeKind = Exclude<NodeRef["kind"], "ClientOrJob">;

const COST_RECORD_ID = /^([^:]+):([A-Z]+):(\d{4}-\d{2}-\d{2})$/;
const MAX_ID_LENGTH = 4096;

const encoded = (kind: string, parts: unknown[]) =>
  `${kind}:${Buffer.from(JSON.stringify(parts)).toString("base64url")}`;

/** JSON with sorted keys and list values, so equal filters give one id. */
function canonicalFilter(filter: CostFilter): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(filter)
      .filter(([, values]) => values !== undefined)
      .map(([name, values]) => [name, [...(values as string[])].sort()] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}

export function nodeId(ref: Exclude<NodeRef, { kind: "ClientOrJob" }>): string {
  switch (ref.kind) {
    case "CostRecord":
      return `${ref.clientId}:${ref.provider}:${ref.date}`;
    case "AccountCostItem":
      return encoded(ref.kind, [ref.clientId, ref.provider, ref.date, ref.accountId]);
    case "ProviderConnection":
      return encoded(ref.kind, [ref.clientId, ref.provider]);
    case "ProviderCollection":
      return encoded(ref.kind, [ref.clientId, ref.jobId, ref.provider]);
    case "CostSummary":
      return encoded(ref.kind, [ref.clientId, ref.period.start, ref.period.end, canonicalFilter(ref.filter)]);
    case "CostAnomaly":
      return encoded(ref.kind, [ref.clientId, ref.date, ref.key]);
    case "Budget":
      return encoded(ref.kind, [ref.clientId, ref.budgetId]);
    case "BudgetAlert":
      return encoded(ref.kind, [ref.clientId, ref.key]);
  }
}

const notAnId = () => new ValidationError("id", "is not an id this API issued");

function decodedParts(payload: string): unknown[] {
  try {
    const parts: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
    if (Array.isArray(parts)) return parts;
  } catch {
    // falls through to the one error below
  }
  throw notAnId();
}

const safeId = (value: unknown): string => {
  if (!isSafeId(value)) throw notAnId();
  return value;
};
const provider = (value: unknown): CloudProvider => {
  if (!isCloudProvider(value)) throw notAnId();
  return value;
};
const day = (value: unknown): string => {
  if (!isIsoDay(value)) throw notAnId();
  return value;
};
const text = (value: unknown): string => {
  if (typeof value !== "string" || value.length === 0) throw notAnId();
  return value;
};

/** What an id names; BAD_USER_INPUT naming `field` when it is not one this API issued. */
export function parseNodeId(id: string, field = "id"): NodeRef {
  try {
    return parsed(id);
  } catch (error) {
    if (error instanceof ValidationError && field !== "id")
      throw new ValidationError(field, "is not an id this API issued");
    throw error;
  }
}

function parsed(id: string): NodeRef {
  if (id.length > MAX_ID_LENGTH) throw notAnId();
  if (!id.includes(":")) return { kind: "ClientOrJob", id: safeId(id) };
  const record = COST_RECORD_ID.exec(id);
  if (record) {
    return {
      kind: "CostRecord",
      clientId: safeId(record[1]),
      provider: provider(record[2]),
      date: day(record[3]),
    };
  }
  const [kind, payload, ...rest] = id.split(":");
  if (!payload || rest.length > 0) throw notAnId();
  const parts = decodedParts(payload);
  switch (kind) {
    case "AccountCostItem": {
      const [clientId, p, date, accountId] = parts;
      return {
        kind,
        clientId: safeId(clientId),
        provider: provider(p),
        date: day(date),
        accountId: text(accountId),
      };
    }
    case "ProviderConnection":
      return { kind, clientId: safeId(parts[0]), provider: provider(parts[1]) };
    case "ProviderCollection":
      return { kind, clientId: safeId(parts[0]), jobId: safeId(parts[1]), provider: provider(parts[2]) };
    case "CostSummary": {
      const [clientId, start, end, filter] = parts;
      if (!filter || typeof filter !== "object" || Array.isArray(filter)) throw notAnId();
      return {
        kind,
        clientId: safeId(clientId),
        period: { start: day(start), end: day(end) },
        filter: checkCostFilter(filter as Record<string, unknown>, "id"),
      };
    }
    case "CostAnomaly":
      return { kind, clientId: safeId(parts[0]), date: day(parts[1]), key: safeId(parts[2]) };
    case "Budget":
      return { kind, clientId: safeId(parts[0]), budgetId: safeId(parts[1]) };
    case "BudgetAlert":
      return { kind, clientId: safeId(parts[0]), key: text(parts[1]) };
    default:
      throw notAnId();
  }
}
