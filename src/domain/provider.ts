export const CLOUD_PROVIDERS = ["AWS", "GCP", "AZURE"] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export function isCloudProvider(value: unknown): value is CloudProvider {
  return typeof value === "string" && (CLOUD_PROVIDERS as readonly string[]).includes(value);
}

/** How the clouds are named to people (breakdown labels). */
export const PROVIDER_LABELS: Readonly<Record<CloudProvider, string>> = {
  AWS: "Amazon Web Services",
  GCP: "Google Cloud",
  AZURE: "Microsoft Azure",
};
