import { registerEnumType } from "type-graphql";

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
  description: "The bucket of a cost time series; buckets are UTC calendar days, weeks or months.",
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
