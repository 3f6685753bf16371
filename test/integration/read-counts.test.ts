/**
 * Exact DynamoDB request and item counts of the three benchmark shapes (npm run bench), over HTTP:
 * (a) a dashboard (one client, 90 days: summary, top services, daily series), (b) a portfolio
 * (20 clients x 12 monthly totals), (c) a 12-month MONTHLY series. Counts are stable, so they are
 * asserted here; the benchmark reports the times.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { costRecord } from "../support/records.js";
import type { DynamoRequestFilter } from "../support/dynamo-request-counter.js";
import {
  DashboardDocument,
  MonthlySeriesDocument,
  PortfolioMonthlyDocument,
} from "../e2e/generated/graphql.js";
import { addMonths, daysInRange, monthOf, splitRangeByMonth } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import type { IsoDay, UnifiedCostRecord } from "../../src/domain/cost-record.js";

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const BATCH_GET_MAX = 100;

/** Twelve whole months, 2025-04 .. 2026-03. */
const YEAR = { start: "2025-04-01", end: "2026-03-31" };
const MONTHS = Array.from({ length: 12 }, (_, i) => addMonths("2025-04", i));
/** The dashboard's 90 days and, before them, its previous period (2025-10-03 .. 2025-12-31). */
const QUARTER = { start: "2026-01-01", end: "2026-03-31" };
const PORTFOLIO = Array.from({ length: 20 }, (_, i) => `p${String(i).padStart(2, "0")}`);

let server: TestServer;
let batchingOff: TestServer;

async function createClient(target: TestServer, id: string) {
  await target.stores.clients.create({
    id,
    name: `Client ${id}`,
    reportingCurrency: "USD",
    createdAt: "2025-01-01T00:00:00.000Z",
  });
}

/** Days 1 and 15 of every month of YEAR, one provider: a thin series whose months all have rollups. */
const thinTrend = (clientId: string) =>
  MONTHS.flatMap((month) => [`${month}-01`, `${month}-15`]).map((date) =>
    costRecord({ clientId, provider: "AWS", date }),
  );

const trendRecords: UnifiedCostRecord[] = [];
const dashboardRecords: UnifiedCostRecord[] = [];
const portfolioRecords: UnifiedCostRecord[] = [];

beforeAll(async () => {
  [server, batchingOff] = await Promise.all([
    startTestServer(),
    startTestServer({ env: { DATALOADER: "off" } }),
  ]);
  for (const id of ["dash", "trend", ...PORTFOLIO]) await createClient(server, id);
  await createClient(batchingOff, "trend");

  dashboardRecords.push(
    ...CLOUD_PROVIDERS.flatMap((provider) =>
      daysInRange(QUARTER.start, QUARTER.end).map((date) => costRecord({ clientId: "dash", provider, date })),
    ),
    // The previous period reads Oct 3..31 as days and Nov and Dec as months: one day makes a month's rollup.
    ...[...daysInRange("2025-10-03", "2025-10-31"), "2025-11-15", "2025-12-15"].map((date) =>
      costRecord({ clientId: "dash", provider: "AWS", date }),
    ),
  );
  portfolioRecords.push(
    ...PORTFOLIO.flatMap((clientId) =>
      MONTHS.map((month) => costRecord({ clientId, provider: "GCP", date: `${month}-15` })),
    ),
  );
  trendRecords.push(...thinTrend("trend"));
  await server.stores.costs.upsertDays([...dashboardRecords, ...portfolioRecords, ...trendRecords]);
  await batchingOff.stores.costs.upsertDays(thinTrend("trend"));
}, 180_000);

afterAll(async () => {
  await Promise.all([server?.stop(), batchingOff?.stop()]);
});

/**
 * The requests the read made, without attempts that failed and were retried (a connection dropped
 * by a busy DynamoDB Local is the machine's, not the read's).
 */
function counted(target: TestServer) {
  const { counter, names } = target.store;
  const made = (filter: DynamoRequestFilter) => counter.requests(filter) - counter.failedAttempts(filter);
  const failed = counter.failedAttempts();
  if (failed > 0) console.info(`read counts: ${failed} failed attempt(s) retried, not counted`);
  return {
    requests: made({}),
    batchGets: made({ operation: "BatchGetItem" }),
    itemsRead: counter.itemsRead(),
    dataItems: counter.itemsRead({ table: names.data }),
    rollupRequests: made({ table: names.timeseries }),
    rollupItems: counter.itemsRead({ table: names.timeseries }),
  };
}

