import type { CloudProvider } from "../domain/provider.js";
import type { IsoDay, ProviderCostLine } from "../domain/cost-record.js";

export interface DateRange {
  /** Inclusive. */
  start: IsoDay;
  /** Inclusive. */
  end: IsoDay;
}

export interface FetchResult {
  lines: ProviderCostLine[];
  /** Days the provider answered for, even with no lines: a day listed here with no lines is a real zero. */
  daysCovered: IsoDay[];
  /** Provider API requests spent, including retried attempts (each is billed or rate-limited). */
  apiRequests: number;
  /** e.g. "aws:ce:GetCostAndUsage". */
  sourceApi: string;
}

/**
 * How far back a provider's API serves daily data, as of a given day: days before `earliest` are
 * not a failure to collect but a fact of the API, left out of a collection and reported with `reason`.
 */
export interface HistoryLimit {
  earliest: IsoDay;
  /** Safe to show: why days before `earliest` cannot be collected, with the API's documented rule. */
  reason: string;
}

export interface HistoryLimitAnswer {
  /** Absent: the API serves any past day. */
  limit?: HistoryLimit;
  /** Provider API requests spent to find out (0 when the limit is a documented rule). */
  apiRequests: number;
}

export interface HealthCheckResult {
  healthy: boolean;
  /** Safe to show: never contains secrets. */
  message: string;
  apiRequests: number;
}

/**
 * What the collector needs from a cloud. Implementations wrap the official SDK client, map its errors
 * into ProviderError subclasses and know nothing of GraphQL or DynamoDB.
 */
export interface CostProviderAdapter {
  readonly provider: CloudProvider;
  /** Cheap call that proves the credentials work and the billing data is reachable. */
  healthCheck(signal?: AbortSignal): Promise<HealthCheckResult>;
  /** The oldest day the API serves when it is `today` (UTC); throws ProviderError. */
  historyLimit(today: IsoDay, signal?: AbortSignal): Promise<HistoryLimitAnswer>;
  /** Daily cost lines for the period; throws ProviderError. */
  fetchDailyCosts(period: DateRange, signal?: AbortSignal): Promise<FetchResult>;
}
