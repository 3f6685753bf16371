import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { addDays } from "../../src/domain/dates.js";
import { CheckpointStore } from "../../src/live/checkpoints.js";
import {
  collectionJobTopic,
  costRecordTopic,
  type CollectionJobEvent,
  type CostRecordChangeEvent,
} from "../../src/live/events.js";
import { InProcessPubSub, SubscriberTooSlowError } from "../../src/live/pubsub.js";
import { StreamConsumer, type StreamConsumerOptions } from "../../src/live/stream-consumer.js";
import { createLogger } from "../../src/observability/logger.js";
import { CollectionJobStore } from "../../src/store/collection-job-store.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import { costRecord } from "../support/records.js";
import { storedCosts, type StoredCosts } from "../support/stored-costs.js";
import { collectionJob } from "../support/collection-jobs.js";

let ctx: TestStoreContext;
let records: StoredCosts;
let jobs: CollectionJobStore;
const running: StreamConsumer[] = [];

beforeAll(async () => {
  ctx = await createTestStoreContext();
  records = storedCosts(ctx);
  jobs = new CollectionJobStore({ doc: ctx.doc, names: ctx.names });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
});

async function startConsumer(pubsub: InProcessPubSub, options: Partial<StreamConsumerOptions> = {}) {
  const consumer = new StreamConsumer({
    dynamo: ctx,
    table: ctx.names.data,
    pubsub,
    logger: createLogger({ level: "silent" }),
    leaseMs: 2_000,
    idlePollMs: 50,
    ...options,
  });
  running.push(consumer);
  consumer.start();
  await vi.waitFor(() => expect(consumer.isReady()).toBe(true), { timeout: 15_000, interval: 50 });
  return consumer;
}

/** Everything the subscription yields, collected in the background. */
function collect<E>(subscription: AsyncIterable<E>): E[] {
  const received: E[] = [];
  void (async () => {
    for await (const event of subscription) received.push(event);
  })();
  return received;
}

const waitUntil = (check: () => void) => vi.waitFor(check, { timeout: 20_000, interval: 50 });
const dayKey = (event: CostRecordChangeEvent) => `${event.date}@${event.version}`;