describe("(a) dashboard: one client, 90 days, summary + top-10 services + daily series", () => {
  it("reads the client, 270 record headers and 124 rollups together: 395 keys in 4 BatchGetItem calls", async () => {
    const token = await server.token({ roles: ["viewer"], clientIds: ["dash"] });
    server.store.counter.reset();
    const { body } = await server.graphql(DashboardDocument, { clientId: "dash", period: QUARTER }, token);
    const reads = counted(server);

    expect(body.errors).toBeUndefined();
    const client = body.data!.client!;
    const inQuarter = dashboardRecords.filter((r) => r.date >= QUARTER.start);
    expect(client.costSummary.total.amount).toBeCloseTo(sum(inQuarter.map((r) => r.total)), 6);
    expect(client.costSummary.previousTotal.amount).toBeCloseTo(
      sum(dashboardRecords.filter((r) => r.date < QUARTER.start).map((r) => r.total)),
      6,
    );
    expect(client.costBreakdown).toHaveLength(11); // top 10 + "Other"
    expect(client.costTimeSeries[0]!.points).toHaveLength(90);

    // Rollup keys: 3 months now; before: Nov + Dec whole, Oct 3..31 as 29 days; 90 days for the series.
    const rollupKeys = 3 + 2 + 29 + 90;
    expect(reads.rollupItems).toBe(rollupKeys);
    // 1 client profile + 3 providers x 90 headers; asked in the same turn as the rollups, all of
    // them share 100-key calls (each kind in its own calls took 1 + 3 + 2 = 6).
    expect(reads.dataItems).toBe(1 + 270);
    expect(reads.batchGets).toBe(Math.ceil((1 + 270 + rollupKeys) / BATCH_GET_MAX));
    expect(reads.requests).toBe(4);
    expect(reads.itemsRead).toBe(1 + 270 + rollupKeys);
  });

  it("answers one question asked under two aliases once, and reports bad arguments of a read-ahead field", async () => {
    const token = await server.token({ roles: ["viewer"], clientIds: ["dash"] });
    const summary = "costSummary(period: $period) { total { amount } }";
    const query = (fields: string) =>
      `query ($id: ID!, $period: DateRangeInput!) { client(id: $id) { id ${fields} } }`;
    server.store.counter.reset();
    const once = await server.graphql(query(summary), { id: "dash", period: QUARTER }, token);
    const single = counted(server);
    server.store.counter.reset();
    const twice = await server.graphql(
      query(`a: ${summary} b: ${summary}`),
      { id: "dash", period: QUARTER },
      token,
    );
    expect(counted(server)).toEqual(single);
    const answer = (once.body.data as { client: { costSummary: unknown } }).client.costSummary;
    expect(twice.body.data).toEqual({ client: { id: "dash", a: answer, b: answer } });

    const bad = await server.graphql(
      query("costBreakdown(period: $period, by: SERVICE, top: 0) { key }"),
      { id: "dash", period: QUARTER },
      token,
    );
    expect(bad.body.errors).toEqual([
      expect.objectContaining({
        path: ["client", "costBreakdown"],
        message: "top: 0 is out of range: use 1 to 1000",
        extensions: expect.objectContaining({ code: "BAD_USER_INPUT", field: "top" }),
      }),
    ]);
  });
});

