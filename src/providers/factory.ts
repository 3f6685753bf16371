/**
 * Builds the adapter for a connection. The one place that decides whether a connection may name
 * its own endpoint: only when ALLOW_CUSTOM_PROVIDER_ENDPOINTS permits it (the sandbox), since a
 * tenant-chosen URL would otherwise let anyone aim the collector at internal hosts.
 */
import type { CloudProvider } from "../domain/provider.js";
import type { Logger } from "../observability/logger.js";
import type { CostProviderAdapter } from "./adapter.js";
import { AwsCostExplorerAdapter } from "./aws/aws-adapter.js";
import type { AwsIdentitySource } from "./aws/cost-explorer-caller.js";
import { AzureCostManagementAdapter } from "./azure/azure-adapter.js";
import type { ProviderCredentials } from "./credentials.js";
import { InvalidRequestError } from "./errors.js";
import { GcpBillingExportAdapter } from "./gcp/gcp-adapter.js";
import type { RetryAttemptFailure, RetryPolicy } from "./retry.js";

export interface CreateProviderAdapterOptions {
  provider: CloudProvider;
  credentials: ProviderCredentials;
  /** A custom API endpoint (a simulator); refused unless allowCustomEndpoints. */
  endpoint?: string;
  allowCustomEndpoints: boolean;
  requestTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
  logger?: Logger;
  /** AWS role connections: the identity that assumes the tenant's role (default: the SDK's default chain). */
  awsSourceCredentials?: AwsIdentitySource;
  /** Azure: PEM of a CA to trust, for a simulator's self-signed certificate. */
  azureTlsCa?: string;
  /** Every failed API request attempt, retried or final (for metrics). */
  onRequestFailure?: (provider: CloudProvider, failure: RetryAttemptFailure) => void;
}

export const CUSTOM_ENDPOINTS_DISABLED =
  "custom provider endpoints are disabled; set ALLOW_CUSTOM_PROVIDER_ENDPOINTS=1";

function checkedEndpoint(endpoint: string | undefined, allowed: boolean): string | undefined {
  if (endpoint === undefined) return undefined;
  if (!allowed) throw new InvalidRequestError(CUSTOM_ENDPOINTS_DISABLED);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidRequestError("endpoint: must be an absolute http(s) URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidRequestError("endpoint: must be an absolute http(s) URL");
  }
  if (url.username || url.password) throw new InvalidRequestError("endpoint: must not carry user info");
  return endpoint.replace(/\/+$/, "");
}

export function createProviderAdapter(options: CreateProviderAdapterOptions): CostProviderAdapter {
  const { credentials } = options;
  if (credentials.provider !== options.provider) {
    throw new InvalidRequestError(
      `credentials.provider: ${credentials.provider} credentials cannot be used for ${options.provider}`,
    );
  }
  const endpoint = checkedEndpoint(options.endpoint, options.allowCustomEndpoints);
  const common = {
    ...(endpoint === undefined ? {} : { endpoint }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.retryPolicy === undefined ? {} : { retryPolicy: options.retryPolicy }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.onRequestFailure === undefined
      ? {}
      : {
          onRequestFailure: (failure: RetryAttemptFailure) =>
            options.onRequestFailure?.(options.provider, failure),
        }),
  };
  switch (credentials.provider) {
    case "AWS": {
      const { provider: _provider, ...aws } = credentials;
      const source = options.awsSourceCredentials;
      return new AwsCostExplorerAdapter({
        ...common,
        credentials: aws,
        ...(source === undefined ? {} : { sourceCredentials: source }),
      });
    }
    case "GCP": {
      const { provider: _provider, ...gcp } = credentials;
      return new GcpBillingExportAdapter({ ...common, credentials: gcp });
    }
    case "AZURE": {
      const { provider: _provider, ...azure } = credentials;
      const tlsCa = options.azureTlsCa;
      return new AzureCostManagementAdapter({
        ...common,
        credentials: azure,
        ...(tlsCa === undefined ? {} : { tlsCa }),
      });
    }
  }
}
