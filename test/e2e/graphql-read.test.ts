import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type GraphQLBody, type TestServer } from "../support/server.js";
import { CostRecordsDocument, OverviewDocument, type CostRecordsQuery } from "./generated/graphql.js";
import { costRecords } from "../support/records.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";

let server: TestServer;
let admin: string;
let viewerA: string;
const START = "2026-01-01";
const DAYS = 90; // 2026-01-01 .. 2026-03-31
const END = "2026-03-31";
const stored: UnifiedCostRecord[] = [];

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

beforeAll(async () => {
  server = await startTestServer();
  await server.stores.clients.create({
    id: "acme",
    name: "Acme",
    reportingCurrency: "USD",
    createdAt: "2026-01-01T00:00:00.000Z",
  });
  await server.stores.clients.create({
    id: "globex",
    name: "Globex",
    reportingCurrency: "USD",
    createdAt: "2026-01-02T00:00:00.000Z",
  });
  for (const provider of CLOUD_PROVIDERS) {
    const records = costRecords({ clientId: "acme", provider }, START, DAYS);
    stored.push(...records);
    await server.stores.costs.upsertDays(records);
  }
  await server.stores.costs.upsertDays(costRecords({ clientId: "globex", provider: "AWS" }, START, 10));
  admin = await server.token({ roles: ["admin"] });
  viewerA = await server.token({ roles: ["viewer"], clientIds: ["acme"] });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

/** A finished AWS job of the client, stored as a collection would leave it. */
function storeFinishedJob(id: string, clientId: string) {
  return server.stores.jobs.create({
    id,
    clientId,
    status: "SUCCEEDED",
    period: { start: START, end: "2026-01-10" },
    providers: [{ provider: "AWS", status: "SUCCEEDED", recordsWritten: 10, apiRequests: 1, attempts: 1 }],
    createdAt: "2026-01-11T00:00:00.000Z",
    updatedAt: "2026-01-11T00:00:00.000Z",
    requestedBy: "admin",
  });
}

describe("reading costs over HTTP", () => {
  it("serves a summary whose total equals the stored records, by provider, with the previous period", async () => {
    const { body } = await server.graphql(
      OverviewDocument,
      { clientId: "acme", period: { start: "2026-02-01", end: "2026-03-31" } },
      viewerA,
    );
    expect(body.errors).toBeUndefined();
    const summary = body.data!.client!.costSummary;
    const inPeriod = stored.filter((r) => r.date >= "2026-02-01");
    expect(summary.total.amount).toBeCloseTo(sum(inPeriod.map((r) => r.total)), 6);
    expect(summary.total.currency).toBe("USD");
    for (const provider of CLOUD_PROVIDERS) {
      const item = summary.byProvider.find((p) => p.provider === provider)!;
      expect(item.cost.amount).toBeCloseTo(
        sum(inPeriod.filter((r) => r.provider === provider).map((r) => r.total)),
        6,
      );
    }
    // 59 days (Feb 1 - Mar 31) -> the 59 days before.
    expect(summary.period).toEqual({ start: "2026-02-01", end: "2026-03-31" });
    // The previous period is the 59 days before Feb 1: 2025-12-04 .. 2026-01-31 (stored from Jan 1).
    const previous = stored.filter((r) => r.date <= "2026-01-31");
    expect(summary.previousTotal.amount).toBeCloseTo(sum(previous.map((r) => r.total)), 6);
    expect(summary.changePercent).toBeCloseTo(
      ((summary.total.amount - summary.previousTotal.amount) / summary.previousTotal.amount) * 100,
      6,
    );
  });

  it("breaks down by service with top N folded into Other, shares summing to 1", async () => {
    const { body } = await server.graphql<{
      client: { costBreakdown: { key: string; share: number; cost: { amount: number } }[] };
    }>(
      `{ client(id: "acme") { costBreakdown(period: { start: "${START}", end: "${END}" }, by: SERVICE, top: 3) { key label share cost { amount } } } }`,
      {},
      viewerA,
    );
    expect(body.errors).toBeUndefined();
    const items = body.data!.client.costBreakdown;
    expect(items).toHaveLength(4);
    expect(items[3]!.key).toBe("__others__");
    expect(sum(items.map((i) => i.share))).toBeCloseTo(1, 9);
    expect(sum(items.map((i) => i.cost.amount))).toBeCloseTo(sum(stored.map((r) => r.total)), 6);
  });

  it("filters a breakdown by another dimension using the joint lines", async () => {
    const account = stored.find((r) => r.provider === "AWS")!.accounts[0]!.accountId;
    const { body } = await server.graphql<{ client: { costBreakdown: { cost: { amount: number } }[] } }>(
      `{ client(id: "acme") { costBreakdown(period: { start: "${START}", end: "${END}" }, by: SERVICE, filter: { accountIds: ["${account}"] }) { key cost { amount } } } }`,
      {},
      viewerA,
    );
    expect(body.errors).toBeUndefined();
    const expected = sum(
      stored.flatMap((r) => r.lines.filter((l) => l.accountId === account).map((l) => l.cost ?? 0)),
    );
    expect(sum(body.data!.client.costBreakdown.map((i) => i.cost.amount))).toBeCloseTo(expected, 6);
  });

  it("serves DAILY, WEEKLY and MONTHLY series, zero-filled, totals matching", async () => {
    for (const granularity of ["DAILY", "WEEKLY", "MONTHLY"]) {
      const { body } = await server.graphql<{
        client: { costTimeSeries: { key: string; points: { date: string; cost: { amount: number } }[] }[] };
      }>(
        `{ client(id: "acme") { costTimeSeries(period: { start: "${START}", end: "${END}" }, granularity: ${granularity}) { key points { date cost { amount } } } } }`,
        {},
        viewerA,
      );
      expect(body.errors).toBeUndefined();
      const [series] = body.data!.client.costTimeSeries;
      expect(series!.key).toBe("TOTAL");
      expect(series!.points.length).toBe(granularity === "DAILY" ? 90 : granularity === "MONTHLY" ? 3 : 14);
      expect(sum(series!.points.map((p) => p.cost.amount))).toBeCloseTo(sum(stored.map((r) => r.total)), 6);
    }
  });

  it("groups a series by provider", async () => {
    const { body } = await server.graphql<{
      client: { costTimeSeries: { key: string; points: { cost: { amount: number } }[] }[] };
    }>(
      `{ client(id: "acme") { costTimeSeries(period: { start: "${START}", end: "${END}" }, granularity: MONTHLY, groupBy: PROVIDER) { key points { cost { amount } } } } }`,
      {},
      viewerA,
    );
    expect(body.errors).toBeUndefined();
    const keys = body.data!.client.costTimeSeries.map((s) => s.key).sort();
    expect(keys).toEqual(["AWS", "AZURE", "GCP"]);
  });

  it("pages cost records with opaque cursors, in date then provider order, without repeats", async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { body }: { body: GraphQLBody<CostRecordsQuery> } = await server.graphql(
        CostRecordsDocument,
        { clientId: "acme", period: { start: START, end: "2026-01-05" }, first: 4, after },
        viewerA,
      );
      expect(body.errors).toBeUndefined();
      const connection: NonNullable<CostRecordsQuery["client"]>["costRecords"] =
        body.data!.client!.costRecords;
      seen.push(...connection.edges.map((e) => e.node.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(15);
    expect(new Set(seen).size).toBe(15);
    expect(seen[0]).toBe("acme:AWS:2026-01-01");
    expect(seen[1]).toBe("acme:AZURE:2026-01-01");
  });

  it("lists clients for an admin with a Relay connection, and only own tenants for a viewer", async () => {
    const asAdmin = await server.graphql<{
      clients: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; endCursor: string } };
    }>(`{ clients(first: 1) { edges { node { id } } pageInfo { hasNextPage endCursor } } }`, {}, admin);
    expect(asAdmin.body.data!.clients.edges.map((e) => e.node.id)).toEqual(["acme"]);
    expect(asAdmin.body.data!.clients.pageInfo.hasNextPage).toBe(true);
    const next = await server.graphql<{ clients: { edges: { node: { id: string } }[] } }>(
      `query($a: String) { clients(first: 5, after: $a) { edges { node { id } } } }`,
      { a: asAdmin.body.data!.clients.pageInfo.endCursor },
      admin,
    );
    expect(next.body.data!.clients.edges.map((e) => e.node.id)).toEqual(["globex"]);
    const asViewer = await server.graphql<{ clients: { edges: { node: { id: string } }[] } }>(
      `{ clients { edges { node { id } } } }`,
      {},
      viewerA,
    );
    expect(asViewer.body.data!.clients.edges.map((e) => e.node.id)).toEqual(["acme"]);
  });
});

describe("list sizes", () => {
  type PageInfo = { hasNextPage: boolean; endCursor: string | null };
  type Page = { edges: { cursor: string }[]; pageInfo: PageInfo };
  const page = "edges { cursor } pageInfo { hasNextPage endCursor }";

  it("answers first: 0 on every connection with no edges and a pageInfo telling whether items exist", async () => {
    const query = `query($jobsAfter: String) {
      clients(first: 0) { ${page} }
      client(id: "acme") {
        costRecords(period: { start: "${START}", end: "${END}" }, first: 0) { ${page} }
        before: costRecords(period: { start: "2025-01-01", end: "2025-01-31" }, first: 0) { ${page} }
        collectionJobs(first: 0, after: $jobsAfter) { ${page} }
      }
    }`;
    type Answer = {
      clients: Page;
      client: { costRecords: Page; before: Page; collectionJobs: Page };
    };
    const empty = (hasNextPage: boolean) => ({ edges: [], pageInfo: { hasNextPage, endCursor: null } });

    const noJobs = await server.graphql<Answer>(query, {}, admin);
    expect(noJobs.body.errors).toBeUndefined();
    expect(noJobs.body.data).toEqual({
      clients: empty(true),
      client: { costRecords: empty(true), before: empty(false), collectionJobs: empty(false) },
    });
    // A viewer's clients are listed another way (their own tenants), with the same answer.
    const asViewer = await server.graphql<{ clients: Page }>(
      `{ clients(first: 0) { ${page} } }`,
      {},
      viewerA,
    );
    expect(asViewer.body.data).toEqual({ clients: empty(true) });

    await storeFinishedJob("job-acme-first-0", "acme");
    const oneJob = await server.graphql<Answer>(query, {}, admin);
    expect(oneJob.body.data!.client.collectionJobs).toEqual(empty(true));
    // After the last job there is nothing left: first: 0 says so too.
    const jobs = await server.graphql<{ client: { collectionJobs: Page } }>(
      `{ client(id: "acme") { collectionJobs(first: 1) { ${page} } } }`,
      {},
      admin,
    );
    const last = jobs.body.data!.client.collectionJobs.pageInfo.endCursor;
    const afterLast = await server.graphql<Answer>(query, { jobsAfter: last }, admin);
    expect(afterLast.body.data!.client.collectionJobs).toEqual(empty(false));
  });

  it.each([
    ["clients", `{ clients(first: 101) { edges { cursor } } }`, "first: 101 is out of range: use 0 to 100"],
    [
      "costRecords",
      `{ client(id: "acme") { costRecords(period: { start: "${START}", end: "${END}" }, first: -1) { edges { cursor } } } }`,
      "first: -1 is out of range: use 0 to 100",
    ],
    [
      "collectionJobs",
      `{ client(id: "acme") { collectionJobs(first: 101) { edges { cursor } } } }`,
      "first: 101 is out of range: use 0 to 100",
    ],
    [
      "costBreakdown",
      `{ client(id: "acme") { costBreakdown(period: { start: "${START}", end: "${END}" }, by: SERVICE, top: 1001) { key } } }`,
      "top: 1001 is out of range: use 1 to 1000",
    ],
  ])(
    "refuses an out-of-range size on %s with the one message, naming the field",
    async (_list, query, message) => {
      const { body } = await server.graphql(query, {}, admin);
      expect(body.errors).toEqual([
        expect.objectContaining({
          message,
          extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: message.split(":")[0] }),
        }),
      ]);
    },
  );
});