describe("StreamConsumer", () => {
  it("publishes ADDED then UPDATED, each once, to the client's topics only", async () => {
    const pubsub = new InProcessPubSub();
    const consumer = await startConsumer(pubsub);
    const acme = collect(pubsub.subscribe(costRecordTopic("acme")));
    const acmeJobs = collect<CollectionJobEvent>(pubsub.subscribe(collectionJobTopic("acme")));
    const globex = collect(pubsub.subscribe(costRecordTopic("globex")));

    const first = costRecord({ clientId: "acme", provider: "AWS", date: "2026-01-05" });
    const restated = costRecord({ clientId: "acme", provider: "AWS", date: "2026-01-05", scale: 1.5 });
    expect((await records.upsertDay(first)).outcome).toBe("created");
    expect((await records.upsertDay(restated)).outcome).toBe("updated");
    const job = collectionJob({
      id: "job-live-1",
      clientId: "acme",
      status: "QUEUED",
      period: { start: "2026-01-01", end: "2026-01-31" },
      createdAt: "2026-02-01T08:00:00.000Z",
    });
    await jobs.create(job);
    await jobs.update(job.id, { status: "RUNNING", updatedAt: "2026-02-01T08:00:01.000Z" });
    // Written last: the table's stream is one ordered shard here, so once this arrives any
    // duplicate of the earlier changes would have arrived too.
    await records.upsertDay(costRecord({ clientId: "globex", provider: "GCP", date: "2026-01-05" }));
    await waitUntil(() => expect(globex).toHaveLength(1));

    expect(acme.map((e) => [e.changeType, e.version, e.previousTotal])).toEqual([
      ["ADDED", 1, null],
      ["UPDATED", 2, first.total],
    ]);
    expect(acme[0]?.record.total).toBe(first.total);
    expect(acme[1]?.record.total).toBe(restated.total);
    expect(acme[1]?.record.services).toEqual(restated.services);
    expect(new Set(acme.map((e) => e.eventId)).size).toBe(2);
    expect(acmeJobs.map((e) => e.job.status)).toEqual(["QUEUED", "RUNNING"]);
    expect(globex.map((e) => [e.clientId, e.changeType])).toEqual([["globex", "ADDED"]]);
    expect(consumer.lagMs()).toBeGreaterThanOrEqual(0);
  });

  it("tells which clients changed before publishing their events, and leaves out its own lease and checkpoints", async () => {
    const pubsub = new InProcessPubSub();
    const order: string[] = [];
    const announced: string[][] = [];
    await startConsumer(pubsub, {
      onDataChanged: async (clientIds) => {
        announced.push([...clientIds]);
        order.push(`changed ${[...clientIds].sort().join(",")}`);
      },
    });
    const initech = pubsub.subscribe(costRecordTopic("initech"));
    const events = (async () => {
      for await (const event of initech) {
        order.push(`event ${event.clientId}`);
        break;
      }
    })();
    await records.upsertDay(costRecord({ clientId: "initech", provider: "AWS", date: "2026-02-01" }));
    await events;
    expect(order.indexOf("event initech")).toBeGreaterThan(order.findIndex((o) => o.includes("initech")));
    expect(announced.flat()).not.toContain(undefined);
    expect(announced.flat().every((id) => !id.startsWith("STREAM"))).toBe(true);
  });

  it("stops writing once idle: its own checkpoint write is no reason for another", async () => {
    const pubsub = new InProcessPubSub();
    const received = collect(pubsub.subscribe(costRecordTopic("quiet")));
    await startConsumer(pubsub);
    await records.upsertDay(costRecord({ clientId: "quiet", provider: "GCP", date: "2026-02-02" }));
    await waitUntil(() => expect(received).toHaveLength(1));
    // Past the checkpoint of that batch and its own echo in the stream.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    ctx.counter.reset();
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // 30 idle polls
    expect(ctx.counter.requests({ operation: "TransactWriteItems" })).toBe(0);
  });

  it("resumes after a restart from the checkpoints without losing an event", async () => {
    const pubsub = new InProcessPubSub({ defaultBufferSize: 1_000 });
    const batchSize = 5;
    const received = collect(pubsub.subscribe(costRecordTopic("restart")));
    const dates = Array.from({ length: 30 }, (_, i) => addDays("2025-06-01", i));
    const write = (date: string) =>
      records.upsertDay(costRecord({ clientId: "restart", provider: "AZURE", date }));

    const first = await startConsumer(pubsub, { holderId: "first", batchSize });
    const writing = (async () => {
      for (const date of dates.slice(0, 15)) await write(date);
    })();
    // Stopped mid-stream: while the writer is still going and only part has been published.
    await waitUntil(() => expect(received.length).toBeGreaterThanOrEqual(3));
    await first.stop();
    const publishedByFirst = received.length;
    await writing;
    for (const date of dates.slice(15)) await write(date);
    expect(publishedByFirst).toBeLessThan(dates.length);

    const saved = await new CheckpointStore({
      doc: ctx.doc,
      table: ctx.names.data,
      streamName: ctx.names.data,
    }).loadAll();
    expect([...saved.values()].some((checkpoint) => checkpoint.sequenceNumber !== undefined)).toBe(true);

    await startConsumer(pubsub, { holderId: "second", batchSize });
    await waitUntil(() => expect(new Set(received.map(dayKey)).size).toBe(dates.length));
    expect([...new Set(received.map((e) => e.date))].sort()).toEqual(dates);
    const repeats = received.length - new Set(received.map(dayKey)).size;
    expect(repeats).toBeLessThanOrEqual(batchSize);
  });

  it("closes a subscriber that falls behind while the others keep receiving", async () => {
    const pubsub = new InProcessPubSub();
    await startConsumer(pubsub);
    const topic = costRecordTopic("slowpoke");
    const slow = pubsub.subscribe(topic, { bufferSize: 2 });
    const fast = collect(pubsub.subscribe(topic, { bufferSize: 50 }));
    const dates = Array.from({ length: 5 }, (_, i) => addDays("2025-09-01", i));
    for (const date of dates) {
      await records.upsertDay(costRecord({ clientId: "slowpoke", provider: "GCP", date }));
    }
    await waitUntil(() => expect(fast).toHaveLength(dates.length));
    await expect(slow.next()).rejects.toThrow(SubscriberTooSlowError);
    await expect(slow.next()).resolves.toEqual({ value: undefined, done: true });
    expect(pubsub.subscriberCount(topic)).toBe(1);
  });

  it("delivers one change to 200 subscribers of a topic, then lets them all go", async () => {
    const pubsub = new InProcessPubSub();
    await startConsumer(pubsub);
    const topic = costRecordTopic("crowd");
    const subscriptions = Array.from({ length: 200 }, () => pubsub.subscribe(topic));
    const inboxes = subscriptions.map((subscription) => collect(subscription));
    await records.upsertDay(costRecord({ clientId: "crowd", provider: "AWS", date: "2025-12-24" }));
    await waitUntil(() => expect(inboxes.filter((inbox) => inbox.length === 1)).toHaveLength(200));
    expect(new Set(inboxes.map((inbox) => inbox[0]?.eventId)).size).toBe(1);
    await Promise.all(subscriptions.map((subscription) => subscription.return()));
    expect(pubsub.subscriberCount(topic)).toBe(0);
  });
});
