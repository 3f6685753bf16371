/**
 * The unified cost record: one per (client, provider, billing day), whatever cloud it came from. A
 * billing day is the calendar day the provider's own console puts the cost on: UTC for AWS and
 * Azure, Pacific time (America/Los_Angeles, with daylight saving) for GCP; see
 * src/providers/README.md.
 * Field names follow FOCUS 1.2 where one exists (ServiceName, ServiceCategory, SubAccountId,
 * RegionId, ChargeCategory, BilledCost, BillingCurrency).
 */
import type { CloudProvider } from "./provider.js";
import type { ServiceCategory } from "./service-category.js";
import type { DataQuality } from "./data-quality.js";

/** "YYYY-MM-DD", a calendar day (a cost's day is its provider's billing day). */
export type IsoDay = string;
/** "YYYY-MM", a calendar month. */
export type IsoMonth = string;

/** The service name of a line the provider billed without one (GCP tax rows, Azure rows without a meter). */
export const UNASSIGNED_SERVICE = "Unassigned";

export const CHARGE_CATEGORIES = ["Usage", "Purchase", "Tax", "Credit", "Adjustment"] as const;
export type ChargeCategory = (typeof CHARGE_CATEGORIES)[number];

/** Where a converted amount's rate came from; kept on every converted line so totals can be audited. */
export interface ExchangeRateUsed {
  /** ISO 4217 code of the billed amount. */
  from: string;
  /** ISO 4217 code of the client's reporting currency. */
  to: string;
  /** reporting = billed * rate. 1 when from === to. */
  rate: number;
  /** The day (or first day of the month) the rate is valid for. */
  rateDate: IsoDay;
  /** e.g. "identity", "ecb-monthly-2026-01", "admin-upload". */
  source: string;
}

/** What a billing line says in the provider's own terms: what was charged where, and how much. */
export interface BilledCost {
  serviceName: string;
  accountId: string;
  accountName?: string;
  region: string;
  chargeCategory: ChargeCategory;
  /** In the billing currency, full precision as received (negative for credits and refunds). */
  billedCost: number;
  billingCurrency: string;
  usageQuantity?: number;
  usageUnit?: string;
  /**
   * The invoice month the provider bills this cost in, when it says so and it can differ from the
   * usage month (GCP's invoice.month: a late row of October can be on November's invoice). Absent:
   * the usage month.
   */
  invoiceMonth?: IsoMonth;
}

/** One normalized billing line for a day, as an adapter produces it (before currency conversion). */
export interface ProviderCostLine extends BilledCost {
  date: IsoDay;
  /** The provider's own service id where it has one (GCP service.id); optional. */
  serviceId?: string;
  /** Usage type / SKU description that can refine the category (e.g. AWS EBS volumes are Storage). */
  usageType?: string;
  /** True when the provider says the figure may still change (AWS Estimated, current month). */
  estimated: boolean;
}

/** A line of a stored record: the provider line, categorized and converted. */
export interface CostLine extends BilledCost {
  serviceCategory: ServiceCategory;
  /** billedCost converted to the reporting currency; null when no rate was available. */
  cost: number | null;
}

export interface ServiceCost {
  serviceName: string;
  serviceCategory: ServiceCategory;
  cost: number;
}
export interface AccountCost {
  accountId: string;
  accountName?: string;
  cost: number;
}
export interface RegionCost {
  region: string;
  cost: number;
}
export interface ServiceCategoryCost {
  serviceCategory: ServiceCategory;
  cost: number;
}
export interface ChargeCategoryCost {
  chargeCategory: ChargeCategory;
  cost: number;
}
/** What the provider billed, per billing currency, unconverted: the figure that must match its console. */
export interface BilledTotal {
  currency: string;
  amount: number;
}

export interface CollectionMetadata {
  jobId: string;
  /** ISO-8601 instant. */
  collectedAt: string;
  /** e.g. "aws:ce:GetCostAndUsage", "gcp:bigquery:billing-export", "azure:costmanagement:query". */
  sourceApi: string;
  /** Provider API requests this record's collection spent (share of the job's pull). */
  apiRequests: number;
}

export interface UnifiedCostRecord {
  clientId: string;
  provider: CloudProvider;
  date: IsoDay;
  reportingCurrency: string;
  /** Sum of converted line costs, in the reporting currency. */
  total: number;
  billedTotals: BilledTotal[];
  estimated: boolean;
  lines: CostLine[];
  services: ServiceCost[];
  accounts: AccountCost[];
  regions: RegionCost[];
  serviceCategories: ServiceCategoryCost[];
  chargeCategories: ChargeCategoryCost[];
  exchangeRates: ExchangeRateUsed[];
  dataQuality: DataQuality;
  collection: CollectionMetadata;
  /** Incremented on every stored change; lets live subscribers drop a repeated event. */
  version: number;
  /** Epoch seconds at which DynamoDB TTL may delete the record. */
  expiresAt: number;
}

/** A record without its joint lines: what most questions need, and what a header item holds. */
export type CostRecordHeader = Omit<UnifiedCostRecord, "lines">;
