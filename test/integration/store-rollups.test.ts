import { beforeAll, describe, expect, it } from "vitest";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { daysInRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { rollupContribution } from "../../src/domain/rollups.js";
import type { UnifiedTimeSeriesRecord } from "../../src/domain/time-series.js";
import { CostRecordStore } from "../../src/store/cost-record-store.js";
import { exactDifference, exactSumDifference } from "../../src/store/decimal.js";
import { TimeSeriesStore } from "../../src/store/time-series-store.js";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { createTestStoreContext, TEST_DYNAMO_TIMEOUT_MS, type TestStoreContext } from "../support/dynamo.js";
import { storedCosts, type StoredCosts } from "../support/stored-costs.js";
import { costRecord, costRecords } from "../support/records.js";

let ctx: TestStoreContext;
let store: CostRecordStore;
let series: TimeSeriesStore;
let stored: StoredCosts;

beforeAll(async () => {
  ctx = await createTestStoreContext();
  store = new CostRecordStore({ doc: ctx.doc, names: ctx.names });
  series = new TimeSeriesStore({ doc: ctx.doc, names: ctx.names });
  stored = storedCosts(ctx);
});

/** Sums named amounts of many rollups or contributions, attribute by attribute. */
function sumAmounts(parts: { total: number; byProvider: object; byProviderCategory: object }[]) {
  const sum = {
    total: 0,
    byProvider: {} as Record<string, number>,
    byProviderCategory: {} as Record<string, number>,
  };
  for (const part of parts) {
    sum.total += part.total;
    for (const [k, v] of Object.entries(part.byProvider)) sum.byProvider[k] = (sum.byProvider[k] ?? 0) + v;
    for (const [k, v] of Object.entries(part.byProviderCategory)) {
      sum.byProviderCategory[k] = (sum.byProviderCategory[k] ?? 0) + v;
    }
  }
  return sum;
}

/** "To the cent": every amount of `actual` within half a cent of `expected`, and no key missing. */
function expectSameToTheCent(actual: ReturnType<typeof sumAmounts>, expected: ReturnType<typeof sumAmounts>) {
  expect(Math.abs(actual.total - expected.total)).toBeLessThan(0.005);
  for (const field of ["byProvider", "byProviderCategory"] as const) {
    const keys = new Set([...Object.keys(actual[field]), ...Object.keys(expected[field])]);
    for (const key of keys) {
      const gap = Math.abs((actual[field][key] ?? 0) - (expected[field][key] ?? 0));
      expect(gap, `${field} ${key}`).toBeLessThan(0.005);
    }
  }
}

describe("exact decimal deltas", () => {
  it("subtracts the numbers' decimal representations exactly", () => {
    expect(5.3 - 2.1).not.toBe(3.2);
    expect(exactDifference(5.3, 2.1)).toBe("3.2");
    expect(exactDifference(0.0000008, 0)).toBe("0.0000008");
    expect(exactDifference(-3.25, 1.0000001)).toBe("-4.2500001");
    expect(exactDifference(1e21, 1)).toBe("999999999999999999999");
    expect(exactDifference(12.5, 12.5)).toBe("0");
  });
});

describe("rollups", () => {
  const clientId = "rollups";
  const month = "2026-01";
  const days = daysInRange("2026-01-01", "2026-01-10");
  let latest: Map<string, UnifiedCostRecord>;

  beforeAll(async () => {
    latest = new Map();
    for (const provider of CLOUD_PROVIDERS) {
      for (const record of costRecords({ clientId, provider }, "2026-01-01", days.length)) {
        latest.set(`${provider}/${record.date}`, record);
      }
    }
    await store.upsertDays([...latest.values()]);
    // Restate three days smaller: fewer services (some categories vanish) and lower amounts.
    for (const provider of ["AWS", "AZURE"] as const) {
      for (const date of ["2026-01-01", "2026-01-04", "2026-01-09"]) {
        const smaller = costRecord({ clientId, provider, date, scale: 0.37, serviceCount: 2 });
        expect((await stored.upsertDay(smaller)).outcome).toBe("updated");
        latest.set(`${provider}/${date}`, smaller);
      }
    }
  });

  it("keeps each day equal to its records' contributions after overwriting with smaller days", async () => {
    const daily = await stored.dailyRollups(clientId, days);
    for (const [index, date] of days.entries()) {
      const rollup = daily[index] as UnifiedTimeSeriesRecord;
      const records = CLOUD_PROVIDERS.map((p) => latest.get(`${p}/${date}`) as UnifiedCostRecord);
      expectSameToTheCent(rollup, sumAmounts(records.map(rollupContribution)));
      expect(rollup).toMatchObject({
        clientId,
        granularity: "DAILY",
        period: date,
        currency: "USD",
        recordCount: 3,
      });
    }
    // A category the restatement dropped is exactly 0 again: DynamoDB added +x then -x as decimals.
    const restated = daily[days.indexOf("2026-01-04")];
    expect(restated?.byProviderCategory["AWS|Databases"]).toBe(0);
    expect(daily[days.indexOf("2026-01-05")]?.byProviderCategory["AWS|Databases"]).toBeGreaterThan(0);
  });

  it("keeps the month equal to the sum of its days, per provider and per category, to the cent", async () => {
    const [monthly] = await stored.monthlyRollups(clientId, [month]);
    const daily = await stored.dailyRollupsBetween(clientId, "2026-01-01", "2026-01-31");
    expect(daily.map((d) => d.period)).toEqual(days);
    expect(monthly?.recordCount).toBe(30);
    expectSameToTheCent(monthly as UnifiedTimeSeriesRecord, sumAmounts(daily));
    expectSameToTheCent(
      monthly as UnifiedTimeSeriesRecord,
      sumAmounts([...latest.values()].map(rollupContribution)),
    );
    expect(Object.keys(monthly?.byProvider ?? {}).sort()).toEqual(["AWS", "AZURE", "GCP"]);
  });

  it("reads rollups by key, by range and across clients", async () => {
    await stored.upsertDay(costRecord({ clientId: "rollups-b", provider: "GCP", date: "2026-01-02" }));
    const got = await stored.dailyRollups(clientId, ["2026-01-02", "2025-12-31"]);
    expect(got[0]?.period).toBe("2026-01-02");
    expect(got[1]).toBeNull();
    expect((await stored.monthlyRollupsBetween(clientId, "2025-11", "2026-03")).map((m) => m.period)).toEqual(
      [month],
    );
    const across = await series.queryAcrossClients("DAILY", "2026-01-02");
    expect(across.map((r) => r.clientId)).toEqual(["rollups", "rollups-b"]);
    expect(across[1]?.byProvider).toEqual({ GCP: across[1]?.total });
    const monthAcross = await series.queryAcrossClients("MONTHLY", month);
    expect(monthAcross.map((r) => `${r.clientId}:${r.recordCount}`)).toEqual(["rollups:30", "rollups-b:1"]);
    await expect(series.getRollups([{ clientId, granularity: "MONTHLY", period: "2026-1" }])).rejects.toThrow(
      /^keys\[0\]\.period: /,
    );
  });
});

describe("concurrent writers of one day", () => {
  it("all land, one after another, and the rollup holds the last one exactly", async () => {
    const writers = [1, 2, 3, 4].map((scale) =>
      costRecord({ clientId: "race", provider: "AWS", date: "2026-02-14", scale, jobId: `job-${scale}` }),
    );
    ctx.counter.reset();
    const results = await Promise.all(writers.map((record) => stored.upsertDay(record)));
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4]);
    expect(results.filter((r) => r.outcome === "created")).toHaveLength(1);
    // Every write after the first saw the version right before its own.
    for (const result of results) expect(result.previous?.version ?? 0).toBe(result.version - 1);
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBeGreaterThanOrEqual(4);

    const winner = writers[results.findIndex((r) => r.version === 4)] as UnifiedCostRecord;
    expect(await store.getRecord("race", "AWS", "2026-02-14")).toStrictEqual({ ...winner, version: 4 });
    const [daily] = await stored.dailyRollups("race", ["2026-02-14"]);
    const [monthly] = await stored.monthlyRollups("race", ["2026-02"]);
    expect(daily?.total).toBe(winner.total);
    expect(monthly?.total).toBe(winner.total);
    expect(daily?.recordCount).toBe(1);
    expectSameToTheCent(daily as UnifiedTimeSeriesRecord, sumAmounts([rollupContribution(winner)]));
  });
});

