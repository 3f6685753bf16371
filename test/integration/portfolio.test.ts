/**
 * Query.portfolio and Query.providerCosts over HTTP against real tables: the answers (equal to each
 * client's own costSummary, ranked, paged), what a non-admin sees, and the exact index Query
 * counts: one per month bucket whatever the number of clients, one for a bucket two fields share.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { costRecord } from "../support/records.js";
import { PortfolioDocument, ProviderCostsDocument } from "../e2e/generated/graphql.js";
import { addMonths, daysInRange } from "../../src/domain/dates.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { TimeSeriesStore } from "../../src/store/time-series-store.js";

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

/** Twelve whole months, 2025-04 .. 2026-03, and the twelve before them. */
const YEAR = { start: "2025-04-01", end: "2026-03-31" };
const MONTHS = Array.from({ length: 24 }, (_, i) => addMonths("2024-04", i));
const CLIENTS = Array.from({ length: 20 }, (_, i) => `pf${String(i).padStart(2, "0")}`);
/** Only in the current year: no previous cost, so no relative change. */
const NEWCOMER = "pf-new";
const OWN = CLIENTS.slice(0, 3);
const MARCH = { start: "2026-03-01", end: "2026-03-05" };

let server: TestServer;
const records: UnifiedCostRecord[] = [];

/** Client i spends in proportion to i + 1; its growth over the year cycles through 0..40%. */
const scaleOf = (index: number, month: string) =>
  (index + 1) * (month >= "2025-04" ? 1 + (index % 5) / 10 : 1);

