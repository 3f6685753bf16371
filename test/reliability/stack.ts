/**
 * The service the reliability files attack: the tests' stack (support/stack.ts) started over HTTP,
 * its DynamoDB traffic optionally through a TCP proxy that can stall or cut it, and tenants
 * connected over GraphQL with distinctive secrets. Every HTTP response body and WebSocket message
 * is kept and the logs are captured, so each file ends by proving no secret ever left the server.
 */
import { randomBytes } from "node:crypto";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { createClient, type Client as WsClient } from "graphql-ws";
import WebSocket from "ws";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import type { AdapterDefaults } from "../../src/tenancy/client-manager.js";
import type { DemoClouds } from "../../src/sandbox/demo-tenant.js";
import type { Role } from "../../src/domain/identity.js";
import type { GraphQLCall, TestServer } from "../support/server.js";
import { startTestStack } from "../support/stack.js";
import type { TcpProxy } from "../support/tcp-proxy.js";
import {
  connectedClient,
  distinctiveProviderInputs,
  expectNoSecretIn,
  recordingCaller,
  type ProviderInputs,
} from "../e2e/collections-fixture.js";

/** RELIABILITY=full runs the long versions (soak, more hostile repetitions); otherwise the reduced ones. */
export const FULL = process.env.RELIABILITY === "full";

export interface ReliabilityStack {
  server: TestServer;
  clouds: DemoClouds;
  /** GraphQL over HTTP; every response body lands in `bodies`. */
  graphql: GraphQLCall;
  bodies: string[];
  inputs: ProviderInputs["inputs"];
  admin: string;
  token(claims: { roles: Role[]; clientIds?: string[] }): Promise<string>;
  /** A graphql-ws client whose every received message lands in `bodies`. */
  ws(token: string): WsClient;
  /** Items in both tables, read past the proxy (so a stalled proxy does not hide them). */
  countItems(): Promise<{ data: number; timeseries: number }>;
  /** Fails when any response body, WebSocket message or log line holds a secret or a token. */
  expectNoSecretLeaked(): void;
  /** The secrets found in a text (for answers checked as they come rather than kept). */
  secretsIn(text: string): string[];
  stop(): Promise<void>;
}

export interface StackOptions {
  /** Route the service's DynamoDB traffic through this proxy. */
  proxy?: TcpProxy;
  /** Adapter settings on top of the Azure simulator's CA (short timeouts, quick retries). */
  adapterDefaults?: Omit<AdapterDefaults, "trustedCertificates">;
  /** Tenants created and connected to the three clouds over GraphQL. */
  tenants?: string[];
  streamConsumer?: boolean;
  /** More configuration (e.g. a short DYNAMODB_TIMEOUT_MS). */
  env?: Record<string, string>;
}

export async function startReliabilityStack(options: StackOptions = {}): Promise<ReliabilityStack> {
  const credentialsKey = randomBytes(32).toString("base64");
  const stack = await startTestStack({
    clouds: { size: { services: 4, accounts: 2, regions: 2 } },
    ...(options.adapterDefaults ? { adapterDefaults: options.adapterDefaults } : {}),
    server: {
      streamConsumer: options.streamConsumer ?? true,
      env: {
        CREDENTIALS_ENCRYPTION_KEY: credentialsKey,
        ALLOW_CUSTOM_PROVIDER_ENDPOINTS: "1",
        ...(options.proxy ? { DYNAMODB_ENDPOINT: options.proxy.endpoint } : {}),
        ...options.env,
      },
    },
  });
  const { server, clouds } = stack;
  // A set-up that fails half-way leaves nothing running (a caller may start again).
  const setUp = async () => {
    const { call, bodies } = recordingCaller(server.graphql);
    const provider = distinctiveProviderInputs(clouds);
    const tokens: string[] = [];
    const token = async (claims: { roles: Role[]; clientIds?: string[] }) => {
      const issued = await server.token(claims);
      tokens.push(issued);
      return issued;
    };
    const admin = await token({ roles: ["admin"] });
    for (const tenant of options.tenants ?? [])
      await connectedClient(call, admin, tenant, provider.inputs, CLOUD_PROVIDERS);
    return { call, bodies, provider, tokens, token, admin };
  };
  let ready: Awaited<ReturnType<typeof setUp>>;
  try {
    ready = await setUp();
  } catch (error) {
    await stack.stop().catch(() => undefined);
    throw error;
  }
  const { call, bodies, provider, tokens, token, admin } = ready;
  const sockets: WsClient[] = [];
  const secrets = [...provider.secrets, server.secret, credentialsKey];

  const count = async (table: string) => {
    let items = 0;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await server.store.doc.send(
        new ScanCommand({ TableName: table, Select: "COUNT", ExclusiveStartKey: start }),
      );
      items += page.Count ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return items;
  };

  return {
    server,
    clouds,
    graphql: call,
    bodies,
    inputs: provider.inputs,
    admin,
    token,
    ws: (bearer) => {
      const client = createClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${bearer}` },
        lazy: false,
        retryAttempts: 0,
        on: { message: (message) => void bodies.push(JSON.stringify(message)) },
      });
      sockets.push(client);
      return client;
    },
    countItems: async () => ({
      data: await count(server.store.names.data),
      timeseries: await count(server.store.names.timeseries),
    }),
    expectNoSecretLeaked: () => {
      expectNoSecretIn(bodies, secrets);
      expectNoSecretIn(server.logs, [...secrets, ...tokens]);
    },
    secretsIn: (text) => secrets.filter((secret) => text.includes(secret)),
    stop: async () => {
      await Promise.all(sockets.map((socket) => socket.dispose()));
      await stack.stop();
    },
  };
}
