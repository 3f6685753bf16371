/**
 * Trusted documents over real HTTP and a real graphql-ws client: the operations of schema/operations
 * run by document id (POST, and GET with Apollo's CSRF preflight rule), an unknown id is
 * PERSISTED_QUERY_NOT_FOUND, and with TRUSTED_DOCUMENTS=only nothing but a trusted document runs for
 * viewers (by id or as the exact manifest text), while admins may still run anything. Ids and texts
 * come from what codegen generated (each typed document's `__meta__.hash`, persisted-documents.json),
 * never from a copy of an operation's text.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLFormattedError } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { startTestServer, type GraphQLBody, type TestServer } from "../support/server.js";
import {
  bearer,
  connectLive,
  waitForOpenSubscriptions,
  type LiveConnection,
} from "../support/live-client.js";
import { clockStartingOn } from "../../src/shared/clock.js";
import {
  CostRecordChangedDocument,
  CreateClientDocument,
  OverviewDocument,
  type OverviewQuery,
} from "./generated/graphql.js";

const CLIENT = "acme";
const PERIOD = { start: "2026-01-01", end: "2026-01-31" };
const OVERVIEW_VARIABLES = { clientId: CLIENT, period: PERIOD };
const UNKNOWN_ID = `sha256:${"0".repeat(64)}`;
/** Not in schema/operations: what a hand-written (or hostile) client would send. */
const AD_HOC_QUERY = `query AdHoc { client(id: "${CLIENT}") { id name } }`;
const AD_HOC_SUBSCRIPTION = `subscription AdHocLive { costRecordChanged(clientId: "${CLIENT}") { eventId } }`;
const CSRF_MESSAGE = /Cross-Site Request Forgery/;

/** The client side's manifest: document id -> the text the id names. */
const manifest = JSON.parse(
  readFileSync(new URL("./generated/persisted-documents.json", import.meta.url), "utf8"),
) as Record<string, string>;

/** The id codegen embedded in a typed document, as a client sends it. */
function documentId(document: TypedDocumentNode<unknown, never>): string {
  const id = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof id !== "string" || !manifest[id]) throw new Error("a typed document without a manifest entry");
  return id;
}

const overviewId = documentId(OverviewDocument);
const liveCostsId = documentId(CostRecordChangedDocument);

let plain: TestServer;
let strict: TestServer;
const connections: LiveConnection[] = [];

async function post<T = Record<string, unknown>>(
  server: TestServer,
  body: Record<string, unknown>,
  token?: string,
): Promise<{ status: number; body: GraphQLBody<T>; text: string }> {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text) as GraphQLBody<T>, text };
}

async function get<T = Record<string, unknown>>(
  server: TestServer,
  params: Record<string, string>,
  headers: Record<string, string>,
): Promise<{ status: number; body: GraphQLBody<T> }> {
  const response = await fetch(`${server.url}?${new URLSearchParams(params).toString()}`, {
    headers: { accept: "application/json", ...headers },
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody<T> };
}

/** DynamoDB requests the service made while `action` ran (no stream consumer runs beside it). */
async function requestsDuring(server: TestServer, action: () => Promise<unknown>): Promise<number> {
  server.store.counter.reset();
  await action();
  return server.store.counter.requests();
}

async function seed(server: TestServer) {
  await server.stores.clients.create({
    id: CLIENT,
    name: "Acme",
    reportingCurrency: "USD",
    createdAt: "2026-01-01T00:00:00.000Z",
  });
}

beforeAll(async () => {
  const clock = clockStartingOn("2026-03-01");
  [plain, strict] = await Promise.all([
    startTestServer({ clock }),
    startTestServer({ clock, env: { TRUSTED_DOCUMENTS: "only" } }),
  ]);
  await Promise.all([seed(plain), seed(strict)]);
}, 120_000);

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await Promise.all([plain?.stop(), strict?.stop()]);
});

const expectOverview = (body: GraphQLBody<OverviewQuery>) => {
  expect(body.errors).toBeUndefined();
  expect(body.data?.client?.id).toBe(CLIENT);
  expect(body.data?.client?.name).toBe("Acme");
};