describe("access rules", () => {
  it("refuses a request without a token with UNAUTHENTICATED", async () => {
    const { body } = await server.graphql(`{ client(id: "acme") { name } }`);
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(body.data?.client ?? null).toBeNull();
  });

  it("refuses a forged token", async () => {
    const forged = (await server.token({ roles: ["admin"] })).slice(0, -4) + "AAAA";
    const { body } = await server.graphql(`{ clients { edges { node { id } } } }`, {}, forged);
    expect(body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });

  it("gives a viewer of acme FORBIDDEN for globex, by id and through a cursor of acme's list", async () => {
    const byId = await server.graphql(
      `{ client(id: "globex") { name costSummary(period: { start: "${START}", end: "${END}" }) { total { amount } } } }`,
      {},
      viewerA,
    );
    expect(byId.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(JSON.stringify(byId.body)).not.toContain("Globex");
    const forgedCursor =
      Buffer.from(JSON.stringify(["clients", "acme"])).toString("base64url") + ".AAAAAAAAAAAAAAAAAAAAAA";
    const viaCursor = await server.graphql(
      `query($a: String) { clients(after: $a) { edges { node { id name } } } }`,
      { a: forgedCursor },
      viewerA,
    );
    expect(viaCursor.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(JSON.stringify(viaCursor.body)).not.toContain("Globex");
  });

  it("gives FORBIDDEN for another tenant's collection job id", async () => {
    await storeFinishedJob("job-globex-1", "globex");
    const asViewer = await server.graphql(`{ collectionJob(id: "job-globex-1") { id status } }`, {}, viewerA);
    expect(asViewer.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    const asAdmin = await server.graphql<{ collectionJob: { status: string } }>(
      `{ collectionJob(id: "job-globex-1") { id status providers { provider recordsWritten } } }`,
      {},
      admin,
    );
    expect(asAdmin.body.data!.collectionJob.status).toBe("SUCCEEDED");
  });
});

describe("bad input", () => {
  const cases: [string, string, string][] = [
    [
      "end before start",
      `{ client(id: "acme") { costSummary(period: { start: "2026-03-01", end: "2026-02-01" }) { total { amount } } } }`,
      "period.end",
    ],
    [
      "a DAILY series over 400 days",
      `{ client(id: "acme") { costTimeSeries(period: { start: "2024-01-01", end: "2025-06-01" }, granularity: DAILY) { key } } }`,
      "period",
    ],
    [
      "a period over 5 years",
      `{ client(id: "acme") { costSummary(period: { start: "2015-01-01", end: "2026-01-01" }) { total { amount } } } }`,
      "period",
    ],
    ["first over 100", `{ clients(first: 101) { edges { cursor } } }`, "first"],
    ["negative first", `{ clients(first: -1) { edges { cursor } } }`, "first"],
    ["an id with a key separator", `{ client(id: "CLIENT#acme") { name } }`, "id"],
    ["a truncated cursor", `{ clients(after: "abc") { edges { cursor } } }`, "after"],
  ];
  it.each(cases)("answers BAD_USER_INPUT naming the field for %s", async (_name, query, field) => {
    const { status, body } = await server.graphql(query, {}, admin);
    expect(status).toBeLessThan(500);
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toContain(field);
  });

  it("refuses an impossible date as a literal (validation) and as a variable (BAD_USER_INPUT), naming the value", async () => {
    const literal = await server.graphql(
      `{ client(id: "acme") { costSummary(period: { start: "2026-02-30", end: "2026-03-01" }) { total { amount } } } }`,
      {},
      admin,
    );
    expect(literal.status).toBe(400);
    expect(literal.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(literal.body.errors?.[0]?.message).toContain("2026-02-30");
    const variable = await server.graphql(
      `query($p: DateRangeInput!) { client(id: "acme") { costSummary(period: $p) { total { amount } } } }`,
      { p: { start: "2026-02-30", end: "2026-03-01" } },
      admin,
    );
    expect(variable.body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(variable.body.errors?.[0]?.message).toContain("2026-02-30");
    expect(variable.body.errors?.[0]?.message).toContain("$p");
  });

  it("refuses an unknown enum value and too deep or too costly queries as validation errors", async () => {
    const unknownEnum = await server.graphql(
      `{ client(id: "acme") { costBreakdown(period: { start: "${START}", end: "${END}" }, by: COLOR) { key } } }`,
      {},
      admin,
    );
    expect(unknownEnum.status).toBe(400);
    expect(unknownEnum.body.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: client(id: "acme") { name }`).join(" ");
    const wide = await server.graphql(`{ ${aliases} }`, {}, admin);
    expect(wide.status).toBe(400);
    expect(wide.body.errors?.[0]?.message).toMatch(/alias/i);
  });

  it("answers malformed JSON with 400 and no stack", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toMatch(/at .*\.(ts|js):\d+/);
  });
});

describe("DynamoDB requests", () => {
  it("reads a 90-day, 3-provider breakdown and its client in 3 BatchGetItem calls (271 keys)", async () => {
    server.store.counter.reset();
    const { body } = await server.graphql(
      `{ client(id: "acme") { costBreakdown(period: { start: "${START}", end: "${END}" }, by: SERVICE) { key } } }`,
      {},
      viewerA,
    );
    expect(body.errors).toBeUndefined();
    // The client and 270 record headers, asked together, in 100-key calls.
    expect(server.store.counter.requests({ operation: "BatchGetItem" })).toBe(3);
    expect(server.store.counter.requests()).toBe(3);
  });

  it("reads 90 days of summary from 3 monthly rollups plus 90 days of the previous period, batched", async () => {
    server.store.counter.reset();
    const { body } = await server.graphql(
      `{ client(id: "acme") { costSummary(period: { start: "${START}", end: "${END}" }) { total { amount } } } }`,
      {},
      viewerA,
    );
    expect(body.errors).toBeUndefined();
    // client (1) + rollups: 3 months now + previous 90 days = 2025-10-03..2025-12-31 = 2 full months
    // (Nov, Dec) + 29 days of Oct: 35 keys, asked together -> 1 call
    expect(server.store.counter.requests({ operation: "BatchGetItem" })).toBe(1);
    expect(server.store.counter.requests()).toBe(1);
  });
});
