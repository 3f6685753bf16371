/**
 * The read cache invalidated by the stream, over HTTP and real tables: a warm read costs no DynamoDB
 * request, a cold one costs what it costs without the cache, and no instance serves a stale answer
 * once a change's event is out, also on the other instance of a deployment behind Redis.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import {
  bearer,
  connectLive,
  waitForOpenSubscriptions,
  type LiveConnection,
  type LiveSubscription,
} from "../support/live-client.js";
import { costRecord } from "../support/records.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { daysInRange } from "../../src/domain/dates.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import {
  CostRecordChangedDocument,
  DashboardDocument,
  type CostRecordChangedSubscription,
} from "./generated/graphql.js";

const CLIENT = "cached";
const PERIOD = { start: "2026-01-01", end: "2026-01-31" };
const RESTATED = "2026-01-10";
const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

let redis: RedisServer;
let reader: TestServer;
let standby: TestServer;
let viewer: string;
const sockets: LiveConnection[] = [];
const subscribers = new Map<TestServer, LiveSubscription<CostRecordChangedSubscription>>();
let coldRequests = 0;
const stored = new Map<string, UnifiedCostRecord>();

const storedTotal = () => sum([...stored.values()].map((record) => record.total));

async function store(records: UnifiedCostRecord[]) {
  await reader.stores.costs.upsertDays(records);
  for (const record of records) stored.set(`${record.provider}|${record.date}`, record);
}

/**
 * The dashboard's operation on `server`, with the BatchGetItem requests it cost (both instances share
 * the counter; the stream consumer's own requests are other operations).
 */
async function dashboard(server: TestServer, token = viewer) {
  reader.store.counter.reset();
  const { body } = await server.graphql(DashboardDocument, { clientId: CLIENT, period: PERIOD }, token);
  return { body, requests: reader.store.counter.requests({ operation: "BatchGetItem" }) };
}

/** A viewer's subscription to the client's changes on `server`, open once the server counts it. */
async function changesOn(server: TestServer) {
  let changes = subscribers.get(server);
  if (!changes) {
    const socket = connectLive(server.wsUrl, bearer(viewer));
    sockets.push(socket);
    await socket.acknowledged;
    changes = socket.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(server.url, 1);
    subscribers.set(server, changes);
  }
  return changes;
}

/** Restates the day on the reader's tables and returns once `server`'s subscriber got the change. */
async function restate(server: TestServer, scale: number) {
  const changes = await changesOn(server);
  const record = costRecord({ clientId: CLIENT, provider: "AWS", date: RESTATED, scale });
  await store([record]);
  await changes.waitFor(
    (events) => events.some((event) => event.costRecordChanged.record.total.amount === record.total),
    `the restated total ${record.total}`,
  );
}

beforeAll(async () => {
  redis = await startRedisServer();
  const env = {
    REDIS_URL: redis.url,
    AUTH_JWT_SECRET: randomBytes(32).toString("base64url"),
    // DynamoDB Local reads are consistent: nothing to wait for after a change.
    READ_CACHE_SETTLE_MS: "0",
    // Its findings are changes of the client too; here only the test changes the data.
    ANOMALY_DETECTION: "off",
  };
  // Started first, so it holds the stream; the standby hears of changes through Redis only.
  reader = await startTestServer({ streamConsumer: true, env });
  standby = await startTestServer({ streamConsumer: true, env, sharedStore: reader.store });
  await reader.stores.clients.create({
    id: CLIENT,
    name: "Cached Ltd",
    reportingCurrency: "USD",
    createdAt: "2025-01-01T00:00:00.000Z",
  });
  viewer = await reader.token({ roles: ["viewer"], clientIds: [CLIENT] });
  const changes = await changesOn(reader);
  await store(
    CLOUD_PROVIDERS.flatMap((provider) =>
      daysInRange(PERIOD.start, PERIOD.end).map((date) => costRecord({ clientId: CLIENT, provider, date })),
    ),
  );
  // Every day's change is through the stream before the tests count requests.
  await changes.waitFor((events) => events.length === stored.size, `${stored.size} stored days`);
}, 120_000);

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await standby?.stop();
  await reader?.stop();
  await redis?.stop();
});

describe("the read cache", () => {
  it("answers a repeated read with no DynamoDB request, and the same answer", async () => {
    const cold = await dashboard(reader);
    expect(cold.body.errors).toBeUndefined();
    expect(cold.body.data!.client!.costSummary.total.amount).toBeCloseTo(storedTotal(), 6);
    expect(cold.requests).toBeGreaterThan(0);
    coldRequests = cold.requests;
    const warm = await dashboard(reader);
    expect(warm.requests).toBe(0);
    expect(warm.body).toEqual(cold.body);
  });

  it("reads again after a restatement's event, at the cold read's cost, and serves the new total", async () => {
    await dashboard(reader);
    await restate(reader, 1.5);
    const after = await dashboard(reader);
    expect(after.body.data!.client!.costSummary.total.amount).toBeCloseTo(storedTotal(), 6);
    expect(after.requests).toBe(coldRequests);
  });

  it("never serves a stale answer on the other instance once the event reached it through Redis", async () => {
    await dashboard(standby);
    expect((await dashboard(standby)).requests).toBe(0);
    for (const scale of [2, 0.5, 3]) {
      await restate(standby, scale);
      const { body } = await dashboard(standby);
      expect(body.data!.client!.costSummary.total.amount).toBeCloseTo(storedTotal(), 6);
    }
  });

  it("reads its own writes at once: a day this instance stored is not served from before it", async () => {
    await dashboard(reader);
    expect((await dashboard(reader)).requests).toBe(0);
    const record = costRecord({ clientId: CLIENT, provider: "GCP", date: RESTATED, scale: 4 });
    // The service's own stores (a collection job writes through them), not the test's.
    await reader.runtime.services.stores.costs.upsertDays([record]);
    stored.set(`${record.provider}|${record.date}`, record);
    const { body } = await dashboard(reader);
    expect(body.data!.client!.costSummary.total.amount).toBeCloseTo(storedTotal(), 6);
  });

  it("checks the caller before answering from it: another tenant's viewer is refused", async () => {
    await dashboard(reader);
    const stranger = await reader.token({ roles: ["viewer"], clientIds: ["someone-else"] });
    const { body, requests } = await dashboard(reader, stranger);
    expect(body.data?.client ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(requests).toBe(0);
  });

  it("counts its hits, misses and invalidations", async () => {
    const metrics = await (await fetch(standby.url.replace(/\/graphql$/, "/metrics"))).text();
    const value = (name: string) =>
      sum(
        [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)`, "gm"))].map((m) => Number(m[1])),
      );
    expect(value("read_cache_hits_total")).toBeGreaterThan(0);
    expect(value("read_cache_misses_total")).toBeGreaterThan(0);
    expect(value("read_cache_invalidations_total")).toBeGreaterThanOrEqual(3);
  });
});
