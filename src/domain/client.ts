import type { CloudProvider } from "./provider.js";

export interface Client {
  id: string;
  name: string;
  /** ISO 4217 code every amount is served in. */
  reportingCurrency: string;
  createdAt: string;
}

export type HealthStatus = "UNKNOWN" | "HEALTHY" | "UNHEALTHY";

/**
 * A client's link to one cloud account. Holds only what may be shown: the secret material lives in an
 * encrypted envelope in the store and never in this type.
 */
export interface ProviderConnection {
  clientId: string;
  provider: CloudProvider;
  /** Masked description of the credentials, e.g. "role arn:aws:iam::1111****3333:role/cost-reader". */
  credentialSummary: string;
  /** Only set when ALLOW_CUSTOM_PROVIDER_ENDPOINTS permits it (sandbox simulators). */
  endpoint?: string;
  createdAt: string;
  updatedAt: string;
  health: HealthStatus;
  lastHealthCheckAt?: string;
  lastHealthError?: string;
}