describe("(b) portfolio: 20 clients, monthly totals for 12 months", () => {
  /** A page of the viewer's clients with their monthly series, and what it read. */
  const portfolioPage = async (first: number) => {
    const token = await server.token({ roles: ["viewer"], clientIds: PORTFOLIO });
    server.store.counter.reset();
    const { body } = await server.graphql(PortfolioMonthlyDocument, { period: YEAR, first }, token);
    expect(body.errors).toBeUndefined();
    return { clients: body.data!.clients, reads: counted(server) };
  };

  it("reads the 20 profiles and the 240 monthly rollups together: 260 keys in 3 calls", async () => {
    const { clients, reads } = await portfolioPage(20);
    const nodes = clients.edges.map((edge) => edge.node);
    expect(nodes.map((node) => node.id)).toEqual(PORTFOLIO);
    for (const node of nodes) {
      const points = node.costTimeSeries[0]!.points;
      expect(points.map((p) => p.date)).toEqual(MONTHS.map((month) => `${month}-01`));
      const stored = portfolioRecords.filter((r) => r.clientId === node.id);
      expect(sum(points.map((p) => p.cost.amount))).toBeCloseTo(sum(stored.map((r) => r.total)), 6);
    }

    // A viewer's page is known from the token: its rollups are read beside its profiles, and the
    // 260 known keys take the fewest 100-key BatchGetItem calls (profiles first, then rollups, took 4).
    expect(reads.rollupItems).toBe(240);
    expect(reads.dataItems).toBe(20);
    expect(reads.batchGets).toBe(Math.ceil((20 + 240) / BATCH_GET_MAX));
    expect(reads.requests).toBe(3);
  });

  it("reads ahead the page's costs only: 5 of 20 clients, their 60 rollups beside the profiles", async () => {
    const { clients, reads } = await portfolioPage(5);
    expect(clients.edges.map((edge) => edge.node.id)).toEqual(PORTFOLIO.slice(0, 5));
    expect(clients.pageInfo.hasNextPage).toBe(true);
    // The page's 6 profiles (the sixth tells a next page exists) and its 60 rollups in one call;
    // totalCount then reads the token's other profiles. No cost of a client off the page is read.
    expect(reads.dataItems).toBe(20);
    expect(reads.rollupItems).toBe(5 * 12);
    expect(reads.requests).toBe(2);
  });
});

describe("(c) a 12-month MONTHLY series", () => {
  const series = async (target: TestServer, period: { start: IsoDay; end: IsoDay }) => {
    const token = await target.token({ roles: ["viewer"], clientIds: ["trend"] });
    target.store.counter.reset();
    const { body } = await target.graphql(MonthlySeriesDocument, { clientId: "trend", period }, token);
    expect(body.errors).toBeUndefined();
    return { points: body.data!.client!.costTimeSeries[0]!.points, reads: counted(target) };
  };

  it("reads 12 monthly rollups, and still 12 after every month gained ten more days of data", async () => {
    const before = await series(server, YEAR);
    expect(before.points).toHaveLength(12);
    expect(sum(before.points.map((p) => p.cost.amount))).toBeCloseTo(
      sum(trendRecords.map((r) => r.total)),
      6,
    );
    expect(before.reads.rollupItems).toBe(12);
    expect(before.reads.itemsRead).toBe(1 + 12);
    // The client's profile and the 12 rollups in one BatchGetItem.
    expect(before.reads.requests).toBe(1);

    const moreDays = MONTHS.flatMap((month) =>
      Array.from({ length: 10 }, (_, i) =>
        costRecord({
          clientId: "trend",
          provider: "AWS",
          date: `${month}-${String(i + 2).padStart(2, "0")}`,
        }),
      ),
    );
    await server.stores.costs.upsertDays(moreDays);
    const after = await series(server, YEAR);
    // The new days are in the answer...
    expect(sum(after.points.map((p) => p.cost.amount))).toBeCloseTo(
      sum([...trendRecords, ...moreDays].map((r) => r.total)),
      6,
    );
    // ...but not in the cost of the read.
    expect(after.reads).toEqual(before.reads);
    trendRecords.push(...moreDays);
  });

  it("reads whole months from monthly rollups and only the partial months' days from daily ones", async () => {
    const period = { start: "2025-04-10", end: "2026-03-20" };
    const { fullMonths, edgeDays } = splitRangeByMonth(period.start, period.end);
    expect(fullMonths).toHaveLength(10);
    const storedDays = new Set(trendRecords.map((r) => r.date));
    const { points, reads } = await series(server, period);
    expect(points.map((p) => p.date.slice(0, 7))).toEqual(MONTHS);
    const inPeriod = trendRecords.filter((r) => r.date >= period.start && r.date <= period.end);
    expect(sum(points.map((p) => p.cost.amount))).toBeCloseTo(sum(inPeriod.map((r) => r.total)), 6);
    // 10 + 41 keys fit one batch; only the edge days holding data return an item.
    expect(reads.rollupRequests).toBe(1);
    expect(reads.rollupItems).toBe(10 + edgeDays.filter((day) => storedDays.has(day)).length);
    expect(edgeDays.every((day) => monthOf(day) === "2025-04" || monthOf(day) === "2026-03")).toBe(true);
  });

  it("with DATALOADER=off, makes one call per item: the N+1 that batching removes", async () => {
    const { points, reads } = await series(batchingOff, YEAR);
    expect(points).toHaveLength(12);
    expect(reads.rollupRequests).toBe(12);
    expect(reads.requests).toBe(1 + 12);
    expect(reads.itemsRead).toBe(1 + 12);
  });
});
