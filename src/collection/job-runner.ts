/**
 * Runs one collection job: every provider at once, each isolated (one failing never stops the
 * others), each through the period one calendar month at a time: pull the window (provider-pull.ts:
 * rate-bounded per provider, retried as a whole), normalize it in the client's reporting currency,
 * upsert its days, record progress on the job item.
 *
 * A window's days are written only after its pull completed: a failed pull writes nothing and so
 * never deletes or shrinks what an earlier collection stored. Unchanged days write nothing either
 * (the store compares content), so a re-run is free and silent.
 *
 * While it runs, the job renews its collection locks and its heartbeat (updatedAt); losing a lock
 * (it expired and another job took it) stops the job, as does the caller's signal (shutdown).
 */
import type { Client } from "../domain/client.js";
import { splitAtEarliestDay, type CollectionError, type CollectionJob } from "../domain/collection-job.js";
import { dayOfInstant, monthsInRange, monthWindows, type DayRange } from "../domain/dates.js";
import { buildCostRecords, quarantineReason } from "../domain/normalize.js";
import type { CloudProvider } from "../domain/provider.js";
import { ValidationError } from "../domain/validation.js";
import type { Logger } from "../observability/logger.js";
import type { Metrics } from "../observability/metrics.js";
import type { Clock } from "../shared/clock.js";
import { KeyServiceError } from "../security/secret-box.js";
import type { CostProviderAdapter, FetchResult } from "../providers/adapter.js";
import { ProviderError } from "../providers/errors.js";
import type { CollectionJobStore } from "../store/collection-job-store.js";
import type { CostRecordStore } from "../store/cost-record-store.js";
import type { ExchangeRateService } from "./exchange-rates.js";
import { JobProgress, providerStatus } from "./job-progress.js";
import { CANCELLED, collectionErrorOf, type ProviderPulls } from "./provider-pull.js";

export interface JobRunnerDeps {
  jobs: CollectionJobStore;
  costRecords: CostRecordStore;
  exchangeRates: ExchangeRateService;
  /** Shared by every job of the process, so pulls of one provider queue across jobs. */
  pulls: ProviderPulls;
  adapterFor: (clientId: string, provider: CloudProvider) => Promise<CostProviderAdapter>;
  logger: Logger;
  now: Clock;
  retentionDays?: number;
  lockTtlSeconds: number;
  heartbeatIntervalMs: number;
  /** Per provider: how long its collection took and how it ended, and the API requests it spent. */
  metrics?: Pick<Metrics, "collectionDuration" | "providerApiRequests" | "quarantinedCostLines" | "alarms">;
}

/** Why a job was stopped from outside; its error is what the job reports. */
export class JobAbort extends Error {
  constructor(readonly error: CollectionError) {
    super(error.message);
    this.name = "JobAbort";
  }
}

export const LOCK_LOST: CollectionError = {
  code: "LOCK_LOST",
  message: "the collection lock expired and another job took it over; this job stopped",
  retryable: true,
};

const UNEXPECTED: CollectionError = {
  code: "INTERNAL",
  message: "the job failed unexpectedly",
  retryable: true,
};

/** Errors about one window's data: the provider's later windows are still worth pulling. */
const WINDOW_ONLY_ERRORS = new Set(["DATA_UNAVAILABLE", "INVALID_DATA"]);

const abortError = (signal: AbortSignal): CollectionError | undefined =>
  !signal.aborted ? undefined : signal.reason instanceof JobAbort ? signal.reason.error : CANCELLED;

