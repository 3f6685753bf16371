/**
 * Delivery guarantees of live updates over real WebSockets: at-least-once across a stream consumer
 * restart in the middle of a collection (repeats keep their eventId), and fan-out of one change to
 * 200 concurrent subscriptions.
 */
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { startBackfilledSandbox, type SandboxServer } from "../support/sandbox-server.js";
import {
  bearer,
  changesOfJob,
  connectLive,
  countBy,
  dayKey,
  drain,
  triggerCollection,
  waitForOpenSubscriptions,
  type LiveConnection,
} from "../support/live-client.js";
import {
  CollectionJobStatusDocument,
  CollectionJobUpdatedDocument,
  CostRecordChangedDocument,
} from "./generated/graphql.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";

const CLIENT = "demo";
let server: SandboxServer;
let today: string;
let viewer: string;
let editor: string;
const connections: LiveConnection[] = [];

async function connect(): Promise<LiveConnection> {
  const connection = connectLive(server.wsUrl, bearer(viewer));
  connections.push(connection);
  await connection.acknowledged;
  return connection;
}

beforeAll(async () => {
  ({ server, today, viewer, editor } = await startBackfilledSandbox(CLIENT));
}, 180_000);

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await server?.stop();
});

/** Days the job has stored so far, over all providers (read over HTTP, as a dashboard would). */
async function recordsWritten(jobId: string): Promise<number> {
  const { body } = await server.graphql(CollectionJobStatusDocument, { id: jobId }, viewer);
  return body.data!.collectionJob!.providers.reduce((sum, p) => sum + p.recordsWritten, 0);
}

describe("stream consumer restart", () => {
  it("loses no event when the consumer stops and restarts in the middle of a collection", async () => {
    const live = await connect();
    // Also when it fails: its subscriptions must not count in the next test.
    onTestFinished(() => live.close());
    const costs = live.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    const jobs = live.subscribe(CollectionJobUpdatedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(server.url, 2);
    // Slow answers stretch the collection (three monthly windows per provider) over the restart.
    const { simulators } = server.sandbox.clouds;
    for (const simulator of Object.values(simulators)) {
      simulator.faults.inject({ kind: "slow", delayMs: 300, times: 1_000 });
    }
    const days = daysInRange(addDays(today, -70), addDays(today, -11));
    const expected = CLOUD_PROVIDERS.flatMap((provider) => days.map((day) => `${provider} ${day}`)).sort();
    let writtenWhileStopped = 0;
    let writtenAtRestart = 0;
    let jobId = "";
    try {
      const job = await triggerCollection(server, editor, {
        clientId: CLIENT,
        period: { start: days[0]!, end: days.at(-1)! },
      });
      jobId = job.id;
      await costs.waitFor((events) => changesOfJob(events, jobId).length > 0, "the job's first day");
      await server.sandbox.runtime.restartStreamConsumer(async () => {
        const writtenAtStop = await recordsWritten(jobId);
        // Nobody reads the stream now: wait until more days are stored meanwhile.
        const deadline = Date.now() + 45_000;
        while ((writtenAtRestart = await recordsWritten(jobId)) === writtenAtStop) {
          if (Date.now() > deadline) {
            throw new Error(
              `no day was stored while the consumer was stopped (${writtenAtStop} before the stop)`,
            );
          }
          await sleep(50);
        }
        writtenWhileStopped = writtenAtRestart - writtenAtStop;
      });
      expect((await server.waitForJob(jobId)).status).toBe("SUCCEEDED");
    } finally {
      for (const simulator of Object.values(simulators)) simulator.faults.clear();
    }
    expect(writtenWhileStopped).toBeGreaterThan(0);
    expect(writtenAtRestart).toBeLessThan(expected.length);

    await costs.waitFor(
      (events) => new Set(changesOfJob(events, jobId).map(dayKey)).size === expected.length,
      `all ${expected.length} days of the job`,
    );
    await jobs.waitFor(
      (events) =>
        events.some(
          (e) => e.collectionJobUpdated.id === jobId && e.collectionJobUpdated.status === "SUCCEEDED",
        ),
      "the job's SUCCEEDED update",
    );
    await drain(server, CLIENT, [costs]);
    costs.unsubscribe();
    jobs.unsubscribe();

    const changes = changesOfJob(costs.events, jobId);
    expect([...countBy(changes, dayKey).keys()].sort()).toEqual(expected);
    expect(changes.every((c) => c.changeType === "ADDED" && c.record.version === 1)).toBe(true);
    // A repeat is the same stream record again: one eventId per (day, version), one (day, version) per eventId.
    const eventIdsPerVersion = new Map<string, Set<string>>();
    for (const change of changes) {
      const key = `${dayKey(change)} v${change.record.version}`;
      eventIdsPerVersion.set(key, (eventIdsPerVersion.get(key) ?? new Set()).add(change.eventId));
    }
    expect([...eventIdsPerVersion.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(countBy(changes, (c) => c.eventId).size).toBe(expected.length);
  }, 150_000);
});

describe("fan-out", () => {
  it("delivers one restated day to each of 200 concurrent subscriptions exactly once", async () => {
    const CONNECTIONS = 8;
    const PER_CONNECTION = 25;
    const lives = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect()));
    const subscriptions = lives.flatMap((live) =>
      Array.from({ length: PER_CONNECTION }, () =>
        live.subscribe(CostRecordChangedDocument, { clientId: CLIENT, providers: ["AWS"] }),
      ),
    );
    await waitForOpenSubscriptions(server.url, CONNECTIONS * PER_CONNECTION);

    server.sandbox.clouds.datasets.AWS.restate([today]);
    const job = await triggerCollection(server, editor, {
      clientId: CLIENT,
      period: { start: today, end: today },
      providers: ["AWS"],
    });
    expect((await server.waitForJob(job.id)).status).toBe("SUCCEEDED");
    await drain(server, CLIENT, subscriptions);

    const received = subscriptions.map((subscription) => changesOfJob(subscription.events, job.id));
    expect(received.map((changes) => changes.length)).toEqual(subscriptions.map(() => 1));
    const [first] = received[0]!;
    expect(first).toMatchObject({ changeType: "UPDATED", record: { provider: "AWS", date: today } });
    expect(new Set(received.map(([change]) => change!.eventId))).toEqual(new Set([first!.eventId]));
    expect(new Set(received.map(([change]) => change!.record.total.amount)).size).toBe(1);
  });
});
