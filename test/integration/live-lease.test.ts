import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CheckpointStore, LeaseLostError } from "../../src/live/checkpoints.js";
import { costRecordTopic, type CostRecordChangeEvent } from "../../src/live/events.js";
import { StreamLease } from "../../src/live/lease.js";
import { InProcessPubSub } from "../../src/live/pubsub.js";
import { StreamConsumer } from "../../src/live/stream-consumer.js";
import { createLogger } from "../../src/observability/logger.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import { costRecord } from "../support/records.js";
import { storedCosts, type StoredCosts } from "../support/stored-costs.js";

const LEASE_MS = 1_500;
const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

let ctx: TestStoreContext;
let records: StoredCosts;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  ctx = await createTestStoreContext();
  records = storedCosts(ctx);
});

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

function consumer(holderId: string, pubsub: InProcessPubSub): StreamConsumer {
  const created = new StreamConsumer({
    dynamo: ctx,
    table: ctx.names.data,
    pubsub,
    logger: createLogger({ level: "silent" }),
    holderId,
    leaseMs: LEASE_MS,
    idlePollMs: 50,
  });
  cleanups.push(() => created.stop());
  created.start();
  return created;
}

function collect<E>(subscription: AsyncIterable<E>): E[] {
  const received: E[] = [];
  void (async () => {
    for await (const event of subscription) received.push(event);
  })();
  return received;
}

const waitUntil = (check: () => void) => vi.waitFor(check, { timeout: 20_000, interval: 25 });
const write = (clientId: string, date: string) =>
  records.upsertDay(costRecord({ clientId, provider: "AWS", date }));
const datesOf = (events: CostRecordChangeEvent[]) => events.map((event) => event.date);
/** Reads the consumers' lease item (the consumers name their stream after the data table). */
const tableLease = () =>
  new StreamLease({ doc: ctx.doc, table: ctx.names.data, streamName: ctx.names.data, leaseMs: LEASE_MS });

/** 1 s leases of one stream that read a clock the test moves by hand (`clock.ms`). */
function leasesOnManualClock(streamName: string, startMs: number) {
  const clock = { ms: startMs };
  const now = () => clock.ms;
  const lease = (holderId: string) =>
    new StreamLease({ doc: ctx.doc, table: ctx.names.data, streamName, leaseMs: 1_000, now, holderId });
  return { clock, now, lease };
}

describe("StreamLease", () => {
  it("is exclusive until it expires, and only its holder can renew or release it", async () => {
    const { clock, lease } = leasesOnManualClock("exclusive", 1_000_000);
    const a = lease("a");
    const b = lease("b");

    expect(await a.acquireOrRenew()).toBe(clock.ms + 1_000);
    expect(await b.acquireOrRenew()).toBeNull();
    clock.ms += 600;
    expect(await a.acquireOrRenew()).toBe(clock.ms + 1_000);
    clock.ms += 900; // past a's first expiry, within its renewal
    expect(await b.acquireOrRenew()).toBeNull();
    expect(await b.current()).toEqual({ holderId: "a", expiresAtMs: clock.ms - 900 + 1_000 });

    clock.ms += 101; // a stopped renewing: expired
    expect(await b.acquireOrRenew()).toBe(clock.ms + 1_000);
    expect(await a.acquireOrRenew()).toBeNull();
    expect(await a.release()).toBe(false);
    expect(await b.release()).toBe(true);
    expect(await a.current()).toBeNull();
  });

  it("fences checkpoint writes: only the live holder can save one", async () => {
    const { clock, now, lease } = leasesOnManualClock("fenced", 5_000_000);
    const holder = lease("holder");
    const other = lease("other");
    const checkpoints = new CheckpointStore({
      doc: ctx.doc,
      table: ctx.names.data,
      streamName: "fenced",
      now,
    });
    const checkpoint = { shardId: "shard-1", sequenceNumber: "000000000000000000042", finished: false };

    expect(await holder.acquireOrRenew()).not.toBeNull();
    await expect(checkpoints.save(checkpoint, other)).rejects.toThrow(LeaseLostError);
    await checkpoints.save(checkpoint, holder);
    clock.ms += 1_001;
    await expect(
      checkpoints.save({ ...checkpoint, sequenceNumber: "000000000000000000043" }, holder),
    ).rejects.toThrow(LeaseLostError);
    expect([...(await checkpoints.loadAll()).values()]).toEqual([checkpoint]);
  });
});