export async function runCollectionJob(
  queued: CollectionJob,
  client: Client,
  outerSignal: AbortSignal,
  deps: JobRunnerDeps,
): Promise<CollectionJob> {
  const progress = new JobProgress(deps.jobs, queued, deps.now);
  const log = deps.logger.child({ jobId: queued.id, clientId: queued.clientId });
  const lockLost = new AbortController();
  const signal = AbortSignal.any([outerSignal, lockLost.signal]);
  const providers = queued.providers.map((p) => p.provider);

  /**
   * Extends this job's locks and its heartbeat; aborts the job when a lock is no longer its own
   * (taken over, or released by the recovery of jobs it believed dead): never takes one back.
   */
  const keepAlive = async () => {
    for (const provider of providers) {
      if (!(await deps.jobs.renewLock(queued.clientId, provider, queued.id, deps.lockTtlSeconds))) {
        log.error({ provider }, "collection lock lost");
        lockLost.abort(new JobAbort(LOCK_LOST));
        return;
      }
    }
    await progress.heartbeat();
  };
  let beating: Promise<void> | undefined;
  const heartbeat = setInterval(() => {
    beating ??= keepAlive()
      .catch((error: unknown) => log.warn({ err: error }, "heartbeat failed"))
      .finally(() => (beating = undefined));
  }, deps.heartbeatIntervalMs);

  const secondsByProvider = new Map<CloudProvider, number>();
  const timed = async (provider: CloudProvider) => {
    const started = performance.now();
    try {
      await collectProvider(provider, client, progress, signal, deps, log);
    } finally {
      secondsByProvider.set(provider, (performance.now() - started) / 1000);
    }
  };

  try {
    await progress.start();
    log.info({ providers, period: queued.period }, "collection started");
    const settled = await Promise.allSettled(providers.map(timed));
    const crashed = settled.find((result) => result.status === "rejected");
    if (crashed) throw crashed.reason;
    const finished = await progress.finish(abortError(signal));
    log.info({ status: finished.status, providers: finished.providers }, "collection finished");
    observeDurations(finished, secondsByProvider, deps);
    return finished;
  } catch (error) {
    log.error({ err: error }, "collection job failed");
    const finished = await progress.finish(UNEXPECTED);
    observeDurations(finished, secondsByProvider, deps);
    return finished;
  } finally {
    clearInterval(heartbeat);
    // A renewal still in flight would take the lock again right after it is released.
    await beating;
    await Promise.all(
      providers.map((provider) =>
        deps.jobs.releaseLock(queued.clientId, provider, queued.id).catch((error: unknown) => {
          log.warn({ err: error, provider }, "releasing the collection lock failed; it expires on its own");
        }),
      ),
    );
  }
}

async function collectProvider(
  provider: CloudProvider,
  client: Client,
  progress: JobProgress,
  signal: AbortSignal,
  deps: JobRunnerDeps,
  log: Logger,
): Promise<void> {
  const job = progress.snapshot;
  let adapter: CostProviderAdapter;
  try {
    adapter = await deps.adapterFor(client.id, provider);
  } catch (error) {
    log.warn({ provider, errorName: (error as Error)?.name }, "cannot build the provider adapter");
    await progress.updateProvider(provider, (p) => {
      p.status = "FAILED";
      p.error = connectionError(provider, error);
    });
    return;
  }
  const servable = await servablePeriod(provider, adapter, job.period, progress, signal, deps);
  if (!servable.ok) return;
  const windows = servable.period ? monthWindows(servable.period) : [];

  let succeeded = 0;
  let failed = 0;
  for (const window of windows) {
    if (signal.aborted) return;
    const outcome = await deps.pulls.pull(adapter, window, signal, log);
    deps.metrics?.providerApiRequests.inc({ provider }, outcome.apiRequests);
    let written = 0;
    let error: CollectionError | undefined;
    if (outcome.status === "SUCCEEDED") {
      try {
        written = await storeWindow(provider, outcome.result, window, client, job.id, deps);
      } catch (caught) {
        error = storeFailure(caught, window, log, provider);
      }
    } else if (!signal.aborted) {
      error = outcome.error;
    }
    await progress.updateProvider(provider, (p) => {
      p.apiRequests += outcome.apiRequests;
      p.attempts += outcome.attempts;
      p.recordsWritten += written;
      if (error) p.error = { ...error, message: `${window.start}..${window.end}: ${error.message}` };
    });
    if (signal.aborted) return;
    if (!error) {
      succeeded++;
      continue;
    }
    failed++;
    if (!WINDOW_ONLY_ERRORS.has(error.code)) {
      // The provider is refusing or failing: later windows would spend requests on the same answer.
      failed += windows.length - succeeded - failed;
      break;
    }
  }
  await progress.updateProvider(provider, (p) => {
    p.status = providerStatus(succeeded, failed);
  });
}

/**
 * The part of the period the provider's API serves. Days older than its history limit are recorded
 * on the job as skipped, with the reason, and not asked for: they are a fact of the API, not a
 * failure. A provider that cannot say what it serves fails like a failed pull.
 */
