/** Small multi-cloud record sets built by the real normalizer. */
import type { ProviderCostLine, UnifiedCostRecord } from "../../../src/domain/cost-record.js";
import type { CloudProvider } from "../../../src/domain/provider.js";
import { buildCostRecords } from "../../../src/domain/normalize.js";
import { collection, providerLine, rates } from "./cost-lines.js";

export function recordsOf(
  provider: CloudProvider,
  days: string[],
  lines: Partial<ProviderCostLine>[],
  clientId = "acme",
): UnifiedCostRecord[] {
  return buildCostRecords({
    clientId,
    provider,
    reportingCurrency: "USD",
    lines: days.flatMap((date) => lines.map((line) => providerLine({ ...line, date }))),
    daysCovered: days,
    rates,
    collection,
    now: new Date("2026-03-31T00:00:00Z"),
  });
}

/** Two days of three clouds; AWS has two accounts and a credit, GCP and Azure one account each. */
export function sampleRecords(days = ["2026-01-30", "2026-02-02"]): UnifiedCostRecord[] {
  return [
    ...recordsOf("AWS", days, [
      {
        serviceName: "Amazon Elastic Compute Cloud",
        usageType: "BoxUsage:m5.large",
        accountId: "111111111111",
        accountName: "prod",
        region: "us-east-1",
        billedCost: 10,
      },
      {
        serviceName: "Amazon Elastic Compute Cloud",
        usageType: "EBS:VolumeUsage.gp3",
        accountId: "111111111111",
        accountName: "prod",
        region: "us-east-1",
        billedCost: 2,
      },
      {
        serviceName: "Amazon Simple Storage Service",
        accountId: "222222222222",
        accountName: "data",
        region: "eu-west-1",
        billedCost: 3,
      },
      {
        serviceName: "Amazon Elastic Compute Cloud",
        chargeCategory: "Credit",
        accountId: "222222222222",
        accountName: "data",
        region: "eu-west-1",
        billedCost: -1,
      },
    ]),
    ...recordsOf("GCP", days, [
      {
        serviceName: "BigQuery",
        accountId: "analytics-prod",
        accountName: "Analytics",
        region: "us",
        billedCost: 4,
      },
      {
        serviceName: "Cloud Storage",
        accountId: "analytics-prod",
        accountName: "Analytics",
        region: "us",
        billedCost: 0.0000008,
      },
    ]),
    ...recordsOf("AZURE", days, [
      {
        serviceName: "Virtual Machines",
        accountId: "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
        region: "westeurope",
        billedCost: 5,
        billingCurrency: "EUR",
      },
    ]),
  ];
}
