/**
 * Detection latency: the time from a day being stored (CostRecordStore.upsertDays resolving) to a
 * graphql-ws subscriber receiving costAnomalyDetected, through DynamoDB Streams, the consumer's
 * detection, the anomaly item's own stream record and the pubsub.
 *
 * A fresh client gets a copy of 60 stored days of one provider, then, one at a time, a spike day
 * (the next stored day with every amount x3), timed, then, untimed, the same day as stored (a
 * restatement back to normal: no spike stays in the history the next one is judged against) and
 * two ordinary days (so the next spike starts a new event instead of continuing this one). The
 * stream is drained after each, so the first event after a spike's write is that spike's.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import type { IsoDay, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import { SYSTEM } from "../../src/domain/identity.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import { summarizeLatencies, type LatencySummary } from "../bench/measure.js";
import type { EvalService } from "./eval-service.js";

const LATENCY_CLIENT = "eval-latency";
const HISTORY_DAYS = 60;
const SPIKE_FACTOR = 3;
/** The spike's day, then two ordinary days: more than the detector's gap an event may skip. */
const DAYS_PER_SPIKE = 3;
/** Untimed spikes at most until one reaches the subscriber (its subscription is then registered). */
const WARMUPS = 3;
const DELIVERY_TIMEOUT_MS = 15_000;
const PAUSE_MS = { min: 50, max: 400 };
const SUBSCRIPTION = `subscription EvalAnomalies($clientId: ID!) {
  costAnomalyDetected(clientId: $clientId) { id date }
}`;

export interface LatencyRun extends LatencySummary {
  writes: number;
  /** Spike days whose event did not arrive within DELIVERY_TIMEOUT_MS. */
  missed: number;
}

/** Every amount of the day times `factor`, so totals and breakdowns still add up. */
function scaled(record: UnifiedCostRecord, factor: number): UnifiedCostRecord {
  const times = <T extends { cost: number }>(items: T[]) =>
    items.map((item) => ({ ...item, cost: item.cost * factor }));
  return {
    ...record,
    total: record.total * factor,
    billedTotals: record.billedTotals.map((billed) => ({ ...billed, amount: billed.amount * factor })),
    lines: record.lines.map((line) => ({
      ...line,
      billedCost: line.billedCost * factor,
      cost: line.cost === null ? null : line.cost * factor,
    })),
    services: times(record.services),
    accounts: times(record.accounts),
    regions: times(record.regions),
    serviceCategories: times(record.serviceCategories),
    chargeCategories: times(record.chargeCategories),
  };
}

/** Resolves with the arrival time of the next event, or undefined after `timeoutMs`. */
class NextEvent {
  private waiter: ((at: number) => void) | undefined;

  arrived(at: number): void {
    this.waiter?.(at);
    this.waiter = undefined;
  }

  wait(timeoutMs: number): Promise<number | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        resolve(undefined);
      }, timeoutMs);
      this.waiter = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }
}

export async function measureAnomalyLatency(
  service: EvalService,
  source: { clientId: string; provider: CloudProvider; lastDay: IsoDay },
  writes: number,
  log: (line: string) => void,
): Promise<LatencyRun> {
  const { costs } = service.runtime.services.stores;
  await service.runtime
    .useCases()
    .tenants.createClient(SYSTEM, { id: LATENCY_CLIENT, name: "Latency", reportingCurrency: "USD" });
  const days = daysInRange(
    addDays(source.lastDay, 1 - HISTORY_DAYS - (WARMUPS + writes) * DAYS_PER_SPIKE),
    source.lastDay,
  );
  const records = await Promise.all(
    days.map(async (day) => {
      const record = await costs.getRecord(source.clientId, source.provider, day);
      if (!record) throw new Error(`latency: ${source.provider} ${day} is not stored`);
      return { ...record, clientId: LATENCY_CLIENT };
    }),
  );
  await costs.upsertDays(records.slice(0, HISTORY_DAYS));
  await service.drained();

  const next = new NextEvent();
  const client = createClient({
    url: service.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${await service.viewerToken(LATENCY_CLIENT)}` },
    lazy: false,
    retryAttempts: 0,
  });
  client.subscribe(
    { query: SUBSCRIPTION, variables: { clientId: LATENCY_CLIENT } },
    {
      next: () => next.arrived(performance.now()),
      error: (error) => console.error("latency: the subscription failed:", error),
      complete: () => undefined,
    },
  );
  const latencies: number[] = [];
  let missed = 0;
  let warm = false;
  try {
    for (let slot = 0, at = HISTORY_DAYS; latencies.length + missed < writes; slot++, at += DAYS_PER_SPIKE) {
      if (!warm && slot === WARMUPS) throw new Error(`latency: no event after ${WARMUPS} warm-up spikes`);
      await sleep(PAUSE_MS.min + Math.random() * (PAUSE_MS.max - PAUSE_MS.min));
      const arrival = next.wait(DELIVERY_TIMEOUT_MS);
      await costs.upsertDays([scaled(records[at]!, SPIKE_FACTOR)]);
      const writtenAt = performance.now();
      const arrivedAt = await arrival;
      if (warm) {
        if (arrivedAt === undefined) missed++;
        else latencies.push(Math.max(0, arrivedAt - writtenAt));
      } else {
        warm = arrivedAt !== undefined;
      }
      await costs.upsertDays(records.slice(at, at + DAYS_PER_SPIKE));
      await service.drained();
    }
  } finally {
    await client.dispose();
  }
  const summary = summarizeLatencies(latencies);
  log(
    `latency: ${writes} spike days, p50 ${summary.p50Ms.toFixed(0)} ms, p99 ${summary.p99Ms.toFixed(0)} ms`,
  );
  return { writes, missed, ...summary };
}