async function servablePeriod(
  provider: CloudProvider,
  adapter: CostProviderAdapter,
  period: DayRange,
  progress: JobProgress,
  signal: AbortSignal,
  deps: JobRunnerDeps,
): Promise<{ ok: true; period?: DayRange } | { ok: false }> {
  try {
    const { limit, apiRequests } = await adapter.historyLimit(dayOfInstant(deps.now()), signal);
    deps.metrics?.providerApiRequests.inc({ provider }, apiRequests);
    const { servable, unservable } = splitAtEarliestDay(period, limit?.earliest);
    if (unservable || apiRequests > 0) {
      await progress.updateProvider(provider, (p) => {
        p.apiRequests += apiRequests;
        if (unservable && limit) p.skipped = { ...unservable, reason: limit.reason };
      });
    }
    return servable ? { ok: true, period: servable } : { ok: true };
  } catch (caught) {
    const apiRequests = caught instanceof ProviderError ? (caught.apiRequests ?? 0) : 0;
    await progress.updateProvider(provider, (p) => {
      p.status = "FAILED";
      p.apiRequests += apiRequests;
      const error = signal.aborted ? CANCELLED : collectionErrorOf(caught, provider);
      // Said like a failed window's error: about the whole period, which could not be started.
      p.error = { ...error, message: `${period.start}..${period.end}: ${error.message}` };
    });
    return { ok: false };
  }
}

/** Why a stored connection could not be turned into an adapter. */
function connectionError(provider: CloudProvider, error: unknown): CollectionError {
  if (error instanceof KeyServiceError) {
    // The secret is intact; the key service (KMS) is not answering or not letting this process in.
    return {
      code: "CREDENTIALS_KEY_UNAVAILABLE",
      message: `the ${provider} credentials could not be decrypted: ${error.message}`,
      retryable: error.retryable,
    };
  }
  return { code: "CONNECTION", message: `the ${provider} connection cannot be used`, retryable: false };
}

/** One observation per provider that ran, labelled with the status the job ended it with; FAILED ones also count for the alarm. */
function observeDurations(
  job: CollectionJob,
  secondsByProvider: ReadonlyMap<CloudProvider, number>,
  deps: JobRunnerDeps,
): void {
  for (const { provider, status } of job.providers) {
    const seconds = secondsByProvider.get(provider);
    if (seconds === undefined) continue;
    deps.metrics?.collectionDuration.observe({ provider, outcome: status }, seconds);
    if (status === "FAILED") deps.metrics?.alarms.collectionFailed();
  }
}

/** Normalizes one pulled window and upserts its days; returns how many days were created or changed. */
async function storeWindow(
  provider: CloudProvider,
  result: FetchResult,
  window: DayRange,
  client: Client,
  jobId: string,
  deps: JobRunnerDeps,
): Promise<number> {
  const now = deps.now();
  const records = buildCostRecords({
    clientId: client.id,
    provider,
    reportingCurrency: client.reportingCurrency,
    lines: result.lines,
    daysCovered: result.daysCovered,
    rates: await deps.exchangeRates.ratesFor(monthsInRange(window.start, window.end)),
    collection: {
      jobId,
      collectedAt: now.toISOString(),
      sourceApi: result.sourceApi,
      apiRequests: result.apiRequests,
    },
    ...(deps.retentionDays === undefined ? {} : { retentionDays: deps.retentionDays }),
    now,
  });
  const results = await deps.costRecords.upsertDays(records);
  const quarantined = result.lines.filter((line) => quarantineReason(line) !== undefined).length;
  if (quarantined > 0) deps.metrics?.quarantinedCostLines.inc({ provider }, quarantined);
  return results.filter((r) => r.outcome !== "unchanged").length;
}

/**
 * A window that was pulled but could not be stored. Invalid provider data (a future day, an unknown
 * currency) is named as such; anything else is the store's trouble, detailed in the log only.
 */
function storeFailure(
  error: unknown,
  window: DayRange,
  log: Logger,
  provider: CloudProvider,
): CollectionError {
  if (error instanceof ValidationError) {
    return {
      code: "INVALID_DATA",
      message: `the provider's data was rejected: ${error.message}`,
      retryable: false,
    };
  }
  log.error({ err: error, provider, window }, "storing a collected window failed");
  return { code: "STORE_FAILED", message: "storing the collected days failed", retryable: true };
}
