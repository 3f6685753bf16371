/**
 * Live path: the time from a cost record write (CostRecordStore.upsertDay, the collector's write)
 * to each graphql-ws subscriber receiving its costRecordChanged event, through DynamoDB Streams,
 * the stream consumer and the pubsub. Writes are spaced by a random pause so they land at random
 * points of the consumer's poll cycle, as real writes do.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { print } from "graphql";
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import { CostRecordChangedDocument, type CostRecordChangedSubscription } from "../e2e/generated/graphql.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { storedCosts } from "../support/stored-costs.js";
import { DATASET_END, providerRecords } from "./bench-data.js";
import { startBenchServer } from "./bench-server.js";
import { summarizeLatencies, type LatencySummary } from "./measure.js";
import type { BenchSettings } from "./settings.js";

export interface LiveRun extends LatencySummary {
  subscribers: number;
  writes: number;
  /** Events that did not arrive within DELIVERY_TIMEOUT_MS (subscribers x writes - count). */
  missed: number;
}

const CLIENT_ID = "live-client";
const DELIVERY_TIMEOUT_MS = 10_000;
/** Warm-up writes at most, each waited for this long (the first also waits for the consumer's lease). */
const WARMUP_WRITES = 10;
const WARMUP_WAIT_MS = 6_000;
const PAUSE_MS = { min: 50, max: 400 };

/** Arrival times of each day's event, across all subscribers; waits for a day's count to reach a target. */
class Arrivals {
  private readonly times = new Map<string, number[]>();
  private readonly waiters = new Map<string, { need: number; done: () => void }>();

  record(date: string, at: number): void {
    const list = this.times.get(date) ?? [];
    list.push(at);
    this.times.set(date, list);
    const waiter = this.waiters.get(date);
    if (waiter && list.length >= waiter.need) waiter.done();
  }

  /** The arrival times once `need` arrived, or those there are after `timeoutMs`. */
  async wait(date: string, need: number, timeoutMs: number): Promise<number[]> {
    if ((this.times.get(date)?.length ?? 0) < need) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.waiters.set(date, {
          need,
          done: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
      this.waiters.delete(date);
    }
    return this.times.get(date) ?? [];
  }
}

async function subscribeAll(
  wsUrl: string,
  token: string,
  count: number,
  arrivals: Arrivals,
): Promise<Client[]> {
  const query = print(CostRecordChangedDocument);
  return Array.from({ length: count }, () => {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
    });
    client.subscribe<CostRecordChangedSubscription>(
      { query, variables: { clientId: CLIENT_ID } },
      {
        next: (result) => {
          const date = result.data?.costRecordChanged.record.date;
          if (date) arrivals.record(date, performance.now());
        },
        error: (error) => console.error("live path: a subscription failed:", error),
        complete: () => undefined,
      },
    );
    return client;
  });
}

export async function runLivePath(
  endpoint: string,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<LiveRun[]> {
  const server = await startBenchServer({
    endpoint,
    tablePrefix: "bench-live-",
    env: { STREAM_CONSUMER: "on" },
  });
  const costs = storedCosts({
    doc: server.runtime.dynamo.doc,
    names: tableNames(server.config.dynamo.tablePrefix),
  });
  const writesPerRun = settings.liveWrites + WARMUP_WRITES;
  const totalWrites = writesPerRun * settings.subscribers.length;
  const records = providerRecords(
    CLIENT_ID,
    "AWS",
    daysInRange(addDays(DATASET_END, 1 - totalWrites), DATASET_END),
  );
  const token = await server.token({ roles: ["viewer"], clientIds: [CLIENT_ID] });
  const runs: LiveRun[] = [];
  let next = 0;
  try {
    for (const subscribers of settings.subscribers) {
      log(`live path: ${subscribers} subscriber(s), ${settings.liveWrites} writes`);
      const arrivals = new Arrivals();
      const clients = await subscribeAll(server.wsUrl, token, subscribers, arrivals);
      try {
        // Warm-up: subscriptions register a little after their sockets open; once one write
        // reaches every subscriber, all are registered and the consumer is reading.
        for (let attempt = 1; ; attempt++) {
          const warmup = records[next++]!;
          await costs.upsertDay(warmup);
          const reached = await arrivals.wait(warmup.date, subscribers, WARMUP_WAIT_MS);
          if (reached.length === subscribers) break;
          if (attempt === WARMUP_WRITES) {
            throw new Error(`live path: ${reached.length} of ${subscribers} subscribers got a warm-up event`);
          }
        }
        const latencies: number[] = [];
        for (let i = 0; i < settings.liveWrites; i++) {
          await sleep(PAUSE_MS.min + Math.random() * (PAUSE_MS.max - PAUSE_MS.min));
          const record = records[next++]!;
          const writtenAt = performance.now();
          await costs.upsertDay(record);
          const times = await arrivals.wait(record.date, subscribers, DELIVERY_TIMEOUT_MS);
          latencies.push(...times.map((at) => at - writtenAt));
        }
        runs.push({
          subscribers,
          writes: settings.liveWrites,
          missed: subscribers * settings.liveWrites - latencies.length,
          ...summarizeLatencies(latencies),
        });
      } finally {
        await Promise.all(clients.map((client) => client.dispose()));
      }
    }
    return runs;
  } finally {
    await server.stop();
  }
}
