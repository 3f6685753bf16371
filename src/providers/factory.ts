/**
 * Builds the adapter for a connection. The one place that decides whether a connection may name
 * its own endpoint: only when ALLOW_CUSTOM_PROVIDER_ENDPOINTS permits it (the sandbox), since a
 * tenant-chosen URL would otherwise let anyone aim the collector at internal hosts; and never a
 * link-local or instance-metadata host (endpoint-policy.ts). It also decides
 * which certificates a connection trusts: a pinned certificate only for the origin it was pinned
 * to, Node's default trust for everything else.
 */
import type { CloudProvider } from "../domain/provider.js";
import type { Clock } from "../shared/clock.js";
import type { Logger } from "../observability/logger.js";
import type { CostProviderAdapter } from "./adapter.js";
import { AwsCostExplorerAdapter } from "./aws/aws-adapter.js";
import type { AwsIdentitySource } from "./aws/cost-explorer-caller.js";
import { AzureCostManagementAdapter } from "./azure/azure-adapter.js";
import type { ProviderCredentials } from "./credentials.js";
import { InvalidRequestError } from "./errors.js";
import { forbiddenEndpointHost } from "./endpoint-policy.js";
import { GcpBillingExportAdapter } from "./gcp/gcp-adapter.js";
import type { RetryPolicy } from "../shared/retry.js";
import type { ProviderRetryFailure } from "./provider-retry.js";

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
  /**
   * Trusted certificates by origin: an Azure connection whose endpoint has one of these origins
   * trusts that certificate (a simulator's self-signed one) and nothing else; every other connection,
   * the real Azure included, keeps Node's default trust (its bundled roots and NODE_EXTRA_CA_CERTS).
   * In Node an explicit CA replaces the whole trust store, so a CA is never handed to a connection
   * it was not pinned for.
   */
  trustedCertificates?: readonly TrustedCertificate[];
  /** Every failed API request attempt, retried or final (for metrics). */
  onRequestFailure?: (provider: CloudProvider, failure: ProviderRetryFailure) => void;
  /** The process's clock: what "today" is for health checks and estimated days. */
  now?: Clock;
}

/** A CA certificate pinned to one origin (scheme, host and port), e.g. a simulator's self-signed one. */
export interface TrustedCertificate {
  /** The origin it is trusted for; a URL stands for its origin (path and query ignored). */
  origin: string;
  /** PEM certificate. */
  ca: string;
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
  const forbidden = forbiddenEndpointHost(url.hostname);
  if (forbidden)
    throw new InvalidRequestError(`endpoint: ${forbidden}; provider endpoints may not point there`);
  return endpoint.replace(/\/+$/, "");
}

function originOf(url: string, what: string): string {
  try {
    return new URL(url).origin;
  } catch {
    throw new TypeError(`${what}: ${JSON.stringify(url)} is not an absolute URL`);
  }
}

/**
 * The certificate pinned to the endpoint's origin, if any. Only a connection that names its endpoint
 * can match: the provider's own API always keeps Node's default trust.
 */
export function pinnedCertificateFor(
  endpoint: string | undefined,
  trusted: readonly TrustedCertificate[] | undefined,
): string | undefined {
  if (endpoint === undefined || !trusted?.length) return undefined;
  const origin = originOf(endpoint, "endpoint");
  return trusted.find((entry) => originOf(entry.origin, "trustedCertificates.origin") === origin)?.ca;
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
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.onRequestFailure === undefined
      ? {}
      : {
          onRequestFailure: (failure: ProviderRetryFailure) =>
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
      const tlsCa = pinnedCertificateFor(endpoint, options.trustedCertificates);
      return new AzureCostManagementAdapter({
        ...common,
        credentials: azure,
        ...(tlsCa === undefined ? {} : { tlsCa }),
      });
    }
  }
}
