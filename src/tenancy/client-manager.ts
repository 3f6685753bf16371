/**
 * The rules around clients and their provider connections; storage is the stores' business.
 * Credentials are validated with the cloud's own schema, encrypted whole into the connection's
 * secret envelope, and only their masked summary is ever stored in the clear, logged or returned.
 * The collector gets its adapters from here too (decrypt -> factory), so one place decides which
 * endpoints a connection may use.
 */
import { randomUUID } from "node:crypto";
import type { Client, ProviderConnection } from "../domain/client.js";
import type { CloudProvider } from "../domain/provider.js";
import {
  validateCurrencyCode,
  validateSafeId,
  ValidationError,
  describeValue,
} from "../domain/validation.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { CostProviderAdapter } from "../providers/adapter.js";
import {
  maskCredentials,
  parseProviderCredentials,
  type ProviderCredentials,
} from "../providers/credentials.js";
import { ProviderError } from "../providers/errors.js";
import { systemClock, type Clock } from "../shared/clock.js";
import { createProviderAdapter, type CreateProviderAdapterOptions } from "../providers/factory.js";
import type { ClientStore } from "../store/client-store.js";
import type { ConnectionStore } from "../store/connection-store.js";
import { ItemAlreadyExistsError } from "../store/errors.js";
import {
  clientNotFound,
  ConflictError,
  ConnectionCheckFailedError,
  NotFoundError,
} from "../domain/errors.js";
import type { SecretBox } from "../security/secret-box.js";

const MAX_NAME_LENGTH = 100;
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 15_000;

/**
 * Adapter settings the process decides, not the tenant; every connection gets them. Certificates are
 * trusted by origin (trustedCertificates): a pin applies to its own endpoint only, and every other
 * connection keeps Node's default trust.
 */
export type AdapterDefaults = Pick<
  CreateProviderAdapterOptions,
  "requestTimeoutMs" | "retryPolicy" | "awsSourceCredentials" | "trustedCertificates" | "onRequestFailure"
>;

export interface ClientManagerOptions {
  clients: ClientStore;
  connections: ConnectionStore;
  secretBox: SecretBox;
  allowCustomProviderEndpoints: boolean;
  logger: Logger;
  now?: Clock;
  healthCheckTimeoutMs?: number;
  adapterDefaults?: AdapterDefaults;
  /** Health checks spend provider API requests too. */
  metrics?: Pick<Metrics, "providerApiRequests">;
}

export interface CreateClientInput {
  id?: string | null;
  name: string;
  reportingCurrency: string;
}

export interface TestConnectionInput {
  clientId: string;
  /** Parsed once, at the edge, by the cloud's schema (providers/credentials.ts). */
  credentials: ProviderCredentials;
  /** A custom API endpoint (the sandbox's simulators); refused unless custom endpoints are allowed. */
  endpoint?: string | null;
}

export interface ConnectProviderInput extends TestConnectionInput {
  /**
   * Store the credentials without checking them (health UNKNOWN), even over a working connection:
   * for credentials the provider cannot accept yet (a role whose trust policy is still being set up).
   */
  saveUnverified?: boolean | null;
}

/** What a health check of credentials said; nothing of it is stored by testConnection. */
export interface ConnectionCheck {
  clientId: string;
  provider: CloudProvider;
  healthy: boolean;
  /** Safe to show: never credential material, never a foreign body. */
  message: string;
  checkedAt: string;
}

/** Who asks; only used to say so in the log. */
export interface Requester {
  sub: string;
}

/** The connection's credentials bind to its key: an envelope copied to another connection does not open. */
const envelopeContext = (clientId: string, provider: CloudProvider) => `connection:${clientId}/${provider}`;

const generatedClientId = () => `cl-${randomUUID().replaceAll("-", "").slice(0, 12)}`;

function validateName(value: unknown): string {
  const name = typeof value === "string" ? value.trim() : "";
  if (name.length < 1 || name.length > MAX_NAME_LENGTH) {
    throw new ValidationError(
      "name",
      `${describeValue(value)} is not a name of 1 to ${MAX_NAME_LENGTH} characters (spaces trimmed)`,
    );
  }
  return name;
}

export class ClientManager {
  private readonly now: Clock;
  private readonly healthCheckTimeoutMs: number;

  constructor(private readonly options: ClientManagerOptions) {
    this.now = options.now ?? systemClock;
    this.healthCheckTimeoutMs = options.healthCheckTimeoutMs ?? DEFAULT_HEALTH_CHECK_TIMEOUT_MS;
  }

  /** Creates a client (admins only: the resolver checks). CONFLICT when the id is taken. */
  async createClient(requester: Requester, input: CreateClientInput): Promise<Client> {
    const id =
      input.id === undefined || input.id === null ? generatedClientId() : validateSafeId(input.id, "id");
    const client: Client = {
      id,
      name: validateName(input.name),
      reportingCurrency: validateCurrencyCode(input.reportingCurrency, "reportingCurrency"),
      createdAt: this.now().toISOString(),
    };
    try {
      await this.options.clients.create(client);
    } catch (error) {
      if (error instanceof ItemAlreadyExistsError) {
        throw new ConflictError(`client id "${id}" already exists`);
      }
      throw error;
    }
    this.options.logger.info({ clientId: id, by: requester.sub }, "client created");
    return client;
  }

