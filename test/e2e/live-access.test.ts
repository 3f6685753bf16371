/**
 * Who may listen, over a real graphql-ws connection: tenants see only their own changes, another
 * tenant's subscription is FORBIDDEN, a socket without a valid token is closed with 4403 (and so is
 * one whose token expires while it is open), and the
 * query limits of HTTP hold over WebSocket too (same refusal, same message, same code).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxServer, type SandboxServer } from "../support/sandbox-server.js";
import {
  bearer,
  changesOfJob,
  connectLive,
  drain,
  triggerCollection,
  waitForOpenSubscriptions,
  type LiveConnection,
} from "../support/live-client.js";
import {
  CollectionJobUpdatedDocument,
  ConnectProviderDocument,
  CostRecordChangedDocument,
  CreateClientDocument,
  type CostRecordChangedSubscription,
} from "./generated/graphql.js";
import { issueToken } from "../../src/security/tokens.js";
import { addDays } from "../../src/domain/dates.js";
import { MAX_ALIASES, MAX_TOKENS } from "../../src/graphql/limits.js";
import type { GraphQLFormattedError } from "graphql";

const DEMO = "demo";
const OTHER = "globex";
/** Low enough that the shipped subscriptions (depth 5: record > services > cost > amount) pass and one more level does not. */
const MAX_DEPTH = 5;
let server: SandboxServer;
let today: string;
let demoViewer: string;
let demoEditor: string;
let otherViewer: string;
let otherEditor: string;
const connections: LiveConnection[] = [];

function connect(params?: Record<string, unknown>): LiveConnection {
  const connection = connectLive(server.wsUrl, params);
  connections.push(connection);
  return connection;
}

beforeAll(async () => {
  server = await startSandboxServer({ backfillDays: 2, env: { MAX_QUERY_DEPTH: String(MAX_DEPTH) } });
  await server.waitForJob(server.sandbox.backfill.id);
  today = server.sandbox.clouds.datasets.AWS.today;
  const admin = await server.token({ roles: ["admin"] });
  demoViewer = await server.token({ roles: ["viewer"], clientIds: [DEMO] });
  demoEditor = await server.token({ roles: ["editor"], clientIds: [DEMO] });
  otherViewer = await server.token({ roles: ["viewer"], clientIds: [OTHER] });
  otherEditor = await server.token({ roles: ["editor"], clientIds: [OTHER] });
  const created = await server.graphql(
    CreateClientDocument,
    { input: { id: OTHER, name: "Globex", reportingCurrency: "USD" } },
    admin,
  );
  expect(created.body.errors).toBeUndefined();
  const { accessKeyId, secretAccessKey } = server.sandbox.clouds.credentials.AWS as Record<string, string>;
  const connected = await server.graphql(
    ConnectProviderDocument,
    {
      input: {
        clientId: OTHER,
        aws: { accessKeyId, secretAccessKey },
        endpoint: server.sandbox.clouds.endpoints.AWS,
      },
    },
    otherEditor,
  );
  expect(connected.body.data?.connectProvider.health).toBe("HEALTHY");
}, 180_000);

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await server?.stop();
});