describe("the generated manifest", () => {
  it("names every operation by the sha256 of its text, as the server knows them", () => {
    expect(overviewId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(Object.keys(manifest).length).toBeGreaterThan(5);
    expect(manifest[overviewId]).toMatch(/\bquery Overview\b/);
    expect(manifest[liveCostsId]).toMatch(/\bsubscription CostRecordChanged\b/);
  });
});

describe("documents by id (TRUSTED_DOCUMENTS off)", () => {
  it("runs a POST {documentId, variables}", async () => {
    const viewer = await plain.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const { status, body } = await post<OverviewQuery>(
      plain,
      { documentId: overviewId, variables: OVERVIEW_VARIABLES },
      viewer,
    );
    expect(status).toBe(200);
    expectOverview(body);
  });

  it("runs Apollo's persistedQuery extension with the bare hex hash", async () => {
    const viewer = await plain.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const sha256Hash = overviewId.slice("sha256:".length);
    const { body } = await post<OverviewQuery>(
      plain,
      { extensions: { persistedQuery: { version: 1, sha256Hash } }, variables: OVERVIEW_VARIABLES },
      viewer,
    );
    expectOverview(body);
  });

  it("runs a GET ?documentId=&variables= that carries a preflight header, and refuses it as CSRF without", async () => {
    const viewer = await plain.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const params = { documentId: overviewId, variables: JSON.stringify(OVERVIEW_VARIABLES) };
    const auth = { authorization: `Bearer ${viewer}` };

    const preflighted = await get<OverviewQuery>(plain, params, {
      ...auth,
      "apollo-require-preflight": "true",
    });
    expect(preflighted.status).toBe(200);
    expectOverview(preflighted.body);
    const named = await get<OverviewQuery>(plain, params, { ...auth, "x-apollo-operation-name": "Overview" });
    expectOverview(named.body);

    const simple = await get(plain, params, auth);
    expect(simple.status).toBe(400);
    expect(simple.body.data).toBeUndefined();
    expect(simple.body.errors?.[0]?.message).toMatch(CSRF_MESSAGE);
    // A "simple" content type (what a form can send) is no preflight either.
    const form = await get(plain, params, { ...auth, "content-type": "text/plain" });
    expect(form.status).toBe(400);
    expect(form.body.errors?.[0]?.message).toMatch(CSRF_MESSAGE);
  });

  it("runs no mutation over GET, even a trusted one", async () => {
    const admin = await plain.token({ roles: ["admin"] });
    const variables = JSON.stringify({
      input: { id: "over-get", name: "Over GET", reportingCurrency: "USD" },
    });
    const { status, body } = await get(
      plain,
      { documentId: documentId(CreateClientDocument), variables },
      { authorization: `Bearer ${admin}`, "apollo-require-preflight": "true" },
    );
    expect(status).toBe(405);
    expect(body.data).toBeUndefined();
    expect(await plain.stores.clients.get("over-get")).toBeNull();
  });

  it("answers an unknown id with PERSISTED_QUERY_NOT_FOUND (HTTP 200), by POST and GET, without echoing it", async () => {
    const viewer = await plain.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const posted = await post(plain, { documentId: UNKNOWN_ID, variables: OVERVIEW_VARIABLES }, viewer);
    expect(posted.status).toBe(200);
    expect(posted.body.data).toBeUndefined();
    expect(posted.body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
    expect(posted.text).not.toContain(UNKNOWN_ID.slice("sha256:".length));

    const fetched = await get(
      plain,
      { documentId: UNKNOWN_ID },
      { authorization: `Bearer ${viewer}`, "apollo-require-preflight": "true" },
    );
    expect(fetched.status).toBe(200);
    expect(fetched.body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);

    const malformed = await post(plain, { documentId: "not a hash" }, viewer);
    expect(malformed.body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
    expect(malformed.text).not.toContain("not a hash");
  });

  it("runs ad-hoc queries as before", async () => {
    const viewer = await plain.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const { status, body } = await plain.graphql(AD_HOC_QUERY, {}, viewer);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ client: { id: CLIENT, name: "Acme" } });
  });
});

describe("TRUSTED_DOCUMENTS=only over HTTP", () => {
  it("refuses a viewer's ad-hoc query with FORBIDDEN (403), running nothing", async () => {
    const viewer = await strict.token({ roles: ["viewer"], clientIds: [CLIENT] });
    let answer: Awaited<ReturnType<TestServer["graphql"]>> | undefined;
    const requests = await requestsDuring(strict, async () => {
      answer = await strict.graphql(AD_HOC_QUERY, {}, viewer);
    });
    expect(answer?.status).toBe(403);
    expect(answer?.body.data).toBeUndefined();
    expect(answer?.body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(answer?.body.errors?.[0]?.message).toMatch(/trusted documents/);
    expect(requests).toBe(0);
  });

  it("refuses an ad-hoc mutation from an editor and from a caller without a token", async () => {
    const editor = await strict.token({ roles: ["editor"], clientIds: [CLIENT] });
    const mutation = `mutation { createClient(input: { id: "ad-hoc", name: "Ad hoc", reportingCurrency: "USD" }) { id } }`;
    for (const token of [editor, undefined]) {
      const { status, body } = await strict.graphql(mutation, {}, token);
      expect(status).toBe(403);
      expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
    expect(await strict.stores.clients.get("ad-hoc")).toBeNull();
  });

  it("runs the same ad-hoc query for an admin", async () => {
    const admin = await strict.token({ roles: ["admin"] });
    const requests = await requestsDuring(strict, async () => {
      const { status, body } = await strict.graphql(AD_HOC_QUERY, {}, admin);
      expect(status).toBe(200);
      expect(body.data).toEqual({ client: { id: CLIENT, name: "Acme" } });
    });
    expect(requests).toBeGreaterThan(0);
  });

  it("runs a viewer's trusted document by id (POST and GET) and as its exact manifest text", async () => {
    const viewer = await strict.token({ roles: ["viewer"], clientIds: [CLIENT] });
    expectOverview(
      (await post<OverviewQuery>(strict, { documentId: overviewId, variables: OVERVIEW_VARIABLES }, viewer))
        .body,
    );
    const fetched = await get<OverviewQuery>(
      strict,
      { documentId: overviewId, variables: JSON.stringify(OVERVIEW_VARIABLES) },
      { authorization: `Bearer ${viewer}`, "apollo-require-preflight": "true" },
    );
    expectOverview(fetched.body);
    const fullText = await post<OverviewQuery>(
      strict,
      { query: manifest[overviewId], variables: OVERVIEW_VARIABLES },
      viewer,
    );
    expectOverview(fullText.body);
  });

  it("refuses a trusted text changed by a single character", async () => {
    const viewer = await strict.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const { status, body } = await post(
      strict,
      { query: `${manifest[overviewId]} `, variables: OVERVIEW_VARIABLES },
      viewer,
    );
    expect(status).toBe(403);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
  });
});

describe("TRUSTED_DOCUMENTS=only over graphql-ws", () => {
  function connect(token: string): LiveConnection {
    const connection = connectLive(strict.wsUrl, bearer(token));
    connections.push(connection);
    return connection;
  }

  it("refuses a viewer's ad-hoc subscription, and accepts trusted ones by text and by id", async () => {
    const viewer = await strict.token({ roles: ["viewer"], clientIds: [CLIENT] });
    const live = connect(viewer);
    await live.acknowledged;

    const adHoc = live.subscribe<unknown, Record<string, never>>(AD_HOC_SUBSCRIPTION);
    const end = await adHoc.ended();
    const errors = "error" in end ? (end.error as GraphQLFormattedError[]) : [];
    expect(errors.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    expect(adHoc.results).toHaveLength(0);

    const byText = live.subscribe(manifest[liveCostsId]!, { clientId: CLIENT });
    await waitForOpenSubscriptions(strict.url, 1);
    const byIdResults: unknown[] = [];
    const unsubscribeById = live.client.subscribe(
      // graphql-ws requires a `query` string: an empty one names the document by its id.
      { query: "", documentId: liveCostsId, variables: { clientId: CLIENT } } as { query: string },
      {
        next: (result) => byIdResults.push(result),
        error: (error) => byIdResults.push(error),
        complete: () => {},
      },
    );
    await waitForOpenSubscriptions(strict.url, 2);
    expect(byText.end).toBeUndefined();
    expect(byIdResults).toEqual([]);

    const unknownErrors: unknown[] = [];
    live.client.subscribe({ query: "", documentId: UNKNOWN_ID } as { query: string }, {
      next: () => {},
      error: (error) => unknownErrors.push(error),
      complete: () => {},
    });
    await expect.poll(() => unknownErrors.length).toBe(1);
    expect((unknownErrors[0] as GraphQLFormattedError[]).map((e) => e.extensions?.code)).toEqual([
      "PERSISTED_QUERY_NOT_FOUND",
    ]);

    byText.unsubscribe();
    unsubscribeById();
    await waitForOpenSubscriptions(strict.url, 0);
  });

  it("accepts an admin's ad-hoc subscription", async () => {
    const admin = await strict.token({ roles: ["admin"] });
    const live = connect(admin);
    const adHoc = live.subscribe<unknown, Record<string, never>>(AD_HOC_SUBSCRIPTION);
    await waitForOpenSubscriptions(strict.url, 1);
    expect(adHoc.end).toBeUndefined();
    adHoc.unsubscribe();
    await waitForOpenSubscriptions(strict.url, 0);
  });
});