  /**
   * Stores the client's connection to a provider after checking it against the provider. Over a
   * stored connection, credentials that fail their check change nothing: ConnectionCheckFailedError
   * carries the check's result and the working connection stays. A first connection is stored with
   * its result, UNHEALTHY included. `saveUnverified` stores without a check (health UNKNOWN).
   */
  async connectProvider(input: ConnectProviderInput): Promise<ProviderConnection> {
    const { clientId, provider, adapter } = await this.prepare(input);
    const existing = await this.options.connections.get(clientId, provider);
    const check = input.saveUnverified ? undefined : await this.check(clientId, adapter);
    if (existing && check && !check.healthy) {
      this.options.logger.info(
        { clientId, provider, kept: existing.credentialSummary },
        "new credentials failed their check; the stored connection was kept",
      );
      throw new ConnectionCheckFailedError(
        `the new ${provider} credentials failed their health check, so the stored connection was kept unchanged (saveUnverified stores them anyway): ${check.message}`,
      );
    }
    const now = this.now().toISOString();
    const endpoint = input.endpoint ?? undefined;
    const connection: ProviderConnection = {
      clientId,
      provider,
      credentialSummary: maskCredentials(input.credentials),
      ...(endpoint === undefined ? {} : { endpoint }),
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      health: check ? (check.healthy ? "HEALTHY" : "UNHEALTHY") : "UNKNOWN",
      ...(check ? { lastHealthCheckAt: check.checkedAt } : {}),
      ...(check && !check.healthy ? { lastHealthError: check.message } : {}),
    };
    const envelope = await this.options.secretBox.seal(
      input.credentials,
      envelopeContext(clientId, provider),
    );
    const stored = await this.options.connections.put(connection, envelope);
    this.options.logger.info(
      { clientId, provider, credentialSummary: stored.credentialSummary, health: stored.health },
      "provider connected",
    );
    return stored;
  }

  /** Checks credentials against the provider as connectProvider would, and stores nothing. */
  async testConnection(input: TestConnectionInput): Promise<ConnectionCheck> {
    const { clientId, provider, adapter } = await this.prepare(input);
    const check = await this.check(clientId, adapter);
    this.options.logger.info(
      { clientId, provider, credentialSummary: maskCredentials(input.credentials), healthy: check.healthy },
      "provider credentials tested",
    );
    return check;
  }

  /** The client checked to exist, and an adapter for the credentials (the factory refuses a bad endpoint). */
  private async prepare(input: TestConnectionInput) {
    const clientId = validateSafeId(input.clientId, "clientId");
    const provider = input.credentials.provider;
    if (!(await this.options.clients.get(clientId))) throw clientNotFound(clientId);
    const endpoint = input.endpoint ?? undefined;
    const adapter = this.buildAdapter(clientId, provider, input.credentials, endpoint, "endpoint");
    return { clientId, provider, adapter };
  }

  private async check(clientId: string, adapter: CostProviderAdapter): Promise<ConnectionCheck> {
    const { healthy, message } = await this.checkHealth(adapter);
    return { clientId, provider: adapter.provider, healthy, message, checkedAt: this.now().toISOString() };
  }

  /** The adapter for a stored connection, credentials decrypted (for the collector only). */
  async adapterFor(clientId: string, provider: CloudProvider): Promise<CostProviderAdapter> {
    const connection = await this.options.connections.get(clientId, provider);
    const envelope = await this.options.connections.getSecretEnvelope(clientId, provider);
    if (!connection || !envelope) {
      throw new NotFoundError(`client "${clientId}" has no ${provider} connection`);
    }
    const secret = await this.options.secretBox.open(envelope, envelopeContext(clientId, provider));
    const credentials = parseProviderCredentials(provider, secret);
    return this.buildAdapter(clientId, provider, credentials, connection.endpoint, "endpoint");
  }

  private buildAdapter(
    clientId: string,
    provider: CloudProvider,
    credentials: ProviderCredentials,
    endpoint: string | undefined,
    endpointField: string,
  ): CostProviderAdapter {
    try {
      return createProviderAdapter({
        ...this.options.adapterDefaults,
        provider,
        credentials,
        ...(endpoint === undefined ? {} : { endpoint }),
        allowCustomEndpoints: this.options.allowCustomProviderEndpoints,
        logger: this.options.logger.child({ clientId, provider }),
        now: this.now,
      });
    } catch (error) {
      if (error instanceof ProviderError && error.code === "INVALID_REQUEST") {
        throw new ValidationError(endpointField, error.message.replace(/^endpoint: /, ""));
      }
      throw error;
    }
  }

  /** The adapter's health check, bounded in time; never throws. */
  private async checkHealth(adapter: CostProviderAdapter): Promise<{ healthy: boolean; message: string }> {
    const timeout = AbortSignal.timeout(this.healthCheckTimeoutMs);
    const timedOut = new Promise<never>((_, reject) =>
      timeout.addEventListener("abort", () => reject(timeout.reason), { once: true }),
    );
    const spent = (apiRequests: number | undefined) =>
      this.options.metrics?.providerApiRequests.inc({ provider: adapter.provider }, apiRequests ?? 0);
    try {
      const result = await Promise.race([adapter.healthCheck(timeout), timedOut]);
      spent(result.apiRequests);
      return result;
    } catch (error) {
      if (error instanceof ProviderError) spent(error.apiRequests);
      if (timeout.aborted) {
        return { healthy: false, message: `health check timed out after ${this.healthCheckTimeoutMs} ms` };
      }
      if (error instanceof ProviderError)
        return { healthy: false, message: `${error.code}: ${error.message}` };
      // Text of an unexpected error is not trusted to be free of credential material.
      this.options.logger.warn(
        { provider: adapter.provider, errorName: (error as Error)?.name },
        "health check failed",
      );
      return { healthy: false, message: "health check failed unexpectedly" };
    }
  }
}
