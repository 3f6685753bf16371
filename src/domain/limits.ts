/**
 * The bounds of what a caller may ask for, in one place: list sizes (one rule and one message,
 * naming the field: `first: 101 is out of range: use 0 to 100`), period lengths and filter sizes.
 * The GraphQL arguments, the use cases and the stores under them read them here, so they cannot
 * disagree.
 */
import type { CostFilter, Granularity } from "./cost-entries.js";
import { isCloudProvider, type CloudProvider } from "./provider.js";
import { validateDateRange, describeValue, ValidationError } from "./validation.js";
import type { DayRange } from "./dates.js";

export interface ListLimit {
  /** Smallest size accepted (inclusive). */
  min: number;
  /** Largest size accepted (inclusive). */
  max: number;
}

/**
 * `first` of every Relay connection (clients, collectionJobs, costRecords) and the stores' pages
 * under them: 0 answers no edges but still pageInfo (hasNextPage tells whether any item exists).
 */
export const PAGE_SIZE = { min: 0, max: 100 } as const satisfies ListLimit;
/** The page size when `first` is omitted. */
export const DEFAULT_PAGE_SIZE = 20;

/** Ids in one `nodes(ids:)` call. */
export const NODE_IDS = { min: 0, max: 100 } as const satisfies ListLimit;

/** `top` of costBreakdown: the largest items kept, the rest folded into one. */
export const TOP_ITEMS = { min: 1, max: 1000 } as const satisfies ListLimit;

/** `top` of providerCosts when omitted: the clients listed per bucket. */
export const DEFAULT_TOP_CLIENTS = 10;

/** Connections of all clients read in one go (the readiness report); DynamoDB's Limit is at least 1. */
export const CONNECTION_LISTING = { min: 1, max: 1000 } as const satisfies ListLimit;

/** The one message for a list size out of its bounds (after the field name). */
export function outOfRange(value: unknown, limit: ListLimit): string {
  return `${describeValue(value)} is out of range: use ${limit.min} to ${limit.max}`;
}

/** The size, when it is an integer within the limit; a ValidationError naming `field` otherwise. */
export function checkListSize(value: unknown, field: string, limit: ListLimit): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < limit.min || value > limit.max) {
    throw new ValidationError(field, outOfRange(value, limit));
  }
  return value;
}

/** `first` as a connection argument: DEFAULT_PAGE_SIZE when absent, else checked against PAGE_SIZE. */
export function pageSizeOrDefault(first: unknown, field = "first"): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  return checkListSize(first, field, PAGE_SIZE);
}

/** Any cost period: five years. */
export const MAX_PERIOD_DAYS = 5 * 366;
/** A DAILY series: 400 points. */
export const MAX_DAILY_SERIES_DAYS = 400;
/** WEEKLY: two years of weeks. */
export const MAX_WEEKLY_SERIES_DAYS = 2 * 366;

/** The longest period a series of this granularity may span. */
export function seriesPeriodLimit(granularity: Granularity): number {
  if (granularity === "DAILY") return MAX_DAILY_SERIES_DAYS;
  return granularity === "WEEKLY" ? MAX_WEEKLY_SERIES_DAYS : MAX_PERIOD_DAYS;
}

/** A cost period: real days, in order, at most `maxDays` long. */
export function checkPeriod(period: DayRange, field = "period", maxDays = MAX_PERIOD_DAYS): DayRange {
  return validateDateRange(period, field, maxDays);
}

/** Values in one filter list: matched in memory, never sent to DynamoDB. */
export const MAX_FILTER_VALUES = 100;
/** Characters in any string argument (ids, names, filter values). */
export const MAX_STRING_LENGTH = 256;

const FILTER_LISTS = ["accountIds", "services", "regions", "categories"] as const;

/**
 * A cost filter within bounds, from a caller's lists (typed by GraphQL, or decoded from an id):
 * at most MAX_FILTER_VALUES strings of at most MAX_STRING_LENGTH characters each, known providers.
 */
export function checkCostFilter(input: Record<string, unknown>, field = "filter"): CostFilter {
  const filter: CostFilter = {};
  const listAt = (name: string): string[] | undefined => {
    const values = input[name];
    if (values === null || values === undefined) return undefined;
    if (!Array.isArray(values)) throw new ValidationError(`${field}.${name}`, "is not a list");
    if (values.length > MAX_FILTER_VALUES) {
      throw new ValidationError(`${field}.${name}`, `has more than ${MAX_FILTER_VALUES} values`);
    }
    const bad = values.findIndex((v) => typeof v !== "string" || v.length > MAX_STRING_LENGTH);
    if (bad >= 0) {
      throw new ValidationError(
        `${field}.${name}[${bad}]`,
        `is not a string of at most ${MAX_STRING_LENGTH} characters`,
      );
    }
    return values as string[];
  };
  for (const name of FILTER_LISTS) {
    const values = listAt(name);
    if (values) filter[name] = values;
  }
  const providers = listAt("providers");
  if (providers) {
    const bad = providers.findIndex((p) => !isCloudProvider(p));
    if (bad >= 0)
      throw new ValidationError(
        `${field}.providers[${bad}]`,
        `${describeValue(providers[bad])} is not a cloud provider`,
      );
    filter.providers = providers as CloudProvider[];
  }
  return filter;
}