/*
 * Many days written at once: per client and month, under each provider's write lease, one
 * consistent Query per provider, one read of the days' rollups, one small transaction moving the
 * days' rollups and the month's by the exact sum of their moves, and the large items in batches.
 */
const month = (clientId: string, scale = 1): UnifiedCostRecord[] =>
  daysInRange("2026-01-01", "2026-01-31").map((date) =>
    costRecord({ clientId, provider: "GCP", date, scale }),
  );

/** The month's stored total must be the exact decimal sum of its days' stored totals. */
async function expectMonthIsSumOfDays(clientId: string): Promise<void> {
  const days = await stored.dailyRollups(clientId, daysInRange("2026-01-01", "2026-01-31"));
  const [monthly] = await stored.monthlyRollups(clientId, ["2026-01"]);
  const exact = exactSumDifference(
    days.map((day) => day?.total ?? 0),
    [],
  );
  expect(monthly?.total).toBe(Number(exact));
  expect(monthly?.recordCount).toBe(days.filter(Boolean).length);
}

describe("CostRecordStore.upsertDays within a month", () => {
  it("writes 31 new days under the month's lease: two reads, one small transaction, whole days in batches", async () => {
    ctx.counter.reset();
    const results = await store.upsertDays(month("batch"));
    expect(results.map((r) => r.outcome)).toEqual(Array(31).fill("created"));
    expect(ctx.counter.requests({ operation: "Query" })).toBe(1);
    expect(ctx.counter.requests({ operation: "BatchGetItem" })).toBe(1);
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(1);
    // 31 days of a header and a chunk: 12 whole days (24 items) a call.
    expect(ctx.counter.requests({ operation: "BatchWriteItem" })).toBe(3);
    // The lease: taken and given back.
    expect(ctx.counter.requests({ operation: "PutItem" })).toBe(1);
    expect(ctx.counter.requests({ operation: "DeleteItem" })).toBe(1);
    expect(ctx.counter.requests()).toBe(8);
    await expectMonthIsSumOfDays("batch");
  });

  it("reads and writes nothing but the lease when nothing changed", async () => {
    ctx.counter.reset();
    const results = await store.upsertDays(month("batch"));
    expect(results.map((r) => r.outcome)).toEqual(Array(31).fill("unchanged"));
    expect(results.map((r) => r.version)).toEqual(Array(31).fill(1));
    expect(ctx.counter.requests({ table: ctx.names.data })).toBe(1);
    expect(ctx.counter.requests({ operation: "BatchWriteItem" })).toBe(0);
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(0);
    expect(ctx.counter.requests()).toBe(4);
  });

  it("restates some days in one transaction that moves the month by exactly their difference", async () => {
    const restated = month("batch", 1.37).filter((record) =>
      ["2026-01-03", "2026-01-17", "2026-01-31"].includes(record.date),
    );
    const before = await stored.dailyRollups(
      "batch",
      restated.map((record) => record.date),
    );
    ctx.counter.reset();
    const results = await store.upsertDays([month("batch")[0]!, ...restated]);
    expect(results.map((r) => r.outcome)).toEqual(["unchanged", "updated", "updated", "updated"]);
    expect(results.slice(1).map((r) => [r.version, r.previous?.total])).toEqual(
      before.map((day) => [2, day?.total]),
    );
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(1);
    await expectMonthIsSumOfDays("batch");
  });

  it("splits the days of several months and clients into one read each, results in input order", async () => {
    const records = [
      costRecord({ clientId: "split-a", provider: "AWS", date: "2026-02-01" }),
      costRecord({ clientId: "split-b", provider: "AWS", date: "2026-01-31" }),
      costRecord({ clientId: "split-a", provider: "AWS", date: "2026-01-15" }),
      costRecord({ clientId: "split-a", provider: "AWS", date: "2026-02-02" }),
    ];
    ctx.counter.reset();
    const results = await store.upsertDays(records);
    expect(results.map((r) => r.outcome)).toEqual(["created", "created", "created", "created"]);
    expect(ctx.counter.requests({ operation: "Query" })).toBe(3);
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(3);
    const stored = await store.getHeaders(records);
    expect(stored.map((header) => header?.date)).toEqual(records.map((record) => record.date));
  });

  it("writes a day given twice twice, in input order", async () => {
    const first = costRecord({ clientId: "twice", provider: "AZURE", date: "2026-01-09" });
    const second = costRecord({ clientId: "twice", provider: "AZURE", date: "2026-01-09", scale: 2 });
    const other = costRecord({ clientId: "twice", provider: "AZURE", date: "2026-01-10" });
    const results = await store.upsertDays([first, other, second]);
    expect(results.map((r) => [r.outcome, r.version])).toEqual([
      ["created", 1],
      ["created", 1],
      ["updated", 2],
    ]);
    const [header] = await store.getHeaders([second]);
    expect(header?.total).toBe(second.total);
  });

  it("completes a round cut off after its rollups moved, also when its lease was never given back", async () => {
    const first = month("cut-off");
    await store.upsertDays(first);
    // A writer whose days and lease release never reach DynamoDB (the process died after the rollups).
    const dying = createDynamoClients({ endpoint: ctx.endpoint, requestTimeoutMs: TEST_DYNAMO_TIMEOUT_MS });
    dying.lowLevel.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string>; body: string };
        const operation = request.headers["x-amz-target"]?.split(".")[1];
        const putsHeaders = operation === "BatchWriteItem" && request.body.includes('"SK":{"S":"COST#');
        if (operation === "DeleteItem" || putsHeaders) throw new Error("process died");
        return next(args);
      },
      { step: "finalizeRequest", name: "dieBeforeHeaders" },
    );
    const restated = month("cut-off", 1.25);
    const cut = new CostRecordStore({ doc: dying.doc, names: ctx.names });
    await expect(cut.upsertDays(restated)).rejects.toThrow("process died");
    dying.lowLevel.destroy();
    // The rollups moved, the headers did not.
    expect((await store.getHeaders(restated)).map((header) => header?.version)).toEqual(Array(31).fill(1));

    ctx.counter.reset();
    const results = await store.upsertDays(restated);
    expect(results.map((r) => [r.outcome, r.version])).toEqual(Array(31).fill(["updated", 2]));
    // The abandoned lease was taken over at once (one look at its holder), not waited out.
    expect(ctx.counter.requests({ operation: "GetItem" })).toBe(1);
    // The rollups already held the new records: nothing more to move.
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(0);
    const days = await stored.dailyRollups("cut-off", daysInRange("2026-01-01", "2026-01-31"));
    days.forEach((day, i) => expect(day?.total).toBe(restated[i]!.total));
    await expectMonthIsSumOfDays("cut-off");
    expect(await store.getRecord("cut-off", "GCP", "2026-01-20")).toStrictEqual({
      ...restated[19]!,
      version: 2,
    });
  });

  it("lets two writers of one month race and keeps the month exact", async () => {
    const [a, b] = [month("month-race"), month("month-race", 1.5)];
    const results = await Promise.all([store.upsertDays(a), store.upsertDays(b)]);
    const versions = daysInRange("2026-01-01", "2026-01-31").map((_, i) =>
      [results[0][i]!.version, results[1][i]!.version].sort(),
    );
    // Each day was written by both, one after the other.
    for (const pair of versions) expect(pair).toEqual([1, 2]);
    await expectMonthIsSumOfDays("month-race");
  });
});