describe("tenant isolation", () => {
  it("gives a subscriber of another tenant none of demo's changes, and all of its own", async () => {
    const other = connect(bearer(otherViewer));
    const demo = connect(bearer(demoViewer));
    const otherCosts = other.subscribe(CostRecordChangedDocument, { clientId: OTHER });
    const otherJobs = other.subscribe(CollectionJobUpdatedDocument, { clientId: OTHER });
    const demoCosts = demo.subscribe(CostRecordChangedDocument, { clientId: DEMO });
    await waitForOpenSubscriptions(server.url, 3);

    const period = { start: addDays(today, -6), end: addDays(today, -5) };
    const demoJob = await triggerCollection(server, demoEditor, { clientId: DEMO, period });
    await server.waitForJob(demoJob.id);
    await demoCosts.waitFor((events) => changesOfJob(events, demoJob.id).length === 6, "demo's 6 days");
    // Written after demo's days: once they arrive, a leaked demo event would have arrived before them.
    const otherJob = await triggerCollection(server, otherEditor, { clientId: OTHER, period });
    await server.waitForJob(otherJob.id);
    await otherCosts.waitFor((events) => events.length >= 2, "globex's 2 AWS days");
    await otherJobs.waitFor(
      (events) => events.some((e) => e.collectionJobUpdated.status === "SUCCEEDED"),
      "globex's job to succeed",
    );
    await drain(server, DEMO, [demoCosts]);

    const clientsOf = (events: CostRecordChangedSubscription[]) =>
      new Set(events.map((e) => e.costRecordChanged.record.clientId));
    expect(otherCosts.events).toHaveLength(2);
    expect(clientsOf(otherCosts.events)).toEqual(new Set([OTHER]));
    expect(changesOfJob(otherCosts.events, otherJob.id)).toHaveLength(2);
    expect(new Set(otherJobs.events.map((e) => e.collectionJobUpdated.id))).toEqual(new Set([otherJob.id]));
    expect(clientsOf(demoCosts.events)).toEqual(new Set([DEMO]));
    expect(changesOfJob(demoCosts.events, otherJob.id)).toHaveLength(0);
    for (const subscription of [otherCosts, otherJobs, demoCosts]) subscription.unsubscribe();
  });

  it("refuses a viewer's subscription to another tenant with FORBIDDEN and no data", async () => {
    const demo = connect(bearer(demoViewer));
    const costs = demo.subscribe(CostRecordChangedDocument, { clientId: OTHER });
    const jobs = demo.subscribe(CollectionJobUpdatedDocument, { clientId: OTHER });
    for (const subscription of [costs, jobs]) {
      expect(await subscription.ended()).toEqual({ completed: true });
      expect(subscription.results).toHaveLength(1);
      const [result] = subscription.results;
      expect(result!.data ?? null).toBeNull();
      expect(result!.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
    await waitForOpenSubscriptions(server.url, 0);
  });

  it("answers a malformed client id with BAD_USER_INPUT naming the field, as HTTP does", async () => {
    const demo = connect(bearer(demoViewer));
    const subscription = demo.subscribe(CostRecordChangedDocument, { clientId: "../etc" });
    await subscription.ended();
    const [error] = subscription.results[0]?.errors ?? [];
    expect(error?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(error?.message).toMatch(/^clientId: /);
    expect(subscription.events).toHaveLength(0);
  });
});

describe("connection authentication", () => {
  it("closes a socket without a valid token with 4403 before acknowledging it", async () => {
    const foreignToken = await issueToken(
      { sub: "intruder", roles: ["admin"], clientIds: [] },
      "a-secret-this-server-does-not-know-0123456789",
    );
    const attempts = [
      undefined,
      { authorization: "Bearer not-a-jwt" },
      bearer(foreignToken),
      { authorization: demoViewer },
    ];
    for (const params of attempts) {
      const connection = connect(params);
      await expect(connection.acknowledged).rejects.toThrow(/4403/);
      expect((await connection.closed).code).toBe(4403);
    }
    expect(server.logs.join("\n")).not.toContain(foreignToken);
    expect(server.logs.join("\n")).not.toContain(demoViewer);
  });

  it("closes a socket with 4403 when its token expires, with the subscriptions on it", async () => {
    const shortLived = await server.token({ roles: ["viewer"], clientIds: [DEMO] }, "2s");
    const connection = connect(bearer(shortLived));
    await connection.acknowledged;
    const subscription = connection.subscribe(CostRecordChangedDocument, { clientId: DEMO });
    expect(await connection.closed).toEqual({ code: 4403, reason: "Forbidden: token expired" });
    // The subscription ended with its socket: graphql-ws reports the close to it as an error.
    await expect.poll(() => subscription.end && "error" in subscription.end).toBe(true);
  });
});

describe("query limits over WebSocket", () => {
  const period = '{ start: "2026-01-01", end: "2026-01-31" }';
  const refused = {
    "too deep a subscription": `subscription { budgetAlert(clientId: "${DEMO}") { budget { status { forecast { points { expected { amount } } } } } } }`,
    "too many aliases": `subscription { costRecordChanged(clientId: "${DEMO}") { ${Array.from(
      { length: MAX_ALIASES + 1 },
      (_, i) => `a${i}: eventId`,
    ).join(" ")} } }`,
    "too many tokens": `subscription { costRecordChanged(clientId: "${DEMO}") { ${"eventId ".repeat(MAX_TOKENS)}} }`,
    "too deep a query": `{ client(id: "${DEMO}") { costRecords(period: ${period}) { edges { node { services { name } } } } } }`,
  };

  it.each(Object.entries(refused))("refuses %s with the same errors as HTTP", async (_name, document) => {
    const http = await server.graphql(document, {}, demoViewer);
    expect(http.status).toBe(400);
    const httpErrors = http.body.errors ?? [];
    expect(httpErrors.length).toBeGreaterThan(0);

    const live = connect(bearer(demoViewer));
    const subscription = live.subscribe<unknown, Record<string, never>>(document);
    const end = await subscription.ended();
    expect(subscription.results).toHaveLength(0);
    const wsErrors = "error" in end ? (end.error as GraphQLFormattedError[]) : [];
    const summary = (errors: readonly GraphQLFormattedError[]) =>
      errors.map((e) => ({ message: e.message, code: e.extensions?.code }));
    expect(summary(wsErrors)).toEqual(summary(httpErrors));
    expect(wsErrors.every((e) => e.extensions?.code === httpErrors[0]!.extensions?.code)).toBe(true);
    // The socket survives a refused operation.
    expect(await Promise.race([live.closed, Promise.resolve("open")])).toBe("open");
  });
});
