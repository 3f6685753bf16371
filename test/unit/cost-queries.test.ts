/**
 * The cost use cases over in-memory sources (no DynamoDB): who may ask, that a question asked twice
 * in a request reads once, and records paged by date then provider with cursors bound to the list.
 */
import { describe, expect, it } from "vitest";
import { CostQueries } from "../../src/application/costs/cost-queries.js";
import { CostReads, type CostSources } from "../../src/application/costs/cost-reads.js";
import { CursorCodec } from "../../src/application/cursors.js";
import type { CostRecordHeader, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { ForbiddenError, UnauthenticatedError } from "../../src/domain/errors.js";
import type { Authentication } from "../../src/domain/identity.js";
import { ValidationError } from "../../src/domain/validation.js";
import { costRecords } from "../support/records.js";
import { ReadCache } from "../../src/application/read-cache.js";

const viewer = (clientIds: string[]): Authentication => ({
  caller: { sub: "v", roles: ["viewer"], clientIds },
});
const period = { start: "2026-03-01", end: "2026-03-04" };

function header({ lines: _lines, ...rest }: UnifiedCostRecord): CostRecordHeader {
  return rest;
}

/** Headers of acme's AWS and GCP days in March 2026; counts every read. */
function fakeSources(readCache?: ReadCache) {
  const stored = new Map(
    [
      ...costRecords({ clientId: "acme", provider: "AWS" }, "2026-03-01", 4),
      ...costRecords({ clientId: "acme", provider: "GCP" }, "2026-03-02", 2),
    ].map((record) => [`${record.provider}|${record.date}`, header(record)]),
  );
  const reads = { headers: 0, rollups: 0, lines: 0 };
  const sources: CostSources = {
    headers: async (keys) => {
      reads.headers++;
      return keys.map((key) => stored.get(`${key.provider}|${key.date}`) ?? null);
    },
    rollups: async () => {
      reads.rollups++;
      return [];
    },
    lines: async () => {
      reads.lines++;
      return new Map();
    },
  };
  const cursors = new CursorCodec("test-secret-test-secret-test-secret");
  /** A request's queries: its own CostReads over the same sources and read cache. */
  const request = () => new CostQueries(new CostReads(sources, readCache), sources, cursors);
  return { reads, stored, queries: request(), request };
}

describe("CostQueries", () => {
  it("answers later requests from the read cache until the client's data changes", async () => {
    const readCache = new ReadCache({ maxBytes: 1_000_000 });
    readCache.setFollowing(true);
    const { request, reads } = fakeSources(readCache);
    const question = { period, by: "SERVICE" as const, filter: { providers: ["AWS" as const] } };
    const first = await request().breakdown(viewer(["acme"]), "acme", question);
    expect(await request().breakdown(viewer(["acme"]), "acme", question)).toBe(first);
    expect(reads.headers).toBe(1);
    // The cache answers only callers who may read the client.
    await expect(request().breakdown(viewer(["other"]), "acme", question)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    readCache.invalidate(["acme"]);
    await request().breakdown(viewer(["acme"]), "acme", question);
    expect(reads.headers).toBe(2);
  });

  it("refuses anonymous callers and other tenants' viewers before reading anything", async () => {
    const { queries, reads } = fakeSources();
    const question = { period, by: "SERVICE" as const, filter: {} };
    await expect(
      queries.breakdown({ caller: null, reason: "missing bearer token" }, "acme", question),
    ).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(queries.breakdown(viewer(["other"]), "acme", question)).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    expect(reads).toEqual({ headers: 0, rollups: 0, lines: 0 });
  });

  it("asks an invoice month only of its readers, and names a malformed month before reading", async () => {
    const { queries, reads } = fakeSources();
    await expect(
      queries.invoiceMonth(viewer(["other"]), "acme", { month: "2026-03" }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    for (const month of ["2026-13", "2026-3", "202603"]) {
      const refused = queries.invoiceMonth(viewer(["acme"]), "acme", { month });
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toThrow(`month: "${month}" is not a month in the form YYYY-MM`);
    }
    expect(reads.lines).toBe(0);
    // Every provider's stored lines of the month and the one before are read once each.
    const answer = await queries.invoiceMonth(viewer(["acme"]), "acme", { month: "2026-03" });
    expect(answer).toEqual({ invoiceMonth: "2026-03", total: 0, byProvider: [] });
    expect(reads.lines).toBe(3);
  });

  it("answers a question asked twice in a request (a field and its read-ahead) with one read", async () => {
    const { queries, reads, stored } = fakeSources();
    const question = { period, by: "SERVICE" as const, filter: { providers: ["AWS" as const] } };
    const [first, second] = await Promise.all([
      queries.breakdown(viewer(["acme"]), "acme", question),
      queries.breakdown(viewer(["acme"]), "acme", { filter: question.filter, by: "SERVICE", period }),
    ]);
    expect(second).toBe(first);
    expect(reads.headers).toBe(1);
    const total = [...stored.values()].filter((h) => h.provider === "AWS").reduce((s, h) => s + h.total, 0);
    expect(first.reduce((sum, item) => sum + item.amount, 0)).toBeCloseTo(total, 6);
  });

  it("pages the stored records by date then provider, and refuses a cursor from another list", async () => {
    const { queries } = fakeSources();
    const auth = viewer(["acme"]);
    const first = await queries.records(auth, "acme", { period }, { first: 4 });
    expect(first.edges.map((e) => `${e.node.date} ${e.node.provider}`)).toEqual([
      "2026-03-01 AWS",
      "2026-03-02 AWS",
      "2026-03-02 GCP",
      "2026-03-03 AWS",
    ]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await queries.records(
      auth,
      "acme",
      { period },
      { first: 4, after: first.pageInfo.endCursor },
    );
    expect(rest.edges.map((e) => `${e.node.date} ${e.node.provider}`)).toEqual([
      "2026-03-03 GCP",
      "2026-03-04 AWS",
    ]);
    expect(rest.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: rest.edges[0]!.cursor,
      endCursor: rest.edges[1]!.cursor,
    });
    const back = await queries.records(
      auth,
      "acme",
      { period },
      { last: 3, before: rest.pageInfo.startCursor },
    );
    expect(back.edges.map((e) => `${e.node.date} ${e.node.provider}`)).toEqual([
      "2026-03-02 AWS",
      "2026-03-02 GCP",
      "2026-03-03 AWS",
    ]);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const none = await queries.records(auth, "acme", { period }, { first: 0 });
    expect(none).toEqual({
      edges: [],
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
    await expect(
      queries.records(auth, "acme", { period, provider: "AWS" }, { after: first.pageInfo.endCursor }),
    ).rejects.toThrow(ValidationError);
  });
});