describe("one stream reader per deployment", () => {
  it("lets only the lease holder read, and hands over on a clean stop without repeats", async () => {
    const [firstBus, secondBus] = [new InProcessPubSub(), new InProcessPubSub()];
    const first = consumer("first", firstBus);
    const firstInbox = collect(firstBus.subscribe(costRecordTopic("pair")));
    await waitUntil(() => expect(first.isLeaseHolder() && first.isReady()).toBe(true));
    const second = consumer("second", secondBus);
    const secondInbox = collect(secondBus.subscribe(costRecordTopic("pair")));
    await waitUntil(() => expect(second.isReady()).toBe(true));
    expect(second.status().role).toBe("standby");

    for (const date of ["2025-03-01", "2025-03-02", "2025-03-03"]) await write("pair", date);
    await waitUntil(() => expect(firstInbox).toHaveLength(3));
    expect(second.isLeaseHolder()).toBe(false);
    expect(secondInbox).toEqual([]);

    await first.stop();
    await write("pair", "2025-03-04");
    await waitUntil(() => expect(secondInbox).toHaveLength(1));
    expect(datesOf(secondInbox)).toEqual(["2025-03-04"]);
    expect(datesOf(firstInbox)).toEqual(["2025-03-01", "2025-03-02", "2025-03-03"]);
  });

  it("takes over from a holder that died without releasing, once its lease expired", async () => {
    const doomed = startConsumerProcess("doomed", "takeover");
    cleanups.push(async () => {
      if (doomed.child.exitCode === null) doomed.child.kill("SIGKILL");
    });
    await waitUntil(() => expect(doomed.lines).toContainEqual({ type: "holding" }));
    const bus = new InProcessPubSub();
    const survivor = consumer("survivor", bus);
    const inbox = collect(bus.subscribe(costRecordTopic("takeover")));
    await waitUntil(() => expect(survivor.isReady()).toBe(true));

    await write("takeover", "2025-04-01");
    await waitUntil(() => expect(doomed.lines).toContainEqual({ type: "event", date: "2025-04-01" }));
    const lease = await tableLease().current();
    expect(lease?.holderId).toBe("doomed");
    doomed.child.kill("SIGKILL");
    await once(doomed.child, "exit");
    await write("takeover", "2025-04-02");

    // Until the dead holder's lease runs out, nobody else may read.
    while (Date.now() < (lease?.expiresAtMs ?? 0)) {
      expect(survivor.isLeaseHolder()).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await waitUntil(() => expect(datesOf(inbox)).toContain("2025-04-02"));
    expect(survivor.isLeaseHolder()).toBe(true);
    expect((await tableLease().current())?.holderId).toBe("survivor");
    // Nothing lost; a repeat is possible only of the dead holder's unsaved last batch (2025-04-01).
    const dates = datesOf(inbox);
    expect(dates.filter((date) => date === "2025-04-02")).toHaveLength(1);
    expect(dates.filter((date) => date === "2025-04-01").length).toBeLessThanOrEqual(1);
    expect(dates.length).toBeLessThanOrEqual(2);
  });
});

/** A consumer in its own process, so it can die the hard way; it reports on stdout as JSON lines. */
function startConsumerProcess(holderId: string, clientId: string) {
  const script = `
    import { createDynamoClients } from "./src/store/dynamo-client.js";
    import { StreamConsumer } from "./src/live/stream-consumer.js";
    import { InProcessPubSub } from "./src/live/pubsub.js";
    import { costRecordTopic } from "./src/live/events.js";
    import { createLogger } from "./src/observability/logger.js";
    const env = process.env;
    const pubsub = new InProcessPubSub();
    const consumer = new StreamConsumer({
      dynamo: createDynamoClients({ endpoint: env.LIVE_ENDPOINT }),
      table: env.LIVE_TABLE, pubsub, logger: createLogger({ level: "silent" }),
      holderId: env.LIVE_HOLDER, leaseMs: Number(env.LIVE_LEASE_MS), idlePollMs: 50,
    });
    consumer.start();
    const report = (line) => console.log(JSON.stringify(line));
    const timer = setInterval(() => {
      if (consumer.isLeaseHolder()) { report({ type: "holding" }); clearInterval(timer); }
    }, 20);
    for await (const event of pubsub.subscribe(costRecordTopic(env.LIVE_CLIENT))) {
      report({ type: "event", date: event.date });
    }
  `;
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        NODE_NO_WARNINGS: "1",
        LIVE_ENDPOINT: ctx.endpoint,
        LIVE_TABLE: ctx.names.data,
        LIVE_HOLDER: holderId,
        LIVE_CLIENT: clientId,
        LIVE_LEASE_MS: String(LEASE_MS),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const lines: unknown[] = [];
  if (child.stdout)
    createInterface({ input: child.stdout }).on("line", (line) => lines.push(JSON.parse(line)));
  return { child, lines };
}
