import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { UNPUBLISHED_ALARM_METRICS, type AlarmMetrics } from "./alarm-metric-window.js";

export interface MetricsOptions {
  /** Default: a new registry (tests create their own). */
  registry?: Registry;
  /** Where the alarm metrics also go (the CloudWatch publisher); default: nowhere. */
  alarms?: AlarmMetrics;
}

/**
 * Every Prometheus series the service exports, on one registry per process, and the recorder of the
 * alarm metrics, fed at the same places.
 */
export function createMetrics(options: MetricsOptions = {}) {
  const registry = options.registry ?? new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    alarms: options.alarms ?? UNPUBLISHED_ALARM_METRICS,
    graphqlRequests: new Counter({
      name: "graphql_requests_total",
      help: "GraphQL operations over HTTP and graphql-ws by operation name and outcome (ok, error).",
      labelNames: ["operation", "outcome"] as const,
      registers: [registry],
    }),
    graphqlDuration: new Histogram({
      name: "graphql_request_duration_seconds",
      help: "GraphQL operation latency by operation name (for subscriptions: until the stream is set up).",
      labelNames: ["operation"] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    openSubscriptions: new Gauge({
      name: "graphql_open_subscriptions",
      help: "Subscriptions currently open over graphql-ws.",
      registers: [registry],
    }),
    dynamoRequests: new Counter({
      name: "dynamodb_requests_total",
      help: "DynamoDB requests by operation and table (every attempt, SDK retries included).",
      labelNames: ["operation", "table"] as const,
      registers: [registry],
    }),
    dynamoRequestErrors: new Counter({
      name: "dynamodb_request_errors_total",
      help: "DynamoDB attempts that failed, by operation, table and error name.",
      labelNames: ["operation", "table", "error"] as const,
      registers: [registry],
    }),
    dynamoConsumedCapacity: new Counter({
      name: "dynamodb_consumed_capacity_units_total",
      help: "Read and write capacity units DynamoDB reported as consumed, by operation and table.",
      labelNames: ["operation", "table"] as const,
      registers: [registry],
    }),
    collectionDuration: new Histogram({
      name: "collection_duration_seconds",
      help: "Provider collection duration by provider and outcome.",
      labelNames: ["provider", "outcome"] as const,
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300],
      registers: [registry],
    }),
    providerApiRequests: new Counter({
      name: "provider_api_requests_total",
      help: "Billing API requests spent, by provider.",
      labelNames: ["provider"] as const,
      registers: [registry],
    }),
    quarantinedCostLines: new Counter({
      name: "cost_lines_quarantined_total",
      help: "Provider cost lines whose amount or currency could not be read, left out of their day's record and named in its data quality, by provider.",
      labelNames: ["provider"] as const,
      registers: [registry],
    }),
    providerRetries: new Counter({
      name: "provider_api_retries_total",
      help: "Billing API attempts that failed and were retried, by provider and error code.",
      labelNames: ["provider", "code"] as const,
      registers: [registry],
    }),
    streamLagSeconds: new Gauge({
      name: "stream_consumer_lag_seconds",
      help: "Age of the newest DynamoDB Streams record processed when it was processed.",
      registers: [registry],
    }),
    readCacheHits: new Counter({
      name: "read_cache_hits_total",
      help: "Reads answered by the read cache, by kind (summary, breakdown, series, header, rollup, client, ...).",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    readCacheMisses: new Counter({
      name: "read_cache_misses_total",
      help: "Reads the read cache did not hold, by kind.",
      labelNames: ["kind"] as const,
      registers: [registry],
    }),
    readCacheInvalidations: new Counter({
      name: "read_cache_invalidations_total",
      help: "Clients whose cached reads were dropped because their data changed.",
      registers: [registry],
    }),
    readCacheBytes: new Gauge({
      name: "read_cache_bytes",
      help: "Estimated memory held by the read cache's values.",
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
