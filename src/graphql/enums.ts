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

registerEnumType(CloudProviderEnum, { name: "CloudProvider" });
registerEnumType(GranularityEnum, { name: "Granularity" });
registerEnumType(CostDimensionEnum, { name: "CostDimension" });
registerEnumType(CollectionStatusEnum, { name: "CollectionStatus" });
registerEnumType(ChangeTypeEnum, { name: "ChangeType" });
registerEnumType(ConfidenceEnum, { name: "Confidence" });
registerEnumType(HealthStatusEnum, {
  name: "HealthStatus",
  description: "Result of a provider connection's last health check.",
});
