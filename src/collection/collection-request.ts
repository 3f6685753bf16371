/**
 * Checks a collection request before anything is locked or written: the period (real days, in
 * order, bounded, not in the future) and the providers (each connected for the client). Field names
 * are the request's own (`period.end`, `providers`); the caller's edge names them from its input.
 */
import type { ProviderConnection } from "../domain/client.js";
import type { IsoDay } from "../domain/cost-record.js";
import { addDays, dayOfInstant, type DayRange } from "../domain/dates.js";
import type { CloudProvider } from "../domain/provider.js";
import { validateDateRange, validateProvider, ValidationError } from "../domain/validation.js";

/** A little over 13 months: the longest history Cost Explorer serves, plus the current month. */
export const MAX_COLLECTION_DAYS = 400;

export interface CollectionRequestInput {
  period: { start: unknown; end: unknown };
  providers?: readonly unknown[] | null;
}

export interface CollectionRequest {
  period: DayRange;
  providers: CloudProvider[];
}

export function validateCollectionRequest(
  input: CollectionRequestInput,
  connections: readonly ProviderConnection[],
  now: Date,
): CollectionRequest {
  const period = validateDateRange(input.period, "period", MAX_COLLECTION_DAYS);
  const today = dayOfInstant(now);
  if (period.end > today) {
    throw new ValidationError("period.end", `${period.end} is in the future (today is ${today} UTC)`);
  }
  const connected = connections.map((connection) => connection.provider);
  if (input.providers === undefined || input.providers === null) {
    if (connected.length === 0) {
      throw new ValidationError("providers", "the client has no connected provider; connect one first");
    }
    return { period, providers: [...new Set(connected)] };
  }
  if (input.providers.length === 0) {
    throw new ValidationError("providers", "must name at least one provider (or be omitted for all)");
  }
  const providers = input.providers.map((value, index) => validateProvider(value, `providers[${index}]`));
  const missing = providers.filter((provider) => !connected.includes(provider));
  if (missing.length > 0) {
    throw new ValidationError(
      "providers",
      `${[...new Set(missing)].join(", ")} ${missing.length === 1 ? "is" : "are"} not connected for this client; connect ${missing.length === 1 ? "it" : "them"} first`,
    );
  }
  return { period, providers: [...new Set(providers)] };
}

/** The trailing `days` days ending today (UTC). */
export function trailingDays(days: number, now: Date): { start: IsoDay; end: IsoDay } {
  if (!Number.isInteger(days) || days < 1 || days > MAX_COLLECTION_DAYS) {
    throw new ValidationError(
      "days",
      `${days} is not a whole number of days between 1 and ${MAX_COLLECTION_DAYS}`,
    );
  }
  const end = dayOfInstant(now);
  return { start: addDays(end, 1 - days), end };
}
