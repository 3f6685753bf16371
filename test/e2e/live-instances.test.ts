/**
 * Two instances of one deployment (same tables, same Redis): one holds the stream-consumer lease and
 * publishes, and subscribers of both receive every change exactly once, over real graphql-ws. When
 * an instance loses its Redis subscription, its subscribers are told so instead of going deaf.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { startTestServer, type TestServer } from "../support/server.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import {
  bearer,
  changesOfJob,
  connectLive,
  countBy,
  dayKey,
  waitForOpenSubscriptions,
  type LiveConnection,
  type LiveSubscription,
} from "../support/live-client.js";
import { costRecords } from "../support/records.js";
import { startDemoClouds, type DemoClouds } from "../../src/sandbox/demo-tenant.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import type { ReadinessReport } from "../../src/observability/readiness.js";
import {
  CollectionJobUpdatedDocument,
  CostRecordChangedDocument,
  type CostRecordChangedSubscription,
} from "./generated/graphql.js";
import { connectedClient, distinctiveProviderInputs, trigger } from "./collections-fixture.js";

const CLIENT = "fanout";
let redis: RedisServer;
let clouds: DemoClouds;
let reader: TestServer;
let standby: TestServer;
const sockets: LiveConnection[] = [];
let viewer: string;
let editor: string;

type CostEvents = LiveSubscription<CostRecordChangedSubscription>;

async function readiness(server: TestServer): Promise<ReadinessReport> {
  return (await fetch(server.url.replace(/\/graphql$/, "/readyz"))).json() as Promise<ReadinessReport>;
}

async function live(server: TestServer): Promise<LiveConnection> {
  const connection = connectLive(server.wsUrl, bearer(viewer));
  sockets.push(connection);
  await connection.acknowledged;
  return connection;
}

let sentinelDays = 0;

/** Stores a day far before the collected ones and waits until every subscription has it: counts are final. */
async function drain(subscriptions: CostEvents[]): Promise<void> {
  const [record] = costRecords(
    { clientId: CLIENT, provider: "AWS" },
    addDays("2001-01-01", sentinelDays++),
    1,
  );
  await reader.runtime.services.stores.costs.upsertDays([record!]);
  for (const subscription of subscriptions) {
    await subscription.waitFor(
      (events) => events.some((event) => event.costRecordChanged.record.date === record!.date),
      `the sentinel day ${record!.date}`,
    );
  }
}

beforeAll(async () => {
  redis = await startRedisServer();
  clouds = await startDemoClouds({ size: { services: 3, accounts: 1, regions: 1 } });
  const env = {
    REDIS_URL: redis.url,
    AUTH_JWT_SECRET: randomBytes(32).toString("base64url"),
    CREDENTIALS_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    ALLOW_CUSTOM_PROVIDER_ENDPOINTS: "1",
  };
  // Started first, so it takes the lease; the second instance stands by.
  reader = await startTestServer({ streamConsumer: true, env });
  standby = await startTestServer({ streamConsumer: true, env, sharedStore: reader.store });
  const admin = await reader.token({ roles: ["admin"] });
  editor = await reader.token({ roles: ["editor"], clientIds: [CLIENT] });
  viewer = await reader.token({ roles: ["viewer"], clientIds: [CLIENT] });
  await connectedClient(reader.graphql, admin, CLIENT, distinctiveProviderInputs(clouds).inputs, ["AWS"]);
}, 120_000);

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await standby?.stop();
  await reader?.stop();
  await Promise.all([clouds?.stop(), redis?.stop()]);
});

describe("two instances behind one Redis", () => {
  it("has one reader of the stream and one instance standing by, both ready with Redis", async () => {
    const [readerReport, standbyReport] = [await readiness(reader), await readiness(standby)];
    expect(readerReport.checks).toMatchObject({ redis: { ok: true }, streamConsumer: { ok: true } });
    expect(readerReport.checks.streamConsumer!.detail).toMatch(/^reader/);
    expect(standbyReport.checks).toMatchObject({ redis: { ok: true }, streamConsumer: { ok: true } });
    expect(standbyReport.checks.streamConsumer!.detail).toMatch(/^standby/);
  });

  it("delivers each collected day exactly once to subscribers of both instances, job progress included", async () => {
    const [onReader, onStandby] = [await live(reader), await live(standby)];
    const readerCosts = onReader.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    const standbyCosts = onStandby.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    const standbyJobs = onStandby.subscribe(CollectionJobUpdatedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(reader.url, 1);
    await waitForOpenSubscriptions(standby.url, 2);

    const today = clouds.datasets.AWS.today;
    const period = { start: addDays(today, -3), end: today };
    const job = await trigger(reader.graphql, editor, { clientId: CLIENT, period });
    await standbyJobs.waitFor(
      (events) =>
        events.some(
          (e) => e.collectionJobUpdated.id === job.id && e.collectionJobUpdated.status === "SUCCEEDED",
        ),
      "the job to succeed, seen from the standby instance",
    );
    await drain([readerCosts, standbyCosts]);

    const expected = daysInRange(period.start, period.end)
      .map((day) => `AWS ${day}`)
      .sort();
    for (const subscription of [readerCosts, standbyCosts]) {
      const changes = changesOfJob(subscription.events, job.id);
      expect([...countBy(changes, dayKey).keys()].sort()).toEqual(expected);
      expect(Math.max(...countBy(changes, dayKey).values())).toBe(1);
    }
    const eventIds = (subscription: CostEvents) =>
      changesOfJob(subscription.events, job.id)
        .map((change) => change.eventId)
        .sort();
    expect(eventIds(standbyCosts)).toEqual(eventIds(readerCosts));
  });

  it("tells the standby's subscribers when its Redis subscription drops, keeps the socket, and serves a new subscription", async () => {
    const onStandby = await live(standby);
    const interrupted = onStandby.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(standby.url, 3);

    const admin = new Redis(redis.url);
    try {
      // Every pub/sub connection: both instances' subscribers lose their channels.
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
    } finally {
      admin.disconnect();
    }
    const end = await interrupted.ended();
    expect(end).toMatchObject({
      error: [
        expect.objectContaining({
          extensions: expect.objectContaining({ code: "LIVE_UPDATES_INTERRUPTED" }),
        }),
      ],
    });

    const resumed = onStandby.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(standby.url, 1);
    await drain([resumed]);
    expect(resumed.events.length).toBeGreaterThanOrEqual(1);
  });
});
