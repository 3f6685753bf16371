/** Builders for realistic provider lines and collection metadata in unit tests. */
import type { CollectionMetadata, ProviderCostLine } from "../../../src/domain/cost-record.js";
import { createExchangeRateTable } from "../../../src/domain/currency.js";

export function providerLine(overrides: Partial<ProviderCostLine> = {}): ProviderCostLine {
  return {
    date: "2026-01-10",
    serviceName: "Amazon Simple Queue Service",
    accountId: "517389287820",
    accountName: "Atlas Nimbus",
    region: "us-west-2",
    chargeCategory: "Usage",
    billedCost: 0.0000008,
    billingCurrency: "USD",
    usageQuantity: 2,
    usageUnit: "Requests",
    estimated: false,
    ...overrides,
  };
}

export const collection: CollectionMetadata = {
  jobId: "job-0001",
  collectedAt: "2026-01-20T06:00:00.000Z",
  sourceApi: "aws:ce:GetCostAndUsage",
  apiRequests: 3,
};

/** January and February 2026 EUR->USD and GBP->USD rates. */
export const rates = createExchangeRateTable([
  { month: "2026-01", from: "EUR", to: "USD", rate: 1.0412, source: "ecb-monthly-2026-01" },
  { month: "2026-02", from: "EUR", to: "USD", rate: 1.0375, source: "ecb-monthly-2026-02" },
  { month: "2026-01", from: "GBP", to: "USD", rate: 1.2468, source: "ecb-monthly-2026-01" },
]);
