/**
 * What an operator sees of a running sandbox: /metrics series fed by GraphQL over HTTP and
 * graphql-ws, DynamoDB, collections and the stream consumer; /readyz with the provider connections'
 * health; JSON log lines that carry the request id and operation name and never a secret.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { print } from "graphql";
import { startSandboxServer, type SandboxServer } from "../support/sandbox-server.js";
import { bearer, connectLive, waitForOpenSubscriptions } from "../support/live-client.js";
import {
  CollectionJobUpdatedDocument,
  CostRecordChangedDocument,
  OverviewDocument,
} from "./generated/graphql.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { addDays } from "../../src/domain/dates.js";
import { parseProviderCredentials } from "../../src/providers/credentials.js";
import type { ReadinessReport } from "../../src/observability/readiness.js";

const CLIENT = "demo";
let server: SandboxServer;
let viewer: string;
let today: string;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseMetrics(text: string): Sample[] {
  return text
    .split("\n")
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries(
        [...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]),
      );
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

async function scrape(): Promise<Sample[]> {
  const response = await fetch(server.url.replace(/\/graphql$/, "/metrics"));
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("text/plain");
  return parseMetrics(await response.text());
}

/** The sum of the samples of `name` whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

const logLines = () => server.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

async function postGraphQL(query: string, variables: Record<string, unknown>, token?: string) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return {
    requestId: response.headers.get("x-request-id"),
    body: (await response.json()) as { data?: unknown; errors?: unknown[] },
  };
}

beforeAll(async () => {
  server = await startSandboxServer({ backfillDays: 5 });
  const backfill = await server.waitForJob(server.sandbox.backfill.id);
  expect(backfill.status).toBe("SUCCEEDED");
  today = server.sandbox.clouds.datasets.AWS.today;
  viewer = await server.token({ roles: ["viewer"], clientIds: [CLIENT] });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe("GraphQL over HTTP", () => {
  let requestId: string | null;

  beforeAll(async () => {
    const overview = await postGraphQL(
      print(OverviewDocument),
      { clientId: CLIENT, period: { start: addDays(today, -4), end: today } },
      viewer,
    );
    expect(overview.body.errors).toBeUndefined();
    requestId = overview.requestId;
  });

  it("counts and times a named query by its operation name", async () => {
    const samples = await scrape();
    expect(total(samples, "graphql_requests_total", { operation: "Overview", outcome: "ok" })).toBe(1);
    expect(total(samples, "graphql_request_duration_seconds_count", { operation: "Overview" })).toBe(1);
    expect(total(samples, "graphql_request_duration_seconds_sum", { operation: "Overview" })).toBeGreaterThan(
      0,
    );
  });

  it("logs one line for the request with its request id, operation name, outcome and duration", () => {
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const lines = logLines().filter((line) => line.requestId === requestId);
    const summary = lines.filter((line) => line.msg === "graphql operation");
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatchObject({
      level: 30,
      operationName: "Overview",
      operation: "Overview",
      transport: "http",
      outcome: "ok",
    });
    expect(summary[0]!.durationMs).toBeGreaterThan(0);
  });

  it("labels a request that never resolved to an operation as <unresolved>, not by the name it chose", async () => {
    const { body } = await postGraphQL("query Chosen123 { noSuchField }", {}, viewer);
    expect(body.errors).toHaveLength(1);
    const samples = await scrape();
    expect(
      total(samples, "graphql_requests_total", { operation: "<unresolved>", outcome: "error" }),
    ).toBeGreaterThanOrEqual(1);
    expect(samples.filter((s) => s.labels.operation === "Chosen123")).toEqual([]);
  });
});

describe("DynamoDB, collections and the stream consumer", () => {
  it("counts DynamoDB requests and the capacity they consumed, by operation and table", async () => {
    const table = tableNames(server.sandbox.config.dynamo.tablePrefix).data;
    const samples = await scrape();
    for (const operation of ["GetItem", "Query", "UpdateItem", "TransactWriteItems"]) {
      expect(total(samples, "dynamodb_requests_total", { operation, table }), operation).toBeGreaterThan(0);
    }
    expect(
      total(samples, "dynamodb_consumed_capacity_units_total", { operation: "GetItem", table }),
    ).toBeGreaterThan(0);
    expect(
      total(samples, "dynamodb_consumed_capacity_units_total", { operation: "TransactWriteItems", table }),
    ).toBeGreaterThan(0);
  });

  it("times each provider's collection and counts every billing API request the simulators answered", async () => {
    const samples = await scrape();
    const answered = server.sandbox.clouds.requestCounts();
    for (const provider of CLOUD_PROVIDERS) {
      expect(
        total(samples, "collection_duration_seconds_count", { provider, outcome: "SUCCEEDED" }),
        provider,
      ).toBe(1);
      expect(total(samples, "provider_api_requests_total", { provider }), provider).toBe(answered[provider]);
      expect(answered[provider], provider).toBeGreaterThan(0);
    }
  });

  it("counts retried attempts by provider and error code", async () => {
    expect(total(await scrape(), "provider_api_retries_total")).toBe(0);
    server.sandbox.clouds.simulators.AWS.faults.inject({ kind: "throttle", times: 2, delayMs: 10 });
    const job = await server.waitForJob((await server.sandbox.refresh()).id);
    expect(job.providers.find((p) => p.provider === "AWS")!.status).toBe("SUCCEEDED");

    const samples = await scrape();
    expect(total(samples, "provider_api_retries_total", { provider: "AWS", code: "RATE_LIMIT" })).toBe(2);
    expect(total(samples, "provider_api_retries_total")).toBe(2);
    expect(total(samples, "collection_duration_seconds_count", { provider: "AWS" })).toBe(2);
  });

  it("exports the stream consumer's lag once it has processed records", async () => {
    const lag = (await scrape()).filter((s) => s.name === "stream_consumer_lag_seconds");
    expect(lag).toHaveLength(1);
    expect(lag[0]!.value).toBeGreaterThanOrEqual(0);
    expect(lag[0]!.value).toBeLessThan(600);
  });
});

describe("graphql-ws", () => {
  it("counts open subscriptions up when they start and down when they end, also when the socket closes", async () => {
    const live = connectLive(server.wsUrl, bearer(viewer));
    await live.acknowledged;
    const costs = live.subscribe(CostRecordChangedDocument, { clientId: CLIENT, providers: ["GCP"] });
    live.subscribe(CollectionJobUpdatedDocument, { clientId: CLIENT });
    live.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(server.url, 3);

    costs.unsubscribe();
    await waitForOpenSubscriptions(server.url, 2);
    await live.close();
    await waitForOpenSubscriptions(server.url, 0);

    const samples = await scrape();
    expect(total(samples, "graphql_requests_total", { operation: "CostRecordChanged", outcome: "ok" })).toBe(
      2,
    );
    expect(
      total(samples, "graphql_requests_total", { operation: "CollectionJobUpdated", outcome: "ok" }),
    ).toBe(1);
    const started = logLines().filter(
      (line) =>
        line.msg === "graphql operation" &&
        line.transport === "ws" &&
        line.operationName === "CollectionJobUpdated",
    );
    expect(started).toHaveLength(1);
    expect(started[0]!.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("does not count a subscription the server refused", async () => {
    const live = connectLive(server.wsUrl, bearer(viewer));
    await live.acknowledged;
    const forbidden = live.subscribe(CollectionJobUpdatedDocument, { clientId: "someone-else" });
    const invalid = live.subscribe("subscription Broken { noSuchField }");
    // Refused by its resolver: one result with the error, then complete. Invalid: an error message.
    expect(await forbidden.ended()).toEqual({ completed: true });
    expect(forbidden.results.map((r) => r.errors?.[0]?.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(await invalid.ended()).toHaveProperty("error");
    expect(total(await scrape(), "graphql_open_subscriptions")).toBe(0);
    await live.close();

    const samples = await scrape();
    expect(
      total(samples, "graphql_requests_total", { operation: "CollectionJobUpdated", outcome: "error" }),
    ).toBe(1);
    expect(samples.filter((s) => s.labels.operation === "Broken")).toEqual([]);
  });
});

describe("/readyz", () => {
  it("is ready and reports each provider connection's last health check, information only", async () => {
    const response = await fetch(server.url.replace(/\/graphql$/, "/readyz"));
    const text = await response.text();
    expect(response.status).toBe(200);
    const report = JSON.parse(text) as ReadinessReport;
    expect(report.ready).toBe(true);
    expect(report.checks.dynamodb).toEqual({ ok: true });
    expect(report.checks.streamConsumer?.ok).toBe(true);
    expect(report.checks.streamConsumer?.detail).toMatch(/^reader/);
    expect(report.providerConnections?.truncated).toBe(false);
    const connections = report.providerConnections?.connections ?? [];
    expect(connections.map((c) => `${c.clientId}/${c.provider}`).sort()).toEqual(
      CLOUD_PROVIDERS.map((provider) => `${CLIENT}/${provider}`).sort(),
    );
    for (const connection of connections) {
      expect(connection.health).toBe("HEALTHY");
      expect(Date.parse(connection.lastHealthCheckAt!)).toBeGreaterThan(Date.now() - 10 * 60_000);
      expect(connection).not.toHaveProperty("credentialSummary");
    }
    for (const secret of sandboxSecrets()) expect(text).not.toContain(secret);
  });
});

describe("/readyz with an unhealthy tenant connection", () => {
  const OTHER_SECRET = "anotherTenantSecretKeyNotValid0000000000";

  it("stays ready and reports the connection UNHEALTHY with its error, without its secret", async () => {
    const { clientManager } = server.sandbox.runtime.services;
    const { clouds } = server.sandbox;
    await clientManager.createClient({ sub: "test" }, { id: "acme", name: "Acme", reportingCurrency: "USD" });
    clouds.simulators.AWS.faults.inject({ kind: "auth" });
    const connection = await clientManager.connectProvider({
      clientId: "acme",
      credentials: parseProviderCredentials("AWS", {
        ...clouds.credentials.AWS,
        secretAccessKey: OTHER_SECRET,
      }),
      endpoint: clouds.endpoints.AWS,
    });
    expect(connection.health).toBe("UNHEALTHY");

    const response = await fetch(server.url.replace(/\/graphql$/, "/readyz"));
    const text = await response.text();
    expect(response.status).toBe(200);
    const report = JSON.parse(text) as ReadinessReport;
    expect(report.ready).toBe(true);
    const connections = report.providerConnections!.connections;
    expect(connections).toHaveLength(4);
    expect(connections.find((c) => c.clientId === "acme")).toMatchObject({
      provider: "AWS",
      health: "UNHEALTHY",
      lastHealthError: expect.stringMatching(/expired/) as unknown,
    });
    expect(connections.filter((c) => c.health === "HEALTHY")).toHaveLength(3);
    for (const secret of [OTHER_SECRET, ...sandboxSecrets()]) expect(text).not.toContain(secret);
    expect(server.logs.join("\n")).not.toContain(OTHER_SECRET);
  });
});

/** Every secret the sandbox holds: the tenants' credentials and the JWT key. */
function sandboxSecrets(): string[] {
  const { credentials } = server.sandbox.clouds;
  const aws = credentials.AWS as { secretAccessKey: string };
  const azure = credentials.AZURE as { clientSecret: string };
  const gcp = credentials.GCP as { serviceAccountKey: { private_key: string } };
  // Any line of the PEM body: a key logged in pieces or re-wrapped still shows one of them.
  const pemLines = gcp.serviceAccountKey.private_key.split("\n").filter((line) => line.length > 40);
  return [aws.secretAccessKey, azure.clientSecret, server.sandbox.config.auth.jwtSecret, ...pemLines];
}

describe("logs", () => {
  it("are JSON lines that never contain a secret or a bearer token", async () => {
    const refused = await postGraphQL(
      print(OverviewDocument),
      { clientId: CLIENT, period: { start: today, end: today } },
      "not.a.jwt",
    );
    expect(refused.body.errors).toHaveLength(1);
    expect(server.logs.length).toBeGreaterThan(20);
    expect(logLines().every((line) => typeof line.level === "number" && typeof line.msg === "string")).toBe(
      true,
    );
    const all = server.logs.join("\n");
    for (const secret of [...sandboxSecrets(), viewer, "not.a.jwt"]) {
      expect(all).not.toContain(secret);
    }
  });
});
