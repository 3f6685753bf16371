/**
 * One evaluation tenant end to end, set up as the sandbox sets up its demo tenant (sandbox.ts):
 * rates (with the FX decoy's month moved), a client reporting in USD, its providers connected to
 * the seed's simulators, one backfill job over the evaluated months, timed until the consumer has
 * judged every day; then each restatement decoy applied at its simulator and its day collected
 * again. What is left: the labels, every anomaly stored, and the stored daily totals.
 */
import { MAX_COLLECTION_DAYS } from "../../src/collection/collection-request.js";
import type { CostAnomaly } from "../../src/domain/anomaly.js";
import type { CostRecordHeader, IsoDay } from "../../src/domain/cost-record.js";
import { addDays, daysInRange, monthsInRange, type DayRange } from "../../src/domain/dates.js";
import { SYSTEM } from "../../src/domain/identity.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import type { EventLabel } from "../../src/sandbox/labelled-events.js";
import { sandboxExchangeRatesWithDecoys } from "../../src/sandbox/exchange-rates.js";
import { startEmbeddedDynamoDb } from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";
import { clockStartingOn } from "../../src/shared/clock.js";
import { startEvalClouds } from "./eval-clouds.js";
import { startEvalService, type EvalService } from "./eval-service.js";
import { measureAnomalyLatency, type LatencyRun } from "./latency.js";
import type { EvalSettings } from "./settings.js";

export const EVAL_CLIENT = "eval-tenant";

export interface TenantRun {
  seed: number;
  detection: boolean;
  period: DayRange;
  labels: EventLabel[];
  anomalies: CostAnomaly[];
  /** Daily totals in USD from period.start, NaN where no record is stored: "TOTAL" and each provider. */
  series: Record<string, number[]>;
  /** Usage labels whose key the stored record of their first day does not show in their dimension. */
  labelKeysMissing: string[];
  records: number;
  backfill: { jobSeconds: number; drainedSeconds: number };
  latency?: LatencyRun;
}

/** Days a backfill of `months` months covers: the planner's history (labelled-events.ts). */
export const backfillDays = (months: number) =>
  Math.min(MAX_COLLECTION_DAYS, Math.round((months * 365.25) / 12));

async function collect(service: EvalService, period: DayRange, providers?: CloudProvider[]) {
  const { collections } = service.runtime.useCases();
  const queued = await collections.trigger(SYSTEM, {
    clientId: EVAL_CLIENT,
    period,
    ...(providers ? { providers } : {}),
  });
  const job = await service.runtime.services.collections.waitForJob(queued.id);
  if (job?.status !== "SUCCEEDED") {
    throw new Error(`collection ${period.start}..${period.end} ended ${job?.status}: ${JSON.stringify(job)}`);
  }
  return job;
}

function keysOf(header: CostRecordHeader, dimension: EventLabel["dimension"]): string[] {
  if (dimension === "SERVICE") return header.services.map((service) => service.serviceName);
  if (dimension === "ACCOUNT") return header.accounts.map((account) => account.accountId);
  return dimension === "REGION" ? header.regions.map((region) => region.region) : [];
}

export async function runTenant(
  seed: number,
  settings: EvalSettings,
  options: { detection: boolean; latencyWrites: number },
  log: (line: string) => void,
): Promise<TenantRun> {
  const today = settings.today;
  const period = { start: addDays(today, 1 - backfillDays(settings.months)), end: today };
  const clock = clockStartingOn(today);
  const dynamo = await startEmbeddedDynamoDb();
  const stops: (() => Promise<void>)[] = [() => dynamo.stop()];
  try {
    const clouds = await startEvalClouds(seed, settings, clock);
    stops.unshift(() => clouds.stop());
    const service = await startEvalService({
      endpoint: dynamo.endpoint,
      detection: options.detection,
      clock,
      trustedCertificates: clouds.trustedCertificates,
    });
    stops.unshift(() => service.stop());
    const { tenants, exchangeRates } = service.runtime.useCases();
    const collectable = monthsInRange(addDays(today, 1 - MAX_COLLECTION_DAYS), today);
    await exchangeRates.set(SYSTEM, sandboxExchangeRatesWithDecoys(collectable, clouds.events));
    await tenants.createClient(SYSTEM, { id: EVAL_CLIENT, name: `Eval ${seed}`, reportingCurrency: "USD" });
    await clouds.connect((input) => tenants.connectProvider(SYSTEM, input), EVAL_CLIENT);

    const tag = `seed ${seed}, detection ${options.detection ? "on" : "off"}`;
    log(`${tag}: backfilling ${period.start}..${period.end}, ${clouds.labels.length} labelled events ...`);
    const started = performance.now();
    const job = await collect(service, period);
    const jobDone = performance.now();
    const drainedAt = await service.drained();
    const backfill = { jobSeconds: (jobDone - started) / 1000, drainedSeconds: (drainedAt - started) / 1000 };
    const records = job.providers.reduce((sum, p) => sum + p.recordsWritten, 0);
    log(
      `${tag}: ${records} records, job ${backfill.jobSeconds.toFixed(1)} s, judged ${backfill.drainedSeconds.toFixed(1)} s`,
    );

    const { stores } = service.runtime.services;
    const run: TenantRun = {
      seed,
      detection: options.detection,
      period,
      labels: clouds.labels,
      anomalies: [],
      series: {},
      labelKeysMissing: [],
      records,
      backfill,
    };
    if (!options.detection) return run;

    for (const label of clouds.labels.filter((l) => l.appliesAfterFirstServe)) {
      const days = clouds.datasets[label.provider]!.applyRestatement(label.id);
      await collect(service, { start: days[0]!, end: days.at(-1)! }, [label.provider]);
    }
    await service.drained();
    run.anomalies = await stores.anomalies.between(EVAL_CLIENT, period);
    log(`${tag}: ${run.anomalies.length} anomalies stored`);

    const days = daysInRange(period.start, period.end);
    const headers = new Map<string, CostRecordHeader>();
    const keys = settings.providers.flatMap((provider) =>
      days.map((date) => ({ clientId: EVAL_CLIENT, provider, date })),
    );
    for (const header of await stores.costs.getHeaders(keys)) {
      if (header) headers.set(`${header.provider}|${header.date}`, header);
    }
    const totalOf = (provider: CloudProvider, day: IsoDay) => headers.get(`${provider}|${day}`)?.total ?? NaN;
    for (const provider of settings.providers)
      run.series[provider] = days.map((day) => totalOf(provider, day));
    run.series.TOTAL = days.map((day) =>
      settings.providers.reduce((sum, provider) => sum + totalOf(provider, day), 0),
    );
    run.labelKeysMissing = clouds.labels
      .filter((label) => label.dimension !== "CURRENCY" && !label.kind.startsWith("DECOY"))
      .filter((label) => {
        const header = headers.get(`${label.provider}|${label.start}`);
        return !header || !keysOf(header, label.dimension).includes(label.key);
      })
      .map((label) => `${label.id} ${label.dimension} ${label.key}`);

    if (options.latencyWrites > 0) {
      const provider = settings.providers[0]!;
      run.latency = await measureAnomalyLatency(
        service,
        { clientId: EVAL_CLIENT, provider, lastDay: today },
        options.latencyWrites,
        log,
      );
    }
    return run;
  } finally {
    for (const stop of stops) await stop();
  }
}
