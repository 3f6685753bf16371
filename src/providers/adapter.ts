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
  /** Daily cost lines for the period; throws ProviderError. */
  fetchDailyCosts(period: DateRange, signal?: AbortSignal): Promise<FetchResult>;
}
