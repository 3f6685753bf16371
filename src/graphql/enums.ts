import { registerEnumType } from "type-graphql";
import type { PortfolioOrder } from "../domain/portfolio.js";

/** GraphQL enums mirror the domain's string unions value for value, so no mapping is needed. */
export const CloudProviderEnum = { AWS: "AWS", GCP: "GCP", AZURE: "AZURE" } as const;
export const GranularityEnum = { DAILY: "DAILY", WEEKLY: "WEEKLY", MONTHLY: "MONTHLY" } as const;
export const CostDimensionEnum = {
  PROVIDER: "PROVIDER",
  SERVICE: "SERVICE",
  SERVICE_CATEGORY: "SERVICE_CATEGORY",
  ACCOUNT: "ACCOUNT",
  REGION: "REGION",
} as const;
export const CollectionStatusEnum = {
  QUEUED: "QUEUED",
  RUNNING: "RUNNING",
  SUCCEEDED: "SUCCEEDED",
  PARTIALLY_SUCCEEDED: "PARTIALLY_SUCCEEDED",
  FAILED: "FAILED",
} as const;
export const ChangeTypeEnum = { ADDED: "ADDED", UPDATED: "UPDATED" } as const;
export const ConfidenceEnum = { HIGH: "HIGH", MEDIUM: "MEDIUM", LOW: "LOW" } as const;
export const HealthStatusEnum = { UNKNOWN: "UNKNOWN", HEALTHY: "HEALTHY", UNHEALTHY: "UNHEALTHY" } as const;

export type Granularity = keyof typeof GranularityEnum;
export type CostDimension = keyof typeof CostDimensionEnum;
export type ChangeType = keyof typeof ChangeTypeEnum;

registerEnumType(CloudProviderEnum, {
  name: "CloudProvider",
  description: "A cloud whose billing data is collected.",
  valuesConfig: {
    AWS: { description: "Amazon Web Services, read through Cost Explorer." },
    GCP: { description: "Google Cloud, read from the Cloud Billing export in BigQuery." },
    AZURE: { description: "Microsoft Azure, read through the Cost Management Query API." },
  },
});
registerEnumType(GranularityEnum, {
  name: "Granularity",
  description: "The bucket of a cost time series: calendar days, weeks or months of billing days (see Date).",
  valuesConfig: {
    DAILY: { description: "One bucket per day." },
    WEEKLY: { description: "ISO weeks, Monday to Sunday, each dated by its Monday." },
    MONTHLY: { description: "Calendar months, each dated by its first day." },
  },
});
registerEnumType(CostDimensionEnum, {
  name: "CostDimension",
  description: "What costs are grouped by in a breakdown or a grouped time series.",
  valuesConfig: {
    PROVIDER: { description: "The cloud (AWS, GCP, AZURE)." },
    SERVICE: { description: "The service, by the name the provider bills it under." },
    SERVICE_CATEGORY: {
      description: "The FOCUS ServiceCategory, e.g. Compute, Storage; Other when unknown.",
    },
    ACCOUNT: { description: "The sub-account: AWS linked account, GCP project, Azure subscription." },
    REGION: { description: "The provider's region code; charges without a region form one group." },
  },
});
registerEnumType(CollectionStatusEnum, {
  name: "CollectionStatus",
  description: "Where a collection job, or one provider's part of it, stands.",
  valuesConfig: {
    QUEUED: { description: "Created; collecting has not started yet." },
    RUNNING: { description: "Collecting now." },
    SUCCEEDED: {
      description:
        "Every day that could be collected was stored (days the API does not serve are skipped, not failed).",
    },
    PARTIALLY_SUCCEEDED: {
      description: "Some parts were stored and some failed: see each provider's status and error.",
    },
    FAILED: {
      description: "Nothing was stored, or the job was stopped (shutdown, interrupted); see the error.",
    },
  },
});
registerEnumType(ChangeTypeEnum, {
  name: "ChangeType",
  description: "Why a cost record change was sent.",
  valuesConfig: {
    ADDED: { description: "The day was stored for the first time." },
    UPDATED: {
      description:
        "A stored day was replaced by a version with different content, e.g. the provider restated it.",
    },
  },
});
registerEnumType(ConfidenceEnum, {
  name: "Confidence",
  description: "How far a record's figures can be trusted: the band of its data quality score.",
  valuesConfig: {
    HIGH: { description: "Score 0.9 or more." },
    MEDIUM: { description: "Score from 0.7 to below 0.9." },
    LOW: { description: "Score below 0.7: read the issues before relying on the figures." },
  },
});
registerEnumType(HealthStatusEnum, {
  name: "HealthStatus",
  description: "Result of a provider connection's last health check.",
  valuesConfig: {
    UNKNOWN: { description: "No check result is stored yet." },
    HEALTHY: { description: "The credentials worked and the billing data was reachable." },
    UNHEALTHY: { description: "The check failed; lastHealthError says why." },
  },
});

