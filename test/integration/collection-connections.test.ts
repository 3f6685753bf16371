/**
 * Clients and provider connections: input rules, conflicts, health checks against the simulators,
 * and the promise that a secret sent to connectProvider lives only inside its encrypted envelope.
 */
import { randomBytes } from "node:crypto";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientManager } from "../../src/tenancy/client-manager.js";
import { ConflictError, ConnectionCheckFailedError, NotFoundError } from "../../src/domain/errors.js";
import { createLocalSecretBox } from "../../src/security/secret-box.js";
import { addDays } from "../../src/domain/dates.js";
import { parseProviderCredentials } from "../../src/providers/credentials.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { ValidationError } from "../../src/domain/validation.js";
import { createLogger } from "../../src/observability/logger.js";
import {
  RAW_CREDENTIALS,
  SECRETS,
  startCollectionFixture,
  TODAY,
  type CollectionFixture,
} from "./collection-fixture.js";

let fixture: CollectionFixture;
/** Every error the tests provoke, to search them for secrets at the end. */
const errors: unknown[] = [];

async function failure(run: () => Promise<unknown>): Promise<Error> {
  const error = await run().then(
    () => expect.unreachable("expected a failure"),
    (caught: unknown) => caught,
  );
  errors.push(error);
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

const WRITES = ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"];
const writes = () =>
  WRITES.reduce((sum, operation) => sum + fixture.store.counter.requests({ operation }), 0);

async function scanAll(table: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await fixture.store.doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

beforeAll(async () => {
  fixture = await startCollectionFixture();
}, 120_000);
afterAll(() => fixture?.stop());

describe("createClient", () => {
  const admin = { sub: "admin-1" };

  it("generates an id when none is given and trims the name", async () => {
    const client = await fixture.clientManager.createClient(admin, {
      name: "  Globex  ",
      reportingCurrency: "EUR",
    });
    expect(client.id).toMatch(/^cl-[0-9a-f]{12}$/);
    expect(client.name).toBe("Globex");
    expect(await fixture.stores.clients.get(client.id)).toEqual(client);
  });

  it("refuses a taken id with CONFLICT and keeps the first client", async () => {
    await fixture.clientManager.createClient(admin, {
      id: "initech",
      name: "Initech",
      reportingCurrency: "USD",
    });
    const error = await failure(() =>
      fixture.clientManager.createClient(admin, { id: "initech", name: "Other", reportingCurrency: "GBP" }),
    );
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toBe('client id "initech" already exists');
    expect((await fixture.stores.clients.get("initech"))?.name).toBe("Initech");
  });

  it.each([
    [{ id: "bad#id", name: "X", reportingCurrency: "USD" }, "id"],
    [{ id: "blank-name", name: "   ", reportingCurrency: "USD" }, "name"],
    [{ id: "long-name", name: "x".repeat(101), reportingCurrency: "USD" }, "name"],
    [{ id: "bad-currency", name: "X", reportingCurrency: "usd" }, "reportingCurrency"],
  ])("names the bad field of %o and writes nothing", async (input, field) => {
    const error = await failure(() => fixture.clientManager.createClient(admin, input));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    if (!input.id.includes("#")) expect(await fixture.stores.clients.get(input.id)).toBeNull();
  });
});

describe("connectProvider", () => {
  beforeAll(() =>
    fixture.clientManager.createClient(
      { sub: "admin-1" },
      { id: "wayne", name: "Wayne", reportingCurrency: "USD" },
    ),
  );

  it("stores each cloud's connection with a masked summary and records a healthy check", async () => {
    for (const provider of CLOUD_PROVIDERS) {
      const connection = await fixture.clientManager.connectProvider({
        clientId: "wayne",
        credentials: parseProviderCredentials(provider, RAW_CREDENTIALS[provider]),
        endpoint: fixture.simulators[provider].endpoint,
      });
      expect(connection).toMatchObject({ clientId: "wayne", provider, health: "HEALTHY" });
      expect(connection.lastHealthCheckAt).toBeDefined();
      expect(connection.lastHealthError).toBeUndefined();
      expect(await fixture.stores.connections.get("wayne", provider)).toEqual(connection);
    }
    expect((await fixture.stores.connections.get("wayne", "AWS"))?.credentialSummary).toBe(
      "access key AKIA****ST01",
    );
  });

  it("rebuilds a working adapter for the collector from the stored, encrypted connection", async () => {
    const adapter = await fixture.clientManager.adapterFor("wayne", "AZURE");
    expect(adapter.provider).toBe("AZURE");
    expect((await adapter.healthCheck()).healthy).toBe(true);
    const missing = await failure(() => fixture.clientManager.adapterFor("initech", "GCP"));
    expect(missing).toBeInstanceOf(NotFoundError);
  });

  it("keeps a working connection, unchanged, when new credentials fail their check, and writes nothing", async () => {
    const before = await fixture.stores.connections.get("wayne", "AWS");
    const envelopeBefore = await fixture.stores.connections.getSecretEnvelope("wayne", "AWS");
    expect(before?.health).toBe("HEALTHY");
    const typo = parseProviderCredentials("AWS", {
      ...RAW_CREDENTIALS.AWS,
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTYPO000001",
    });
    fixture.store.counter.reset();
    fixture.simulators.AWS.faults.inject({ kind: "auth" });
    const refused = await failure(() =>
      fixture.clientManager.connectProvider({
        clientId: "wayne",
        credentials: typo,
        endpoint: fixture.simulators.AWS.endpoint,
      }),
    );
    expect(refused).toBeInstanceOf(ConnectionCheckFailedError);
    expect(refused.message).toMatch(
      /^the new AWS credentials failed their health check, so the stored connection was kept unchanged .*: AWS Cost Explorer GetCostAndUsage failed: \w+ \(HTTP 40\d\)/,
    );
    // A wrong endpoint (nothing listens there) is refused the same way.
    const nowhere = await failure(() =>
      fixture.clientManager.connectProvider({
        clientId: "wayne",
        credentials: parseProviderCredentials("AWS", RAW_CREDENTIALS.AWS),
        endpoint: "http://127.0.0.1:9",
      }),
    );
    expect(nowhere).toBeInstanceOf(ConnectionCheckFailedError);
    expect(writes()).toBe(0);
    expect(await fixture.stores.connections.get("wayne", "AWS")).toStrictEqual(before);
    expect(await fixture.stores.connections.getSecretEnvelope("wayne", "AWS")).toBe(envelopeBefore);
    expect((await (await fixture.clientManager.adapterFor("wayne", "AWS")).healthCheck()).healthy).toBe(true);
  });

  it("saves unverified credentials over a working connection when asked, without checking them", async () => {
    const before = await fixture.stores.connections.get("wayne", "AWS");
    const requestsBefore = fixture.requestCounts().AWS;
    const saved = await fixture.clientManager.connectProvider({
      clientId: "wayne",
      credentials: parseProviderCredentials("AWS", RAW_CREDENTIALS.AWS),
      endpoint: fixture.simulators.AWS.endpoint,
      saveUnverified: true,
    });
    expect(fixture.requestCounts().AWS).toBe(requestsBefore);
    expect(saved).toStrictEqual({
      clientId: "wayne",
      provider: "AWS",
      credentialSummary: before!.credentialSummary,
      endpoint: fixture.simulators.AWS.endpoint,
      createdAt: before!.createdAt,
      updatedAt: saved.updatedAt,
      health: "UNKNOWN",
    });
    expect(saved.updatedAt >= before!.updatedAt).toBe(true);
    expect(await fixture.stores.connections.get("wayne", "AWS")).toStrictEqual(saved);
    expect((await (await fixture.clientManager.adapterFor("wayne", "AWS")).healthCheck()).healthy).toBe(true);
  });

  it("tests credentials without storing anything, healthy or not", async () => {
    fixture.store.counter.reset();
    const good = await fixture.clientManager.testConnection({
      clientId: "initech",
      credentials: parseProviderCredentials("AZURE", RAW_CREDENTIALS.AZURE),
      endpoint: fixture.simulators.AZURE.endpoint,
    });
    expect(good).toMatchObject({ clientId: "initech", provider: "AZURE", healthy: true });
    expect(good.message).toMatch(/answers for/);
    fixture.simulators.GCP.faults.inject({ kind: "forbidden" });
    const bad = await fixture.clientManager.testConnection({
      clientId: "initech",
      credentials: parseProviderCredentials("GCP", RAW_CREDENTIALS.GCP),
      endpoint: fixture.simulators.GCP.endpoint,
    });
    expect(bad).toMatchObject({ clientId: "initech", provider: "GCP", healthy: false });
    expect(bad.message).toMatch(/^AUTHORIZATION: /);
    errors.push(bad.message);
    expect(writes()).toBe(0);
    expect(await fixture.stores.connections.get("initech", "AZURE")).toBeNull();
    expect(await fixture.stores.connections.get("initech", "GCP")).toBeNull();
    const refused = await failure(() =>
      fixture.clientManager.testConnection({
        clientId: "initech",
        credentials: parseProviderCredentials("GCP", RAW_CREDENTIALS.GCP),
        endpoint: "http://metadata.google.internal",
      }),
    );
    expect((refused as ValidationError).field).toBe("endpoint");
    expect(refused.message).toBe(
      "endpoint: metadata.google.internal is an instance-metadata host name; provider endpoints may not point there",
    );
  });

  it("stores a connection whose check fails as UNHEALTHY with a safe reason", async () => {
    fixture.simulators.AWS.faults.inject({ kind: "forbidden", times: 5 });
    const connection = await fixture.clientManager.connectProvider({
      clientId: "initech",
      credentials: parseProviderCredentials("AWS", RAW_CREDENTIALS.AWS),
      endpoint: fixture.simulators.AWS.endpoint,
    });
    fixture.simulators.AWS.faults.clear();
    expect(connection.health).toBe("UNHEALTHY");
    expect(connection.lastHealthError).toMatch(/AccessDeniedException.*ce:GetCostAndUsage/);
    errors.push(connection.lastHealthError);
  });

  it("refuses an unknown client and, unless allowed, a custom endpoint", async () => {
    const unknown = await failure(() =>
      fixture.clientManager.connectProvider({
        clientId: "nobody",
        credentials: parseProviderCredentials("GCP", RAW_CREDENTIALS.GCP),
      }),
    );
    expect(unknown).toBeInstanceOf(NotFoundError);

    const production = new ClientManager({
      clients: fixture.stores.clients,
      connections: fixture.stores.connections,
      secretBox: createLocalSecretBox(randomBytes(32)),
      allowCustomProviderEndpoints: false,
      logger: createLogger({ level: "silent" }),
    });
    const refused = await failure(() =>
      production.connectProvider({
        clientId: "initech",
        credentials: parseProviderCredentials("GCP", RAW_CREDENTIALS.GCP),
        endpoint: "http://169.254.169.254",
      }),
    );
    expect((refused as ValidationError).field).toBe("endpoint");
    expect(refused.message).toBe(
      "endpoint: custom provider endpoints are disabled; set ALLOW_CUSTOM_PROVIDER_ENDPOINTS=1",
    );
    expect(await fixture.stores.connections.get("initech", "GCP")).toBeNull();
  });

  it("keeps every secret out of stored items (outside the envelope), log lines and errors", async () => {
    const job = await fixture.collect("wayne", { start: addDays(TODAY, -2), end: TODAY });
    expect(job.status).toBe("SUCCEEDED");
    const items = [
      ...(await scanAll(fixture.store.names.data)),
      ...(await scanAll(fixture.store.names.timeseries)),
    ];
    const envelopes = items.filter((item) => typeof item.secretEnvelope === "string");
    expect(envelopes).toHaveLength(4);
    expect(fixture.logLines.length).toBeGreaterThan(5);
    const haystacks = [
      ...items.map((item) => JSON.stringify(item)),
      ...fixture.logLines,
      ...errors.map((error) => (error instanceof Error ? `${error.message} ${error.stack}` : String(error))),
    ];
    for (const secret of SECRETS) {
      expect(secret.length).toBeGreaterThan(20);
      for (const text of haystacks) expect(text).not.toContain(secret);
    }
  });
});
