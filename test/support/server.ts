/**
 * A started service on a random loopback port, over the run's DynamoDB Local with fresh tables:
 * what e2e tests talk to over real HTTP and WebSocket. Logs are captured so tests can search them.
 */
import type { Clock } from "../../src/shared/clock.js";
import { randomBytes } from "node:crypto";
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { loadConfig } from "../../src/config.js";
import { issueToken } from "../../src/security/tokens.js";
import type { Role } from "../../src/domain/identity.js";
import { startRuntime, type Runtime, type RuntimeOptions } from "../../src/runtime.js";
import type { AdapterDefaults } from "../../src/tenancy/client-manager.js";
import { createStores, type AppStores } from "../../src/services.js";
import { createTestStoreContext, TEST_DYNAMO_TIMEOUT_MS, type TestStoreContext } from "./dynamo.js";
import { capturedLogger } from "./logs.js";

export interface TestServer {
  url: string;
  wsUrl: string;
  runtime: Runtime;
  store: TestStoreContext;
  stores: AppStores;
  logs: string[];
  secret: string;
  token(claims: { roles: Role[]; clientIds?: string[]; sub?: string }): Promise<string>;
  /** POSTs an operation: a typed document from schema/operations (codegen) or a query string. */
  graphql<T = Record<string, unknown>, V = Record<string, unknown>>(
    query: string | TypedDocumentNode<T, V>,
    variables?: V,
    token?: string,
  ): Promise<{ status: number; body: GraphQLBody<T> }>;
  stop(): Promise<void>;
}

export interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

export type GraphQLCall = TestServer["graphql"];

/** A GraphQL-over-HTTP caller for a server URL. */
export function graphqlClient(url: string): GraphQLCall {
  return async (query, variables, token) => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: typeof query === "string" ? query : print(query), variables }),
    });
    return { status: response.status, body: (await response.json()) as GraphQLBody<never> };
  };
}

export async function startTestServer(
  options: {
    streamConsumer?: boolean;
    /** Overrides; undefined removes a default. */
    env?: Record<string, string | undefined>;
    /** Provider adapter settings (a simulator's CA, short timeouts for fault tests). */
    adapterDefaults?: AdapterDefaults;
    /** Credentials of the service's KMS and CloudWatch clients (for their simulators). */
    awsCredentials?: RuntimeOptions["awsCredentials"];
    /**
     * Another server's tables: a second instance of the same deployment (give it the first one's
     * AUTH_JWT_SECRET too). Its owner destroys the store's client.
     */
    sharedStore?: TestStoreContext;
    /** What "today" is for the service (default: the system clock). */
    clock?: Clock;
  } = {},
): Promise<TestServer> {
  const store = options.sharedStore ?? (await createTestStoreContext());
  const secret = options.env?.AUTH_JWT_SECRET ?? randomBytes(32).toString("base64url");
  const { logger, logs } = capturedLogger();
  const config = loadConfig(
    {
      PORT: "0",
      HOST: "127.0.0.1",
      AUTH_JWT_SECRET: secret,
      CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      DYNAMODB_ENDPOINT: store.endpoint,
      TABLE_PREFIX: store.prefix,
      STREAM_CONSUMER: options.streamConsumer ? "on" : "off",
      LOG_LEVEL: "info",
      DYNAMODB_TIMEOUT_MS: String(TEST_DYNAMO_TIMEOUT_MS),
      // Production mode publishes to CloudWatch by default; tests that want it point it at a simulator.
      CLOUDWATCH_METRICS: "off",
      ...options.env,
    },
    "production",
  );
  const runtime = await startRuntime(config, {
    logger,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.adapterDefaults ? { adapterDefaults: options.adapterDefaults } : {}),
    ...(options.awsCredentials ? { awsCredentials: options.awsCredentials } : {}),
  });
  store.counter.attach(runtime.dynamo.lowLevel);
  const url = runtime.url;
  return {
    url,
    wsUrl: url.replace(/^http/, "ws"),
    runtime,
    store,
    stores: createStores(store.doc, store.names),
    logs,
    secret,
    token: (claims) =>
      issueToken(
        { sub: claims.sub ?? "test-user", roles: claims.roles, clientIds: claims.clientIds ?? [] },
        secret,
      ),
    graphql: graphqlClient(url),
    stop: async () => {
      await runtime.stop();
      if (!options.sharedStore) store.lowLevel.destroy();
    },
  };
}
