/** Stored shapes of a cost record's parts (see shape.ts): the header item and the chunk payload. */
import type {
  AccountCost,
  BilledTotal,
  ChargeCategoryCost,
  CollectionMetadata,
  CostLine,
  ExchangeRateUsed,
  RegionCost,
  ServiceCategoryCost,
  ServiceCost,
  UnifiedCostRecord,
} from "../domain/cost-record.js";
import type { DataQuality } from "../domain/data-quality.js";
import type { Shape } from "./shape.js";

export const COST_LINE: Shape<CostLine> = {
  serviceName: "string",
  serviceCategory: "string",
  accountId: "string",
  accountName: "string?",
  region: "string",
  chargeCategory: "string",
  billedCost: "number",
  billingCurrency: "string",
  cost: "number|null",
  usageQuantity: "number?",
  usageUnit: "string?",
  invoiceMonth: "string?",
};

const SERVICE_COST: Shape<ServiceCost> = { serviceName: "string", serviceCategory: "string", cost: "number" };
const ACCOUNT_COST: Shape<AccountCost> = { accountId: "string", accountName: "string?", cost: "number" };
const REGION_COST: Shape<RegionCost> = { region: "string", cost: "number" };
const SERVICE_CATEGORY_COST: Shape<ServiceCategoryCost> = { serviceCategory: "string", cost: "number" };
const CHARGE_CATEGORY_COST: Shape<ChargeCategoryCost> = { chargeCategory: "string", cost: "number" };
const BILLED_TOTAL: Shape<BilledTotal> = { currency: "string", amount: "number" };
const EXCHANGE_RATE_USED: Shape<ExchangeRateUsed> = {
  from: "string",
  to: "string",
  rate: "number",
  rateDate: "string",
  source: "string",
};
const DATA_QUALITY: Shape<DataQuality> = {
  completeness: "number",
  accuracy: "number",
  timeliness: "number",
  consistency: "number",
  score: "number",
  confidence: "string",
  issues: "string[]",
};
const COLLECTION_METADATA: Shape<CollectionMetadata> = {
  jobId: "string",
  collectedAt: "string",
  sourceApi: "string",
  apiRequests: "number",
};

/** The marginal lists that can grow with the data (10k services) and move to the chunks when large. */
export type CostRecordDetail = Pick<UnifiedCostRecord, "services" | "accounts" | "regions">;

export const COST_RECORD_DETAIL: Shape<CostRecordDetail> = {
  services: { list: SERVICE_COST },
  accounts: { list: ACCOUNT_COST },
  regions: { list: REGION_COST },
};

/** Everything of the header except the marginal lists that may live in the chunks. */
export type CostRecordSummary = Omit<UnifiedCostRecord, "lines" | keyof CostRecordDetail>;

export const COST_RECORD_SUMMARY: Shape<CostRecordSummary> = {
  clientId: "string",
  provider: "string",
  date: "string",
  reportingCurrency: "string",
  total: "number",
  billedTotals: { list: BILLED_TOTAL },
  estimated: "boolean",
  serviceCategories: { list: SERVICE_CATEGORY_COST },
  chargeCategories: { list: CHARGE_CATEGORY_COST },
  exchangeRates: { list: EXCHANGE_RATE_USED },
  dataQuality: { map: DATA_QUALITY },
  collection: { map: COLLECTION_METADATA },
  version: "number",
  expiresAt: "number",
};

/** Bookkeeping kept on the header item beside the record's own fields. */
export interface CostRecordStorage {
  lineChunks: number;
  lineCount: number;
  contentHash: string;
  /** True when services/accounts/regions were too large for the header and live in the chunks. */
  detailInChunks: boolean;
}

export const COST_RECORD_STORAGE: Shape<CostRecordStorage> = {
  lineChunks: "number",
  lineCount: "number",
  contentHash: "string",
  detailInChunks: "boolean",
};
