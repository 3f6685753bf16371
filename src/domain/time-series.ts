import type { CloudProvider } from "./provider.js";
import type { ServiceCategory } from "./service-category.js";
import type { IsoDay, IsoMonth } from "./cost-record.js";

export type RollupGranularity = "DAILY" | "MONTHLY";

/**
 * A stored rollup for one client and one day or month: totals by provider and by service category,
 * in the client's reporting currency. A month is kept equal to the sum of its days on every write.
 */
export interface UnifiedTimeSeriesRecord {
  clientId: string;
  granularity: RollupGranularity;
  /** "YYYY-MM-DD" for DAILY, "YYYY-MM" for MONTHLY. */
  period: IsoDay | IsoMonth;
  currency: string;
  total: number;
  byProvider: Partial<Record<CloudProvider, number>>;
  /** Keyed `${provider}|${serviceCategory}` so a provider filter still works on categories. */
  byProviderCategory: Record<string, number>;
  /** Number of (provider, day) records that contributed. */
  recordCount: number;
  updatedAt: string;
}

export type ProviderCategoryKey = `${CloudProvider}|${ServiceCategory}`;
