export const CLOUD_PROVIDERS = ["AWS", "GCP", "AZURE"] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export function isCloudProvider(value: unknown): value is CloudProvider {
  return typeof value === "string" && (CLOUD_PROVIDERS as readonly string[]).includes(value);
}