beforeAll(async () => {
  server = await startTestServer();
  for (const id of [...CLIENTS, NEWCOMER]) {
    await server.stores.clients.create({
      id,
      name: `Client ${id}`,
      reportingCurrency: "USD",
      createdAt: "2024-01-01T00:00:00.000Z",
    });
  }
  records.push(
    ...CLIENTS.flatMap((clientId, i) =>
      MONTHS.map((month) =>
        costRecord({ clientId, provider: "GCP", date: `${month}-15`, scale: scaleOf(i, month) }),
      ),
    ),
    ...MONTHS.slice(12).map((month) =>
      costRecord({ clientId: NEWCOMER, provider: "GCP", date: `${month}-15`, scale: 0.5 }),
    ),
    ...CLIENTS.slice(0, 6).flatMap((clientId, i) =>
      daysInRange(MARCH.start, MARCH.end).map((date) =>
        costRecord({ clientId, provider: "AWS", date, scale: 6 - i }),
      ),
    ),
  );
  await server.stores.costs.upsertDays(records);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

function indexQueries(): { rollups: number; records: number; all: number } {
  const { counter, names } = server.store;
  return {
    rollups: counter.requests({ operation: "Query", table: names.timeseries }),
    records: counter.requests({ operation: "Query", table: names.data }),
    all: counter.requests({ operation: "Query" }),
  };
}

const totalOf = (clientId: string, range: { start: string; end: string }, provider?: string) =>
  sum(
    records
      .filter((r) => r.clientId === clientId && r.date >= range.start && r.date <= range.end)
      .filter((r) => provider === undefined || r.provider === provider)
      .map((r) => r.total),
  );

async function portfolio(token: string, variables: Record<string, unknown>) {
  const { body } = await server.graphql(PortfolioDocument, { period: YEAR, first: 100, ...variables }, token);
  expect(body.errors).toBeUndefined();
  return body.data!.portfolio;
}

describe("Query.portfolio", () => {
  it("costs 12 index Queries per 12 months read for 3 clients and for 21, and none per client", async () => {
    const viewer = await server.token({ roles: ["viewer"], clientIds: OWN });
    const admin = await server.token({ roles: ["admin"] });
    const counts = [];
    for (const token of [viewer, admin]) {
      server.store.counter.reset();
      const page = await portfolio(token, {});
      counts.push({ clients: page.totalCount, queries: indexQueries() });
    }
    // The year and the year before: 24 month buckets, one Query each, on the rollups' date index.
    expect(counts).toEqual([
      { clients: 3, queries: { rollups: 24, records: 0, all: 24 } },
      { clients: 21, queries: { rollups: 24, records: 0, all: 24 } },
    ]);
  });

  it("answers each client's own costSummary, ranked by cost", async () => {
    const admin = await server.token({ roles: ["admin"] });
    const page = await portfolio(admin, {});
    const ids = page.edges.map((edge) => edge.node.client!.id);
    expect(ids).toEqual([...CLIENTS, NEWCOMER].sort((a, b) => totalOf(b, YEAR) - totalOf(a, YEAR)));
    const { body } = await server.graphql(
      `query ($id: ID!, $period: DateRangeInput!) { client(id: $id) { costSummary(period: $period) {
        id total { amount currency } previousTotal { amount } changePercent } } }`,
      { id: "pf07", period: YEAR },
      admin,
    );
    const own = (body.data as { client: { costSummary: Record<string, unknown> } }).client.costSummary;
    const entry = page.edges.find((edge) => edge.node.client!.id === "pf07")!.node;
    expect(entry.summary).toMatchObject(own);
    expect(entry.summary.total.amount).toBeCloseTo(totalOf("pf07", YEAR), 6);
    expect(entry.change.amount).toBeCloseTo(
      totalOf("pf07", YEAR) - totalOf("pf07", { start: "2024-04-01", end: "2025-03-31" }),
      6,
    );
  });

  it("ranks by absolute and relative change, clients without a previous cost last", async () => {
    const admin = await server.token({ roles: ["admin"] });
    const absolute = await portfolio(admin, { orderBy: "ABSOLUTE_CHANGE" });
    const changes = absolute.edges.map((edge) => edge.node.change.amount);
    expect(changes).toEqual([...changes].sort((a, b) => b - a));
    const relative = await portfolio(admin, { orderBy: "RELATIVE_CHANGE" });
    const percents = relative.edges.map((edge) => edge.node.summary.changePercent);
    expect(percents.at(-1)).toBeNull();
    expect(relative.edges.at(-1)!.node.client!.id).toBe(NEWCOMER);
    const known = percents.slice(0, -1) as number[];
    expect(known).toEqual([...known].sort((a, b) => b - a));
    const before = { start: "2024-04-01", end: "2025-03-31" };
    relative.edges.slice(0, -1).forEach(({ node }, i) => {
      const previous = totalOf(node.client!.id, before);
      expect(known[i]).toBeCloseTo(((totalOf(node.client!.id, YEAR) - previous) / previous) * 100, 6);
    });
  });

  it("pages forward and backward through the same ranking, cursors bound to it", async () => {
    const admin = await server.token({ roles: ["admin"] });
    const whole = (await portfolio(admin, { orderBy: "RELATIVE_CHANGE" })).edges.map(
      (e) => e.node.client!.id,
    );
    const forward: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await portfolio(admin, { orderBy: "RELATIVE_CHANGE", first: 8, after });
      forward.push(...page.edges.map((e) => e.node.client!.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(forward).toEqual(whole);
    const last = await portfolio(admin, { orderBy: "RELATIVE_CHANGE", first: null, last: 5 });
    expect(last.edges.map((e) => e.node.client!.id)).toEqual(whole.slice(-5));
    expect(last.pageInfo.hasPreviousPage).toBe(true);

    const { body } = await server.graphql(
      PortfolioDocument,
      { period: YEAR, orderBy: "COST", after: last.pageInfo.startCursor },
      admin,
    );
    expect(body.errors?.[0]).toMatchObject({
      message: "after: is not a cursor issued for this list",
      extensions: { code: "BAD_USER_INPUT", field: "after" },
    });
  });

  it("shows a viewer only their clients, summed from their own rows only", async () => {
    const viewer = await server.token({ roles: ["viewer"], clientIds: OWN });
    const page = await portfolio(viewer, { providers: ["GCP"] });
    expect(page.edges.map((e) => e.node.client!.id).sort()).toEqual(OWN);
    for (const { node } of page.edges) {
      expect(node.summary.total.amount).toBeCloseTo(totalOf(node.client!.id, YEAR, "GCP"), 6);
    }
    expect(JSON.stringify(page)).not.toContain(CLIENTS[3]);
  });

  it("reads a bucket that two fields need once: aliases of one question cost one set of Queries", async () => {
    const admin = await server.token({ roles: ["admin"] });
    const fields = (orderBy: string, period: string) =>
      `${orderBy.toLowerCase()}: portfolio(period: ${period}, orderBy: ${orderBy}) { totalCount }`;
    server.store.counter.reset();
    const { body } = await server.graphql(
      `query ($year: DateRangeInput!, $half: DateRangeInput!) {
        ${fields("COST", "$year")} ${fields("ABSOLUTE_CHANGE", "$year")}
        half: portfolio(period: $half) { totalCount } }`,
      { year: YEAR, half: { start: "2025-08-01", end: "2026-03-31" } },
      admin,
    );
    expect(body.errors).toBeUndefined();
    // 2025-08 .. 2026-03 and the 243 days before it (2024-12 .. 2025-07): months the year reads.
    expect(indexQueries()).toEqual({ rollups: 24, records: 0, all: 24 });
  });

  it("reads partial months from the daily rollups, one Query per edge day", async () => {
    const admin = await server.token({ roles: ["admin"] });
    server.store.counter.reset();
    // 2026-01-10 .. 2026-03-15: Feb whole, 22 + 15 edge days; the 65 days before: Dec whole, 25 + 9.
    const page = await portfolio(admin, { period: { start: "2026-01-10", end: "2026-03-15" } });
    expect(indexQueries().rollups).toBe(1 + 22 + 15 + 1 + 25 + 9);
    const pf05 = page.edges.find((e) => e.node.client!.id === "pf05")!.node;
    expect(pf05.summary.total.amount).toBeCloseTo(
      totalOf("pf05", { start: "2026-01-10", end: "2026-03-15" }),
      6,
    );
  });

  it("follows every page of a rollup index partition (a 4-item Limit stands in for 1 MB)", async () => {
    const paged = new TimeSeriesStore({
      doc: server.store.doc,
      names: server.store.names,
      indexPageLimit: 4,
    });
    server.store.counter.reset();
    const rows = await paged.queryAcrossClients("MONTHLY", "2026-01");
    expect(rows.map((r) => r.clientId)).toEqual([...CLIENTS, NEWCOMER].sort());
    expect(server.store.counter.requests({ operation: "Query" })).toBe(Math.ceil(21 / 4));
  });
});

describe("Query.providerCosts", () => {
  it("costs one index Query per month for 6 clients or 3, with the top clients of each bucket", async () => {
    const admin = await server.token({ roles: ["admin"] });
    const viewer = await server.token({ roles: ["viewer"], clientIds: OWN });
    const answers = [];
    for (const token of [admin, viewer]) {
      server.store.counter.reset();
      const { body } = await server.graphql(
        ProviderCostsDocument,
        { provider: "GCP", period: YEAR, granularity: "MONTHLY", top: 2 },
        token,
      );
      expect(body.errors).toBeUndefined();
      answers.push({ buckets: body.data!.providerCosts, queries: indexQueries() });
    }
    for (const { buckets, queries } of answers) {
      expect(queries).toEqual({ rollups: 0, records: 12, all: 12 });
      expect(buckets.map((b) => b.date)).toEqual(MONTHS.slice(12).map((m) => `${m}-01`));
    }
    const [all, own] = answers.map((a) => a.buckets);
    expect(all![0]!.clientCount).toBe(21);
    expect(all![0]!.topClients.map((c) => c.client!.id)).toEqual(["pf19", "pf18"]);
    expect(own![0]!.clientCount).toBe(3);
    expect(own![0]!.topClients.map((c) => c.client!.id)).toEqual(["pf02", "pf01"]);
    const month = { start: "2025-04-01", end: "2025-04-30" };
    expect(own![0]!.totals).toEqual([
      { amount: expect.closeTo(sum(OWN.map((id) => totalOf(id, month, "GCP"))), 6), currency: "USD" },
    ]);
  });

  it("buckets days, zero-filled, and two fields over the same month cost one Query", async () => {
    const viewer = await server.token({ roles: ["viewer"], clientIds: OWN });
    const period = { start: "2026-03-01", end: "2026-03-07" };
    server.store.counter.reset();
    const { body } = await server.graphql(
      `query ($period: DateRangeInput!) {
        a: providerCosts(provider: AWS, period: $period, top: 1) { date clientCount topClients { cost { amount } } }
        b: providerCosts(provider: AWS, period: $period, top: 3) { date totals { amount } } }`,
      { period },
      viewer,
    );
    expect(body.errors).toBeUndefined();
    expect(indexQueries()).toEqual({ rollups: 0, records: 1, all: 1 });
    const data = body.data as {
      a: { date: string; clientCount: number; topClients: { cost: { amount: number } }[] }[];
      b: { date: string; totals: { amount: number }[] }[];
    };
    expect(data.a.map((d) => d.date)).toEqual(daysInRange(period.start, period.end));
    expect(data.a.map((d) => d.clientCount)).toEqual([3, 3, 3, 3, 3, 0, 0]);
    const day = { start: "2026-03-02", end: "2026-03-02" };
    expect(data.a[1]!.topClients[0]!.cost.amount).toBeCloseTo(totalOf("pf00", day, "AWS"), 6);
    expect(data.b[1]!.totals[0]!.amount).toBeCloseTo(sum(OWN.map((id) => totalOf(id, day, "AWS"))), 6);
    expect(data.b[6]!.totals).toEqual([]);
  });

  it("refuses a period too long for daily buckets and a top out of range, naming the field", async () => {
    const admin = await server.token({ roles: ["admin"] });
    const refusal = async (variables: { period: { start: string; end: string }; top?: number }) => {
      const { body } = await server.graphql(ProviderCostsDocument, { provider: "AWS", ...variables }, admin);
      expect(body.data).toBeNull();
      return body.errors?.map((e) => [e.extensions?.code, e.extensions?.field]);
    };
    expect(await refusal({ period: { start: "2024-01-01", end: "2026-01-01" } })).toEqual([
      ["BAD_USER_INPUT", "period"],
    ]);
    expect(await refusal({ period: MARCH, top: 0 })).toEqual([["BAD_USER_INPUT", "top"]]);
  });
});
