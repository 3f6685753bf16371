/**
 * Hostile input over HTTP and WebSocket: every request of hostile-cases.ts gets a clear error (4xx
 * where HTTP applies, a code that is not INTERNAL_SERVER_ERROR, no stack, the field named), the
 * WebSocket protocol abuses close the socket with a 44xx/10xx code, and none of it writes anything.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignJWT } from "jose";
import WebSocket from "ws";
import { bearer, connectLive, type LiveConnection } from "../support/live-client.js";
import { FULL, startReliabilityStack, type ReliabilityStack } from "./stack.js";
import {
  CONNECT,
  INTROSPECTION,
  readCases,
  TEST_CONNECTION,
  type CallerRole,
  type CaseContext,
  type HttpCase,
  type OperationCase,
} from "./hostile-cases.js";
import { writeCases } from "./hostile-write-cases.js";
import { httpCases } from "./hostile-http-cases.js";
import { checkErrors, formatProblems } from "./error-checks.js";
import { rawWebSocketCases, runRawWebSocketCase } from "./hostile-websocket.js";
import { FOREIGN_SECRET, startForeignServer } from "../support/foreign-server.js";

const TENANT = "acme";
const WRITE_OPERATIONS = ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"];

let stack: ReliabilityStack;
let ctx: CaseContext;
let tokens: Record<Exclude<CallerRole, "anonymous">, string>;
let sockets: Record<Exclude<CallerRole, "anonymous">, LiveConnection>;
const operationCases = (context: CaseContext) => [...readCases(context), ...writeCases(context)];
let itemsBefore: { data: number; timeseries: number };
const tried = { http: 0, ws: 0, rawWs: 0 };

beforeAll(async () => {
  stack = await startReliabilityStack({ tenants: [TENANT], streamConsumer: false });
  tokens = {
    admin: stack.admin,
    editor: await stack.token({ roles: ["editor"], clientIds: [TENANT] }),
    viewer: await stack.token({ roles: ["viewer"], clientIds: [TENANT] }),
  };
  const page = await stack.graphql<{ clients: { edges: { cursor: string }[] } }>(
    "{ clients(first: 1) { edges { cursor } } }",
    {},
    stack.admin,
  );
  const wrongKey = new TextEncoder().encode("not-the-server-secret-but-long-enough-0123456789");
  const claims = { roles: ["admin"], clientIds: [] };
  const unsignedHeader = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
  const unsignedClaims = Buffer.from(JSON.stringify({ ...claims, sub: "mallory" })).toString("base64url");
  const serverKey = new TextEncoder().encode(stack.server.secret);
  ctx = {
    tenant: TENANT,
    clientsCursor: page.body.data!.clients.edges[0]!.cursor,
    inputs: stack.inputs as CaseContext["inputs"],
    tokens: {
      forged: await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("mallory")
        .sign(wrongKey),
      unsigned: `${unsignedHeader}.${unsignedClaims}.`,
      expired: await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("mallory")
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(serverKey),
      roleless: await new SignJWT({ roles: ["root"], clientIds: [TENANT] })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("mallory")
        .setExpirationTime("1h")
        .sign(serverKey),
      noExpiry: await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("mallory")
        .setIssuedAt()
        .sign(serverKey),
      longLived: await new SignJWT(claims)
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("mallory")
        .setIssuedAt()
        .setExpirationTime("30d")
        .sign(serverKey),
    },
  };
  sockets = {
    admin: connectLive(stack.server.wsUrl, bearer(tokens.admin)),
    editor: connectLive(stack.server.wsUrl, bearer(tokens.editor)),
    viewer: connectLive(stack.server.wsUrl, bearer(tokens.viewer)),
  };
  await Promise.all(Object.values(sockets).map((socket) => socket.acknowledged));
  itemsBefore = await stack.countItems();
  stack.server.store.counter.reset();
}, 180_000);

afterAll(async () => {
  await Promise.all(Object.values(sockets ?? {}).map((socket) => socket.close()));
  await stack?.stop();
});

async function overHttp(testCase: OperationCase): Promise<string[]> {
  tried.http++;
  const token = testCase.role === "anonymous" ? undefined : tokens[testCase.role ?? "viewer"];
  const { status, body } = await stack.graphql(testCase.query, testCase.variables ?? {}, token);
  return checkErrors({ status, body: JSON.stringify(body) }, { names: testCase.names, graphql: true });
}

async function overWebSocket(testCase: OperationCase): Promise<string[]> {
  tried.ws++;
  if (testCase.role === "anonymous") throw new Error(`${testCase.name}: graphql-ws authenticates per socket`);
  const socket = sockets[testCase.role ?? "viewer"];
  const subscription = socket.subscribe(testCase.query, testCase.variables ?? {});
  const end = await subscription.ended(20_000);
  const errors = [
    ...subscription.results.flatMap((result) => result.errors ?? []),
    ...("error" in end && Array.isArray(end.error) ? end.error : []),
  ];
  const body = JSON.stringify({ errors, data: subscription.results.at(-1)?.data ?? null });
  stack.bodies.push(body);
  const problems = checkErrors({ body }, { names: testCase.names, graphql: true });
  if ("error" in end && !Array.isArray(end.error)) problems.push("the socket closed instead of answering");
  return problems;
}

async function rawHttp(testCase: HttpCase): Promise<string[]> {
  tried.http++;
  const url = `${stack.server.url}${testCase.search ?? ""}`;
  const response = await fetch(url, {
    method: testCase.method ?? "POST",
    headers: {
      "content-type": testCase.contentType ?? "application/json",
      authorization: testCase.authorization ?? `Bearer ${tokens.admin}`,
      ...(testCase.method === "GET" ? { "apollo-require-preflight": "true" } : {}),
    },
    ...(testCase.method === "GET" ? {} : { body: testCase.body ?? "" }),
  });
  const body = await response.text();
  stack.bodies.push(body);
  const problems = checkErrors({ status: response.status, body }, { names: testCase.names, graphql: false });
  if (testCase.status !== undefined && response.status !== testCase.status)
    problems.push(`status ${response.status}, expected ${testCase.status}`);
  return problems;
}

describe("hostile input", () => {
  it("answers every malformed HTTP request with a 4xx and a clear error", async () => {
    const cases = httpCases(ctx);
    const problems = await Promise.all(cases.map(async (c) => [c.name, await rawHttp(c)] as const));
    expect(formatProblems(problems)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it("answers every bad operation over HTTP with an error naming the field", async () => {
    const cases = operationCases(ctx).filter((c) => c.transports?.includes("http") ?? true);
    const problems = [];
    for (const c of cases) problems.push([c.name, await overHttp(c)] as const);
    expect(formatProblems(problems)).toEqual([]);
    expect(cases.length).toBeGreaterThanOrEqual(60);
  });

  it("answers the same operations over WebSocket the same way, keeping the socket open", async () => {
    const cases = operationCases(ctx).filter((c) => c.transports?.includes("ws") ?? true);
    const problems = [];
    for (const c of cases) problems.push([c.name, await overWebSocket(c)] as const);
    expect(formatProblems(problems)).toEqual([]);
    for (const socket of Object.values(sockets)) {
      // Still open: a socket that closed would have settled `closed`.
      const state = await Promise.race([socket.closed, new Promise((r) => setTimeout(() => r("open"), 50))]);
      expect(state).toBe("open");
    }
  });

  it("closes a WebSocket that breaks the protocol with a 4xxx or 1009 code", async () => {
    const cases = rawWebSocketCases({ token: tokens.viewer, ...ctx.tokens, tenant: TENANT });
    const problems = [];
    for (const c of cases) {
      tried.rawWs++;
      const outcome = await runRawWebSocketCase(c, WebSocket, stack.server.wsUrl);
      stack.bodies.push(...outcome.messages, outcome.reason);
      problems.push([c.name, outcome.problems] as const);
    }
    expect(formatProblems(problems)).toEqual([]);
  });

  it("holds when every bad operation arrives at once (5 rounds in full mode)", async () => {
    const cases = operationCases(ctx).filter((c) => c.transports?.includes("http") ?? true);
    const rounds = await Promise.all(
      Array.from({ length: FULL ? 5 : 1 }, () =>
        Promise.all(cases.map(async (c) => [c.name, await overHttp(c)] as const)),
      ),
    );
    expect(formatProblems(rounds.flat())).toEqual([]);
  });

  it("never repeats a foreign host's body: only the operation and the status come back", async () => {
    const foreign = await startForeignServer();
    try {
      for (const [query, role] of [
        [TEST_CONNECTION, "editor"],
        [CONNECT, "admin"],
      ] as const) {
        tried.http++;
        const input = { clientId: TENANT, ...ctx.inputs.GCP, endpoint: foreign.endpoint };
        const { body } = await stack.graphql<Record<string, { message?: string } | null>>(
          query,
          { input },
          tokens[role],
        );
        const text = JSON.stringify(body);
        expect(text).not.toMatch(/SECRET|Unexpected token/);
        expect(text).not.toContain(FOREIGN_SECRET);
        expect(text).toContain(
          "GCP BigQuery jobs.query failed: HTTP 200, response was not the provider's error format",
        );
        if (query === CONNECT) {
          expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["CONNECTION_CHECK_FAILED"]);
        }
      }
      // Nor does any log line (the attempt over the working GCP link wrote nothing: see below).
      expect(stack.server.logs.join("\n")).not.toContain("SECRET-INTERNAL");
    } finally {
      await foreign.stop();
    }
  });

  it("answers introspection to an admin (only viewers and editors are refused in production)", async () => {
    tried.http++;
    const { status, body } = await stack.graphql<{ __schema: { types: { name: string }[] } }>(
      INTROSPECTION,
      {},
      tokens.admin,
    );
    expect(status).toBe(200);
    expect(body.data?.__schema.types.map((t) => t.name)).toContain("ConnectionCheck");
    const { status: refused, body: refusal } = await stack.graphql(INTROSPECTION, {}, tokens.viewer);
    expect(refused).toBe(403);
    expect(refusal.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
  });

  it("wrote nothing and still serves good requests", async () => {
    const writes = WRITE_OPERATIONS.map((operation) => stack.server.store.counter.requests({ operation }));
    expect(writes).toEqual(WRITE_OPERATIONS.map(() => 0));
    expect(await stack.countItems()).toEqual(itemsBefore);
    const { body } = await stack.graphql(`{ client(id: "${TENANT}") { id name } }`, {}, tokens.viewer);
    expect(body.data).toEqual({ client: { id: TENANT, name: `E2E ${TENANT}` } });
  });

  it("refuses to overwrite an existing client, leaving it as it was", async () => {
    const { body } = await stack.graphql(
      `mutation { createClient(input: { id: "${TENANT}", name: "Hijacked", reportingCurrency: "EUR" }) { id } }`,
      {},
      tokens.admin,
    );
    tried.http++;
    expect(body.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(body.errors?.[0]?.message).toContain(TENANT);
    expect(await stack.server.stores.clients.get(TENANT)).toMatchObject({
      id: TENANT,
      name: `E2E ${TENANT}`,
      reportingCurrency: "USD",
    });
    expect(await stack.countItems()).toEqual(itemsBefore);
  });

  it("saves unverified credentials over the working link when an editor asks, without a check", async () => {
    tried.http++;
    const before = await stack.server.stores.connections.get(TENANT, "AWS");
    const input = {
      clientId: TENANT,
      ...ctx.inputs.AWS,
      endpoint: "http://127.0.0.1:9",
      saveUnverified: true,
    };
    const { body } = await stack.graphql<{ connectProvider: { health: string; endpoint: string } }>(
      "mutation Save($input: ConnectProviderInput!) { connectProvider(input: $input) { health endpoint } }",
      { input },
      tokens.editor,
    );
    expect(body).toEqual({
      data: { connectProvider: { health: "UNKNOWN", endpoint: "http://127.0.0.1:9" } },
    });
    expect(await stack.server.stores.connections.get(TENANT, "AWS")).toMatchObject({
      health: "UNKNOWN",
      createdAt: before!.createdAt,
      endpoint: "http://127.0.0.1:9",
    });
    expect((await stack.server.stores.connections.get(TENANT, "AWS"))?.lastHealthCheckAt).toBeUndefined();
  });

  it("sent no secret in any answer or log line", () => {
    stack.expectNoSecretLeaked();
    console.info(
      `[reliability] hostile input: ${tried.http + tried.ws + tried.rawWs} requests tried ` +
        `(HTTP ${tried.http}, WebSocket operations ${tried.ws}, WebSocket protocol abuses ${tried.rawWs}); ` +
        "0 writes by the refused ones",
    );
  });
});
