/**
 * What /readyz answers. Ready means this instance can serve: DynamoDB answers, the stream
 * consumer reads (or stands by behind another instance's lease) and, with Redis, both Redis
 * connections are up. Tenants' provider connections are
 * reported beside it, as information only: one tenant's expired key must not take the service out
 * of the load balancer. The endpoint is unauthenticated, so every text in the report is a fixed
 * phrase, an error name, or a stored message that was written to be shown, cut to one short line.
 */
import type { HealthStatus, ProviderConnection } from "../domain/client.js";
import type { CloudProvider } from "../domain/provider.js";
import type { Logger } from "./logger.js";

export interface ReadinessCheck {
  ok: boolean;
  detail?: string;
}

export interface ConnectionHealthReport {
  clientId: string;
  provider: CloudProvider;
  health: HealthStatus;
  lastHealthCheckAt?: string;
  lastHealthError?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
  /** Last health check of each provider connection (at most `maxConnections`); never decides `ready`. */
  providerConnections?: { connections: ConnectionHealthReport[]; truncated: boolean };
}

/** What readiness reads of the stream consumer's state (live/stream-consumer.ts reports it). */
export interface ConsumerReadiness {
  ready: boolean;
  /** e.g. "reader", or "standby" behind another instance's lease. */
  role: string;
  lagMs: number | null;
  lastError?: string;
}

export interface ReadinessSources {
  /** One bounded DynamoDB read: it proves DynamoDB answers and lists the connections' health. */
  listConnections(limit: number): Promise<{ connections: ProviderConnection[]; truncated: boolean }>;
  /**
   * Absent when this instance runs no consumer (STREAM_CONSUMER=off): then it is not checked.
   * Answers undefined while the consumer is replaced.
   */
  streamConsumerStatus?: () => ConsumerReadiness | undefined;
  /** Absent without Redis (one instance, in-process events). */
  eventBrokerConnected?: () => boolean;
  logger: Logger;
  /** Connections listed at most (default 100). */
  maxConnections?: number;
}

export const DEFAULT_MAX_REPORTED_CONNECTIONS = 100;
const MAX_DETAIL_LENGTH = 200;

/** First line only (no stack can follow it), bounded in length. */
export function shortDetail(text: string): string {
  const line = text.split(/\r?\n/, 1)[0] ?? "";
  return line.length > MAX_DETAIL_LENGTH ? `${line.slice(0, MAX_DETAIL_LENGTH - 1)}…` : line;
}

function connectionHealth(connection: ProviderConnection): ConnectionHealthReport {
  return {
    clientId: connection.clientId,
    provider: connection.provider,
    health: connection.health,
    ...(connection.lastHealthCheckAt ? { lastHealthCheckAt: connection.lastHealthCheckAt } : {}),
    ...(connection.lastHealthError ? { lastHealthError: shortDetail(connection.lastHealthError) } : {}),
  };
}

function consumerCheck(status: ConsumerReadiness | undefined): ReadinessCheck {
  if (!status) return { ok: false, detail: "stopped" };
  const lag = status.lagMs === null ? "" : `, lag ${(status.lagMs / 1000).toFixed(1)} s`;
  const failing = status.lastError === undefined ? "" : `, failing: ${shortDetail(status.lastError)}`;
  return { ok: status.ready, detail: `${status.role}${lag}${failing}` };
}

export function createReadinessCheck(sources: ReadinessSources): () => Promise<ReadinessReport> {
  const limit = sources.maxConnections ?? DEFAULT_MAX_REPORTED_CONNECTIONS;
  return async () => {
    const checks: Record<string, ReadinessCheck> = {};
    let providerConnections: ReadinessReport["providerConnections"];
    try {
      const listed = await sources.listConnections(limit);
      checks.dynamodb = { ok: true };
      providerConnections = {
        connections: listed.connections.map(connectionHealth),
        truncated: listed.truncated,
      };
    } catch (error) {
      sources.logger.warn({ err: error }, "readiness: DynamoDB did not answer");
      checks.dynamodb = { ok: false, detail: error instanceof Error ? error.name : "unreachable" };
    }
    if (sources.streamConsumerStatus) checks.streamConsumer = consumerCheck(sources.streamConsumerStatus());
    if (sources.eventBrokerConnected) {
      // Without the broker this instance would serve subscriptions that never fire.
      checks.redis = sources.eventBrokerConnected() ? { ok: true } : { ok: false, detail: "disconnected" };
    }
    return {
      ready: Object.values(checks).every((check) => check.ok),
      checks,
      ...(providerConnections ? { providerConnections } : {}),
    };
  };
}
