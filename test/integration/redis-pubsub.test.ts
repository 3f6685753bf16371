/**
 * The Redis fan-out between instances, against a real redis-server: two RedisPubSub instances on
 * one Redis stand for two BFF instances.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { EventBrokerError, RedisPubSub } from "../../src/live/redis-pubsub.js";
import { LiveUpdatesInterruptedError, SubscriberTooSlowError, type Topic } from "../../src/live/pubsub.js";
import { startRedisServer, type RedisServer } from "../support/redis-server.js";
import { capturedLogger } from "../support/logs.js";

interface Ping {
  n: number;
}

let redis: RedisServer;
let admin: Redis;
const open: RedisPubSub[] = [];

async function instance(channelPrefix = "test-cost-analytics:", bufferSize?: number): Promise<RedisPubSub> {
  const pubsub = await RedisPubSub.connect({
    url: redis.url,
    channelPrefix,
    logger: capturedLogger().logger,
    ...(bufferSize ? { defaultBufferSize: bufferSize } : {}),
  });
  open.push(pubsub);
  return pubsub;
}

const topic = (): Topic<Ping> => `costs:${randomUUID()}`;

async function numsub(channel: string): Promise<number> {
  const reply = (await admin.call("PUBSUB", "NUMSUB", channel)) as [string, number];
  return Number(reply[1]);
}

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (await condition()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  redis = await startRedisServer();
  admin = new Redis(redis.url);
  // The last test stops Redis: the admin connection's reconnect attempts then fail, expectedly.
  admin.on("error", () => undefined);
});

afterAll(async () => {
  await Promise.all(open.map((pubsub) => pubsub.close()));
  admin?.disconnect();
  await redis?.stop();
});

describe("RedisPubSub", () => {
  it("delivers an event published on one instance to the subscribers of every instance, each once", async () => {
    const [a, b] = [await instance(), await instance()];
    const costs = topic();
    const onA = a.subscribe(costs);
    const onB = b.subscribe(costs);
    await Promise.all([onA.ready, onB.ready]);
    await a.publish(costs, { n: 1 });
    await a.publish(costs, { n: 2 });
    expect([(await onB.next()).value, (await onB.next()).value]).toEqual([{ n: 1 }, { n: 2 }]);
    expect([(await onA.next()).value, (await onA.next()).value]).toEqual([{ n: 1 }, { n: 2 }]);
    await a.publish(costs, { n: 3 });
    expect((await onB.next()).value).toEqual({ n: 3 });
    await onB.return();
    expect(await onB.next()).toEqual({ value: undefined, done: true });
  });

  it("keeps topics and deployments apart", async () => {
    const [a, b, otherDeployment] = [
      await instance(),
      await instance(),
      await instance("other-cost-analytics:"),
    ];
    const [mine, theirs] = [topic(), topic()];
    const onMine = b.subscribe(mine);
    const foreign = otherDeployment.subscribe(mine);
    await Promise.all([onMine.ready, foreign.ready]);
    await a.publish(theirs, { n: 1 });
    await a.publish(mine, { n: 2 });
    expect((await onMine.next()).value).toEqual({ n: 2 });
    await otherDeployment.publish(mine, { n: 3 });
    expect((await foreign.next()).value).toEqual({ n: 3 });
    await a.publish(mine, { n: 4 });
    expect((await onMine.next()).value).toEqual({ n: 4 });
  });

  it("subscribes a channel once per instance while it has subscribers, and unsubscribes after the last", async () => {
    const a = await instance();
    const costs = topic();
    const channel = `test-cost-analytics:${costs}`;
    const first = a.subscribe(costs);
    const second = a.subscribe(costs);
    await Promise.all([first.ready, second.ready]);
    expect(await numsub(channel)).toBe(1);
    await first.return();
    expect(await numsub(channel)).toBe(1);
    await second.return();
    await until(async () => (await numsub(channel)) === 0, "the unsubscribe");
  });

  it("cuts off a subscriber that falls too far behind, as in-process", async () => {
    const [a, b] = [await instance(), await instance(undefined, 2)];
    const costs = topic();
    const slow = b.subscribe(costs);
    // Same instance, same channel: once it has an event, the slow subscriber has been handed it too.
    const sentinel = b.subscribe(costs, { bufferSize: 10 });
    await Promise.all([slow.ready, sentinel.ready]);
    for (const n of [1, 2, 3]) await a.publish(costs, { n });
    for (const n of [1, 2, 3]) expect((await sentinel.next()).value).toEqual({ n });
    await expect(slow.next()).rejects.toThrow(SubscriberTooSlowError);
  });

  it("ends live subscriptions with an interruption when the subscriber connection drops, then serves new ones", async () => {
    const [a, b] = [await instance(), await instance()];
    const costs = topic();
    const interrupted = b.subscribe(costs);
    await interrupted.ready;
    await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
    await expect(interrupted.next()).rejects.toThrow(LiveUpdatesInterruptedError);
    expect(await interrupted.next()).toEqual({ value: undefined, done: true });

    const again = b.subscribe(costs);
    await again.ready;
    await a.publish(costs, { n: 7 });
    expect((await again.next()).value).toEqual({ n: 7 });
    await until(async () => b.isConnected(), "the reconnection");
  });

  it("refuses to start without Redis, naming neither host nor password", async () => {
    const url = `redis://:hunter2-secret@127.0.0.1:${redis.port + 1}`;
    const error = await RedisPubSub.connect({
      url,
      channelPrefix: "x:",
      logger: capturedLogger().logger,
    }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(EventBrokerError);
    expect(error!.message).toBe("cannot connect to Redis (REDIS_URL): ECONNREFUSED");
  });

  it("rejects a publish while Redis is gone, so the stream consumer keeps the record to publish again", async () => {
    const a = await instance();
    await redis.stop();
    await until(async () => !a.isConnected(), "the disconnection");
    await expect(a.publish(topic(), { n: 1 })).rejects.toThrow(EventBrokerError);
  });
});
