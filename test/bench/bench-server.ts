/**
 * The service as the benchmark runs it: startRuntime over the benchmark's DynamoDB Local, on a
 * loopback port, its DynamoDB requests counted, logs (warnings and up) on stderr so they never mix
 * with the printed table.
 */
import { randomBytes } from "node:crypto";
import { print } from "graphql";
import { pino } from "pino";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { loadConfig, type AppConfig } from "../../src/config.js";
import { issueToken } from "../../src/security/tokens.js";
import type { Role } from "../../src/domain/identity.js";
import { createLogger, type Logger } from "../../src/observability/logger.js";
import { startRuntime, type Runtime, type RuntimeOptions } from "../../src/runtime.js";
import { DynamoRequestCounter } from "../support/dynamo-request-counter.js";
import { costRecordTopic } from "../../src/live/events.js";
import { DATASET_END, providerRecords } from "./bench-data.js";

/**
 * DynamoDB Local on a busy 2-core machine can take seconds for one transaction: the benchmark
 * measures slowness, it must not turn it into failed requests (the service's default is 3 s).
 */
export const BENCH_DYNAMO_TIMEOUT_MS = 60_000;

export const benchLogger: Logger = createLogger({ level: "warn", destination: pino.destination(2) });

export interface BenchServer {
  runtime: Runtime;
  config: AppConfig;
  url: string;
  wsUrl: string;
  counter: DynamoRequestCounter;
  token(claims: { roles: Role[]; clientIds?: string[] }): Promise<string>;
  stop(): Promise<void>;
}

export async function startBenchServer(options: {
  endpoint: string;
  tablePrefix: string;
  env?: Record<string, string>;
  runtime?: Pick<RuntimeOptions, "adapterDefaults" | "clock">;
}): Promise<BenchServer> {
  const config = loadConfig(
    {
      PORT: "0",
      HOST: "127.0.0.1",
      AUTH_JWT_SECRET: randomBytes(32).toString("base64url"),
      CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DYNAMODB_ENDPOINT: options.endpoint,
      TABLE_PREFIX: options.tablePrefix,
      STREAM_CONSUMER: "off",
      DYNAMODB_TIMEOUT_MS: String(BENCH_DYNAMO_TIMEOUT_MS),
      ...options.env,
    },
    "sandbox",
  );
  const runtime = await startRuntime(config, {
    logger: benchLogger,
    ensureTables: true,
    ...options.runtime,
  });
  const counter = new DynamoRequestCounter().attach(runtime.dynamo.lowLevel);
  return {
    runtime,
    config,
    url: runtime.url,
    wsUrl: runtime.url.replace(/^http/, "ws"),
    counter,
    token: (claims) =>
      issueToken(
        { sub: "bench", roles: claims.roles, clientIds: claims.clientIds ?? [] },
        config.auth.jwtSecret,
      ),
    stop: () => runtime.stop(),
  };
}

/**
 * A prepared GraphQL POST: the body is serialized once, so the load generator spends its time on
 * the request, not on building it. Rejects on HTTP or GraphQL errors (a benchmark of errors is void).
 */
export function graphqlRequest<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables: V,
  token: string,
): () => Promise<T> {
  const body = JSON.stringify({ query: print(document), variables });
  const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
  return async () => {
    const response = await fetch(url, { method: "POST", headers, body });
    const payload = (await response.json()) as { data?: T; errors?: { message: string }[] };
    if (!response.ok || payload.errors || !payload.data) {
      throw new Error(
        `GraphQL request failed (${response.status}): ${JSON.stringify(payload.errors ?? payload)}`,
      );
    }
    return payload.data;
  };
}

/**
 * Waits until the server's stream consumer has read every change made so far: it writes one more
 * day and waits for its event (the stream is read in write order), so the read cache is not
 * invalidated by an earlier load during a measurement.
 */
export async function drainStream(server: BenchServer): Promise<void> {
  const sentinel = "bench-sentinel";
  const [record] = providerRecords(sentinel, "AWS", [DATASET_END]);
  const events = server.runtime.services.pubsub.subscribe(costRecordTopic(sentinel));
  await events.ready;
  await server.runtime.services.stores.costs.upsertDays([record!]);
  await events.next();
  await events.return();
}
