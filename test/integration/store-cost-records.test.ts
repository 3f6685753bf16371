import { GetCommand, ScanCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { addDays } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { ValidationError } from "../../src/domain/validation.js";
import { CostRecordStore } from "../../src/store/cost-record-store.js";
import { VersionConflictError } from "../../src/store/errors.js";
import { keys } from "../../src/store/keys.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import { storedCosts, type StoredCosts } from "../support/stored-costs.js";
import { costRecord, costRecords } from "../support/records.js";

let ctx: TestStoreContext;
let store: CostRecordStore;
let tables: StoredCosts;

beforeAll(async () => {
  ctx = await createTestStoreContext();
  store = new CostRecordStore({ doc: ctx.doc, names: ctx.names });
  tables = storedCosts(ctx);
});

const withoutLines = ({ lines: _lines, ...header }: UnifiedCostRecord) => header;

async function itemCount(table: string): Promise<number> {
  const out = await ctx.doc.send(new ScanCommand({ TableName: table, Select: "COUNT" }));
  return out.Count ?? 0;
}

describe("CostRecordStore serialization", () => {
  it("round-trips a record field by field through DynamoDB", async () => {
    const record = costRecord({ clientId: "roundtrip", provider: "AWS", date: "2026-02-01" });
    const result = await tables.upsertDay(record);
    expect(result).toEqual({ outcome: "created", version: 1 });

    const stored = await store.getRecord("roundtrip", "AWS", "2026-02-01");
    expect(stored).toStrictEqual({ ...record, version: 1 });
    if (!stored) throw new Error("unreachable");
    // The edge cases the factory plants, checked one by one so a failure names the field.
    const tiny = stored.lines.find((line) => line.region === "global");
    expect(tiny?.billedCost).toBe(0.0000008);
    expect(tiny?.cost).toBe(0.0000008);
    expect(tiny && "usageQuantity" in tiny).toBe(false);
    expect(stored.lines.find((line) => line.chargeCategory === "Credit")?.cost).toBe(-3.25);
    expect(stored.lines.find((line) => line.chargeCategory === "Tax")?.region).toBe("");
    expect(stored.accounts.map((a) => a.accountName)).toContain("Müller Analytics – 東京");
    expect(stored.lines.filter((line) => line.usageQuantity === 24).length).toBeGreaterThan(0);
    expect(stored.total).toBe(record.total);
    expect(stored.dataQuality).toStrictEqual(record.dataQuality);
    expect(stored.collection).toStrictEqual(record.collection);
    expect(stored.exchangeRates).toStrictEqual(record.exchangeRates);
    expect(stored.billedTotals).toStrictEqual(record.billedTotals);
    expect(stored.expiresAt).toBe(record.expiresAt);
  });

  it("round-trips converted amounts, a null cost and an absent account name", async () => {
    const base = costRecord({ clientId: "roundtrip", provider: "GCP", date: "2026-02-02" });
    // A line without an exchange rate has cost null and stays out of the total.
    const unpriced = { ...base.lines[0]!, billingCurrency: "JPY", billedCost: 1200, cost: null };
    const record: UnifiedCostRecord = {
      ...base,
      lines: [...base.lines, unpriced],
      billedTotals: [...base.billedTotals, { currency: "JPY", amount: 1200 }],
    };
    await tables.upsertDay(record);
    const stored = await store.getRecord("roundtrip", "GCP", "2026-02-02");
    expect(stored).toStrictEqual({ ...record, version: 1 });
    expect(stored?.lines.at(-1)?.cost).toBeNull();
    expect(stored?.accounts.find((a) => a.accountId === "acme-data-1177")).toStrictEqual(
      base.accounts.find((a) => a.accountId === "acme-data-1177"),
    );
    expect(stored?.accounts.some((a) => a.accountId === "acme-data-1177" && "accountName" in a)).toBe(false);
    const azure = costRecord({ clientId: "roundtrip", provider: "AZURE", date: "2026-02-02" });
    await tables.upsertDay(azure);
    const storedAzure = await store.getRecord("roundtrip", "AZURE", "2026-02-02");
    expect(storedAzure?.exchangeRates).toStrictEqual([
      { from: "EUR", to: "USD", rate: 1.0832, rateDate: "2026-02-01", source: "ecb-monthly-2026-02" },
    ]);
    expect(storedAzure).toStrictEqual({ ...azure, version: 1 });
  });
});

describe("CostRecordStore.upsertDay", () => {
  it("writes nothing for an unchanged re-run, and increments the version on each real change", async () => {
    const first = costRecord({ clientId: "versions", provider: "AWS", date: "2026-03-05" });
    expect((await tables.upsertDay(first)).version).toBe(1);

    ctx.counter.reset();
    const rerun = costRecord({
      clientId: "versions",
      provider: "AWS",
      date: "2026-03-05",
      jobId: "job-2",
      collectedAt: "2026-03-08T06:00:00.000Z",
    });
    const unchanged = await tables.upsertDay(rerun);
    expect(unchanged.outcome).toBe("unchanged");
    expect(unchanged.version).toBe(1);
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(0);
    expect(ctx.counter.requests({ operation: "BatchWriteItem" })).toBe(0);
    // One read of the data table; the rest is the write lease and the day's rollup, in the timeseries table.
    expect(ctx.counter.requests({ table: ctx.names.data })).toBe(1);
    // The stored record keeps the first run's collection metadata.
    expect((await store.getRecord("versions", "AWS", "2026-03-05"))?.collection.jobId).toBe("job-1");

    const restated = costRecord({ clientId: "versions", provider: "AWS", date: "2026-03-05", scale: 1.1 });
    const second = await tables.upsertDay(restated);
    expect(second.outcome).toBe("updated");
    expect(second.version).toBe(2);
    expect(second.previous?.version).toBe(1);
    expect(second.previous?.total).toBe(first.total);
    const third = await tables.upsertDay(
      costRecord({ clientId: "versions", provider: "AWS", date: "2026-03-05", scale: 1.2 }),
    );
    expect(third).toMatchObject({
      outcome: "updated",
      version: 3,
      previous: { version: 2, total: restated.total },
    });
    expect((await store.getRecord("versions", "AWS", "2026-03-05"))?.version).toBe(3);
  });

  it("honours expectedVersion: a stale writer is refused and nothing changes", async () => {
    const record = costRecord({ clientId: "expected", provider: "GCP", date: "2026-03-06" });
    await tables.upsertDay(record, { expectedVersion: null });
    await expect(tables.upsertDay(record, { expectedVersion: null })).rejects.toBeInstanceOf(
      VersionConflictError,
    );
    const changed = costRecord({ clientId: "expected", provider: "GCP", date: "2026-03-06", scale: 0.5 });
    await expect(tables.upsertDay(changed, { expectedVersion: 7 })).rejects.toThrow(
      "expected version 7, found 1",
    );
    expect((await store.getRecord("expected", "GCP", "2026-03-06"))?.total).toBe(record.total);
    expect(await tables.upsertDay(changed, { expectedVersion: 1 })).toMatchObject({
      outcome: "updated",
      version: 2,
    });
  });

  it("rejects invalid records before any request, naming the field", async () => {
    const good = costRecord({ clientId: "invalid", provider: "AWS", date: "2026-03-07" });
    const cases: [UnifiedCostRecord, string][] = [
      [{ ...good, clientId: "other#client" }, "clientId"],
      [{ ...good, date: "2026-02-30" }, "date"],
      [{ ...good, total: good.total + 5 }, "lines[].cost"],
      [
        { ...good, lines: [{ ...good.lines[0]!, billedCost: Number.NaN }, ...good.lines.slice(1)] },
        "lines[0].billedCost",
      ],
    ];
    const dataItemsBefore = await itemCount(ctx.names.data);
    ctx.counter.reset();
    for (const [record, field] of cases) {
      const error = await store.upsertDays([record]).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(field);
      expect((error as ValidationError).message).toContain(field);
    }
    expect(ctx.counter.requests()).toBe(0);
    expect(await itemCount(ctx.names.data)).toBe(dataItemsBefore);
    expect(await tables.dailyRollups("invalid", ["2026-03-07"])).toEqual([null]);
  });

  it("rejects malformed read arguments with the field named", async () => {
    await expect(store.getHeaders([{ clientId: "a", provider: "AWS", date: "2026-13-01" }])).rejects.toThrow(
      /^keys\[0\]\.date: /,
    );
    await expect(store.getLines("a/b", "AWS", "2026-01-01", "2026-01-02")).rejects.toThrow(/^clientId: /);
    await expect(store.getLines("a", "AWS", "2026-01-02", "2026-01-01")).rejects.toThrow(/^end: /);
    await expect(store.getRecord("a", "ORACLE" as never, "2026-01-01")).rejects.toThrow(/^provider: /);
  });
});

describe("CostRecordStore reads", () => {
  const clientId = "reads";
  const start = "2025-11-15";
  const days = 90;
  const byProvider = new Map<string, UnifiedCostRecord[]>();

  beforeAll(async () => {
    for (const provider of CLOUD_PROVIDERS)
      byProvider.set(provider, costRecords({ clientId, provider }, start, days));
    const all = [...byProvider.values()].flat();
    const results = await store.upsertDays(all, { concurrency: 8 });
    expect(results.map((r) => r.outcome)).toEqual(all.map(() => "created"));
    // A second client on the same days, for the cross-client index.
    await store.upsertDays(costRecords({ clientId: "reads-b", provider: "AWS" }, "2025-11-28", 5));
  });

  it("reads 270 headers with exactly 3 BatchGetItem requests, in request order", async () => {
    const keys = CLOUD_PROVIDERS.flatMap((provider) =>
      Array.from({ length: days }, (_, i) => ({ clientId, provider, date: addDays(start, i) })),
    );
    ctx.counter.reset();
    const headers = await store.getHeaders(keys);
    expect(ctx.counter.requests({ operation: "BatchGetItem" })).toBe(3);
    expect(ctx.counter.requests()).toBe(3);
    expect(headers).toHaveLength(270);
    expect(headers.map((h) => `${h?.provider}/${h?.date}`)).toEqual(
      keys.map((k) => `${k.provider}/${k.date}`),
    );
    const expected = [...byProvider.values()].flat().map((r) => ({ ...withoutLines(r), version: 1 }));
    expect(headers).toStrictEqual(expected);
  });

  it("returns null for missing days in getHeaders and [] for no keys", async () => {
    const headers = await store.getHeaders([
      { clientId, provider: "AWS", date: "2020-01-01" },
      { clientId, provider: "GCP", date: start },
    ]);
    expect(headers[0]).toBeNull();
    expect(headers[1]?.date).toBe(start);
    expect(await store.getHeaders([])).toEqual([]);
  });

  it("queries all providers of a client with exactly 3 Query requests", async () => {
    ctx.counter.reset();
    const headers = await tables.headersOfClient(clientId, start, addDays(start, days - 1));
    expect(ctx.counter.requests({ operation: "Query" })).toBe(3);
    expect(ctx.counter.requests()).toBe(3);
    expect(headers).toHaveLength(270);
    expect(headers.map((h) => h.provider)).toEqual(CLOUD_PROVIDERS.flatMap((p) => Array(days).fill(p)));
  });

  it("queries one provider's range on the table", async () => {
    const range = await tables.headers(clientId, "GCP", "2025-12-30", "2026-01-02");
    expect(range.map((h) => h.date)).toEqual(["2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"]);
    expect(range.every((h) => h.provider === "GCP" && h.clientId === clientId)).toBe(true);
  });

  it("writes no GSI2 entry for a cost record: the base table's sort key answers that", async () => {
    const { Item } = await ctx.doc.send(
      new GetCommand({ TableName: ctx.names.data, Key: keys.costRecord(clientId, "GCP", "2026-01-01") }),
    );
    expect(Item).toMatchObject({ GSI1PK: "PROVIDER#GCP#2026-01" });
    expect(Item).not.toHaveProperty("GSI2PK");
    expect(Item).not.toHaveProperty("GSI2SK");
  });

  it("reads a header stored with the old GSI2 keys as before, and drops them when the day is rewritten", async () => {
    const key = keys.costRecord("legacy", "GCP", "2026-01-05");
    await store.upsertDays([costRecord({ clientId: "legacy", provider: "GCP", date: "2026-01-05" })]);
    const [fresh] = await store.getHeaders([{ clientId: "legacy", provider: "GCP", date: "2026-01-05" }]);
    // What every header carried before GSI2's cost-record keys were dropped.
    await ctx.doc.send(
      new UpdateCommand({
        TableName: ctx.names.data,
        Key: key,
        UpdateExpression: "SET GSI2PK = :pk, GSI2SK = :sk",
        ExpressionAttributeValues: { ":pk": "CLIENT#legacy#PROVIDER#GCP", ":sk": "2026-01-05" },
      }),
    );
    expect(await store.getHeaders([{ clientId: "legacy", provider: "GCP", date: "2026-01-05" }])).toEqual([
      fresh,
    ]);
    await store.upsertDays([
      costRecord({ clientId: "legacy", provider: "GCP", date: "2026-01-05", scale: 2 }),
    ]);
    const { Item } = await ctx.doc.send(new GetCommand({ TableName: ctx.names.data, Key: key }));
    expect(Item).toMatchObject({ version: 2 });
    expect(Item).not.toHaveProperty("GSI2PK");
  });

  it("queries a provider across clients with one GSI1 Query per month, totals only", async () => {
    ctx.counter.reset();
    const costs = [
      ...(await store.queryProviderAcrossClients("AWS", "2025-11-29", "2025-11-30")),
      ...(await store.queryProviderAcrossClients("AWS", "2025-12-01", "2025-12-01")),
    ];
    expect(ctx.counter.requests({ operation: "Query" })).toBe(2);
    expect(costs.map((c) => `${c.date}/${c.clientId}`)).toEqual([
      "2025-11-29/reads",
      "2025-11-29/reads-b",
      "2025-11-30/reads",
      "2025-11-30/reads-b",
      "2025-12-01/reads",
      "2025-12-01/reads-b",
    ]);
    const stored = byProvider.get("AWS")!.find((r) => r.date === "2025-11-29")!;
    expect(costs[0]).toEqual({
      clientId,
      provider: "AWS",
      date: "2025-11-29",
      total: stored.total,
      currency: stored.reportingCurrency,
    });
    await expect(store.queryProviderAcrossClients("AWS", "2025-11-29", "2025-12-01")).rejects.toThrow(
      /^end: /,
    );
  });

  it("follows every page of an index Query (a 1-item page Limit stands in for 1 MB)", async () => {
    const paged = new CostRecordStore({ doc: ctx.doc, names: ctx.names, indexPageLimit: 1 });
    ctx.counter.reset();
    const costs = await paged.queryProviderAcrossClients("AWS", "2025-11-29", "2025-11-30");
    expect(costs.map((c) => `${c.date}/${c.clientId}`)).toEqual([
      "2025-11-29/reads",
      "2025-11-29/reads-b",
      "2025-11-30/reads",
      "2025-11-30/reads-b",
    ]);
    // One page per item, and one more that finds the end.
    expect(ctx.counter.requests({ operation: "Query" })).toBe(5);
  });

  it("reads the lines of many days with one paginated Query", async () => {
    ctx.counter.reset();
    const lines = await store.getLines(clientId, "AZURE", "2025-12-31", "2026-01-02");
    expect(ctx.counter.requests({ operation: "Query" })).toBe(1);
    expect([...lines.keys()]).toEqual(["2025-12-31", "2026-01-01", "2026-01-02"]);
    const azure = byProvider.get("AZURE") ?? [];
    for (const [day, dayLines] of lines) {
      expect(dayLines).toStrictEqual(azure.find((r) => r.date === day)?.lines);
    }
    // The 1st of the month carries the tax line.
    expect(lines.get("2026-01-01")?.some((line) => line.chargeCategory === "Tax")).toBe(true);
  });
});