export const SeverityEnum = { LOW: "LOW", MEDIUM: "MEDIUM", HIGH: "HIGH" } as const;
export const AnomalyDirectionEnum = { SPIKE: "SPIKE", DROP: "DROP" } as const;
export const AnomalyCauseEnum = {
  USAGE: "USAGE",
  EXCHANGE_RATE: "EXCHANGE_RATE",
  CREDIT: "CREDIT",
  TAX: "TAX",
  RESTATEMENT: "RESTATEMENT",
} as const;
export const AnomalyFeedbackEnum = {
  CONFIRMED: "CONFIRMED",
  NOT_ANOMALY: "NOT_ANOMALY",
  PLANNED: "PLANNED",
} as const;
export const AnomalyStatusEnum = { OPEN: "OPEN", RESOLVED: "RESOLVED" } as const;

registerEnumType(SeverityEnum, {
  name: "Severity",
  description: "How much an anomaly matters, from its money impact and its score (thresholds per client).",
  valuesConfig: {
    LOW: { description: "Worth a look." },
    MEDIUM: { description: "A clear move of real money." },
    HIGH: { description: "A large move, far outside the expected range." },
  },
});
registerEnumType(AnomalyDirectionEnum, {
  name: "AnomalyDirection",
  description: "Whether the cost went above or below its expected range.",
  valuesConfig: {
    SPIKE: { description: "Above the expected range." },
    DROP: { description: "Below the expected range." },
  },
});
registerEnumType(AnomalyCauseEnum, {
  name: "AnomalyCause",
  description: "What moved the number.",
  valuesConfig: {
    USAGE: { description: "Usage changed: more or less was consumed or bought." },
    EXCHANGE_RATE: { description: "The exchange rate moved; the billed-currency amounts did not." },
    CREDIT: { description: "A credit (or refund) line moved the total." },
    TAX: { description: "A tax line moved the total." },
    RESTATEMENT: { description: "The provider restated a day that was already stored." },
  },
});
registerEnumType(AnomalyFeedbackEnum, {
  name: "AnomalyFeedback",
  description: "A person's verdict on an anomaly.",
  valuesConfig: {
    CONFIRMED: { description: "A real problem." },
    NOT_ANOMALY: { description: "Normal for this client: the same pattern does not alert again." },
    PLANNED: { description: "Expected (a launch, a migration): the same pattern does not alert again." },
  },
});
registerEnumType(AnomalyStatusEnum, {
  name: "AnomalyStatus",
  description: "Whether the data still shows the anomaly.",
  valuesConfig: {
    OPEN: { description: "The stored data still shows it." },
    RESOLVED: { description: "A later restatement or re-collection removed the deviation." },
  },
});

export const BudgetPeriodEnum = { MONTHLY: "MONTHLY", QUARTERLY: "QUARTERLY", YEARLY: "YEARLY" } as const;
export const BudgetAlertKindEnum = { ACTUAL: "ACTUAL", FORECAST: "FORECAST" } as const;

registerEnumType(BudgetPeriodEnum, {
  name: "BudgetPeriod",
  description: "The calendar period a budget's amount covers (UTC).",
  valuesConfig: {
    MONTHLY: { description: "Each calendar month." },
    QUARTERLY: { description: "Each calendar quarter (January, April, July, October)." },
    YEARLY: { description: "Each calendar year." },
  },
});
registerEnumType(BudgetAlertKindEnum, {
  name: "BudgetAlertKind",
  description: "What crossed the threshold.",
  valuesConfig: {
    ACTUAL: { description: "Spend so far crossed the threshold." },
    FORECAST: { description: "The expected period total reaches the amount." },
  },
});

export const PortfolioOrderEnum = {
  COST: "COST",
  ABSOLUTE_CHANGE: "ABSOLUTE_CHANGE",
  RELATIVE_CHANGE: "RELATIVE_CHANGE",
} as const satisfies Record<PortfolioOrder, PortfolioOrder>;

registerEnumType(PortfolioOrderEnum, {
  name: "PortfolioOrder",
  description:
    "How portfolio clients are ranked, largest first; equal values by client id. Amounts are compared as they are, in each client's reporting currency.",
  valuesConfig: {
    COST: { description: "Net cost of the period." },
    ABSOLUTE_CHANGE: { description: "total - previousTotal: the largest increase first." },
    RELATIVE_CHANGE: {
      description: "changePercent: the largest relative increase first; clients with no previous cost last.",
    },
  },
});
