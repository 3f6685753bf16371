/**
 * Collections as the API sees them: trigger (validate, lock, create the job, run it in the
 * background), recover jobs a crashed process left behind, refresh the trailing days, and stop.
 *
 * One job per (client, provider) at a time: a trigger takes each provider's collection lock (a
 * conditional write with an expiry, renewed while the job runs). When another QUEUED or RUNNING job
 * holds one, the trigger returns that job instead of starting a second pull of the same data.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { systemClock, type Clock } from "../shared/clock.js";
import { retryEveryFailure, withRetry, type RetryPolicy } from "../shared/retry.js";
import type { CollectionError, CollectionJob } from "../domain/collection-job.js";
import type { CloudProvider } from "../domain/provider.js";
import { validateSafeId } from "../domain/validation.js";
import type { ClientStore } from "../store/client-store.js";
import type { CollectionJobStore } from "../store/collection-job-store.js";
import type { ConnectionStore } from "../store/connection-store.js";
import {
  trailingDays,
  validateCollectionRequest,
  type CollectionRequestInput,
} from "./collection-request.js";
import { clientNotFound, ConflictError } from "../domain/errors.js";
import { isActiveStatus, JobProgress } from "./job-progress.js";
import { JobAbort, runCollectionJob, type JobRunnerDeps } from "./job-runner.js";
import { ProviderPulls } from "./provider-pull.js";

export const DEFAULT_LOCK_TTL_SECONDS = 15 * 60;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 60_000;
/** A QUEUED or RUNNING job not heard of for this long is taken for dead (several missed heartbeats). */
export const DEFAULT_STALE_AFTER_MS = 5 * 60_000;
/** How long a trigger waits for a lock holder's job item (it is created right after its locks). */
const HOLDER_WAIT_MS = 2_000;
const HOLDER_POLL_MS = 100;

export const SHUTDOWN: CollectionError = {
  code: "SHUTDOWN",
  message: "the server shut down while the job ran; trigger it again",
  retryable: true,
};
export const INTERRUPTED: CollectionError = {
  code: "INTERRUPTED",
  message: "the process running this job stopped without finishing it; trigger it again",
  retryable: true,
};
/** The job ended while the database was unreachable, so its outcome could not be stored. */
export const END_NOT_STORED: CollectionError = {
  code: "STORE_UNAVAILABLE",
  message: "the database was unreachable when the job ended, so its outcome was lost; trigger it again",
  retryable: true,
};
/** How long a job whose end could not be stored keeps being retried, for its FAILED to be stored. */
const END_RETRY: RetryPolicy = {
  maxAttempts: Number.MAX_SAFE_INTEGER,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
  maxTotalMs: 15 * 60_000,
};

export interface TriggerCollectionInput extends CollectionRequestInput {
  clientId: string;
  /** The caller's subject, recorded on the job. */
  requestedBy: string;
}

export interface CollectionServiceOptions extends Omit<
  JobRunnerDeps,
  "now" | "lockTtlSeconds" | "heartbeatIntervalMs" | "jobs" | "pulls"
> {
  clients: ClientStore;
  connections: ConnectionStore;
  jobs: CollectionJobStore;
  /** Whole-pull retries of every provider pull (tests make them fast). */
  pullRetryPolicy?: RetryPolicy;
  now?: Clock;
  lockTtlSeconds?: number;
  heartbeatIntervalMs?: number;
  staleAfterMs?: number;
}

interface RunningJob {
  controller: AbortController;
  /** Settles with the finished job, or null when its end could not be stored; never rejects. */
  done: Promise<CollectionJob | null>;
}

export class CollectionService {
  private readonly deps: JobRunnerDeps;
  private readonly staleAfterMs: number;
  private readonly running = new Map<string, RunningJob>();
  /** Jobs of this process that ended without their end stored: dead, though the store says RUNNING. */
  private readonly endNotStored = new Set<string>();
  private readonly stopped = new AbortController();
  private stopping = false;

  constructor(private readonly options: CollectionServiceOptions) {
    this.deps = {
      ...options,
      pulls: new ProviderPulls(options.pullRetryPolicy ? { retryPolicy: options.pullRetryPolicy } : {}),
      now: options.now ?? systemClock,
      lockTtlSeconds: options.lockTtlSeconds ?? DEFAULT_LOCK_TTL_SECONDS,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    };
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
  }

  /**
   * Validates the request and returns at once with the QUEUED job, which then runs in the
   * background; or returns the QUEUED/RUNNING job that already collects one of these providers.
   */
  async triggerCollection(input: TriggerCollectionInput): Promise<CollectionJob> {
    if (this.stopping) throw new Error("the collection service is shutting down");
    const clientId = validateSafeId(input.clientId, "clientId");
    const client = await this.options.clients.get(clientId);
    if (!client) throw clientNotFound(clientId);
    const connections = await this.options.connections.listByClient(clientId);
    const request = validateCollectionRequest(input, connections, this.deps.now());

    const jobId = `job-${randomUUID()}`;
    const locked: CloudProvider[] = [];
    for (const provider of request.providers) {
      const holder = await this.lockOrFindHolder(clientId, provider, jobId);
      if (holder) {
        await this.releaseLocks(clientId, locked, jobId);
        return holder;
      }
      locked.push(provider);
    }

    const now = this.deps.now().toISOString();
    const job = await this.options.jobs
      .create({
        id: jobId,
        clientId,
        status: "QUEUED",
        period: request.period,
        providers: request.providers.map((provider) => ({
          provider,
          status: "QUEUED",
          recordsWritten: 0,
          apiRequests: 0,
          attempts: 0,
        })),
        createdAt: now,
        updatedAt: now,
        requestedBy: input.requestedBy,
      })
      .catch(async (error: unknown) => {
        await this.releaseLocks(clientId, locked, jobId);
        throw error;
      });
    const controller = new AbortController();
    const done = runCollectionJob(job, client, controller.signal, this.deps)
      .catch((error: unknown) => {
        // Only reached when even recording the failure failed (the database is unreachable).
        this.options.logger.error({ err: error, jobId }, "collection job could not record its end");
        this.endNotStored.add(jobId);
        void this.storeLostEnd(jobId);
        return null;
      })
      .finally(() => this.running.delete(jobId));
    this.running.set(jobId, { controller, done });
    return job;
  }

  /** Collects the trailing `days` days (today included) of every connected provider: late and restated data. */
  refreshRecentDays(clientId: string, days = 3, requestedBy = "refresh"): Promise<CollectionJob> {
    return this.triggerCollection({ clientId, period: trailingDays(days, this.deps.now()), requestedBy });
  }

  /**
   * Marks QUEUED/RUNNING jobs whose heartbeat is older than the stale threshold as FAILED
   * (INTERRUPTED) and releases their locks. Run at process start; jobs of this process are skipped.
   */
  async recoverInterruptedJobs(): Promise<CollectionJob[]> {
    const cutoff = this.deps.now().getTime() - this.staleAfterMs;
    const stale = (await this.options.jobs.listActive()).filter(
      (job) => !this.running.has(job.id) && Date.parse(job.updatedAt) <= cutoff,
    );
    const recovered = await Promise.all(stale.map((job) => this.failInterrupted(job)));
    if (recovered.length > 0) {
      this.options.logger.warn(
        { jobIds: recovered.map((job) => job.id) },
        "recovered interrupted collection jobs",
      );
    }
    return recovered;
  }

  /** Resolves with the job's final state when this process runs it; null otherwise. */
  async waitForJob(jobId: string): Promise<CollectionJob | null> {
    return (await this.running.get(jobId)?.done) ?? null;
  }

  /** Aborts running jobs (their requests too), marks them FAILED with SHUTDOWN and waits until they are stored. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    const jobs = [...this.running.values()];
    for (const job of jobs) job.controller.abort(new JobAbort(SHUTDOWN));
    await Promise.all(jobs.map((job) => job.done));
  }

  /** Retries marking a job FAILED whose end could not be stored, until the database answers again. */
  private async storeLostEnd(jobId: string): Promise<void> {
    try {
      await withRetry(
        async () => {
          const job = await this.options.jobs.get(jobId);
          if (job && isActiveStatus(job.status)) await this.failInterrupted(job, END_NOT_STORED);
        },
        {
          policy: END_RETRY,
          // Every DynamoDB failure is worth another try here: the database is expected back.
          classify: retryEveryFailure,
          signal: this.stopped.signal,
          onFailure: ({ attempt, error }) =>
            this.options.logger.warn({ attempt, err: error, jobId }, "storing a lost job end failed"),
        },
      );
    } catch {
      // Given up (or shutting down): the job is failed as INTERRUPTED at the next start or trigger.
    } finally {
      this.endNotStored.delete(jobId);
    }
  }

  private async failInterrupted(job: CollectionJob, error = INTERRUPTED): Promise<CollectionJob> {
    const failed = await new JobProgress(this.options.jobs, job, this.deps.now).finish(error);
    await this.releaseLocks(
      job.clientId,
      job.providers.map((p) => p.provider),
      job.id,
    );
    return failed;
  }

  private async releaseLocks(
    clientId: string,
    providers: readonly CloudProvider[],
    jobId: string,
  ): Promise<void> {
    await Promise.all(providers.map((provider) => this.options.jobs.releaseLock(clientId, provider, jobId)));
  }

  /**
   * Takes the (client, provider) lock for `jobId`; null when taken, else the active job holding it.
   * A lock whose holder is finished, never created or stale is cleared and taken.
   */
  private async lockOrFindHolder(
    clientId: string,
    provider: CloudProvider,
    jobId: string,
  ): Promise<CollectionJob | null> {
    const { jobs } = this.options;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await jobs.acquireLock(clientId, provider, jobId, this.deps.lockTtlSeconds)) return null;
      const holder = await jobs.getLockHolder(clientId, provider);
      if (!holder) continue;
      const job = await this.awaitJobItem(holder.jobId);
      if (job && isActiveStatus(job.status)) {
        const stale = Date.parse(job.updatedAt) <= this.deps.now().getTime() - this.staleAfterMs;
        const lost = this.endNotStored.has(job.id);
        if (!(stale || lost) || this.running.has(job.id)) return job;
        await this.failInterrupted(job, lost ? END_NOT_STORED : INTERRUPTED);
        this.endNotStored.delete(job.id);
        continue;
      }
      await jobs.releaseLock(clientId, provider, holder.jobId);
    }
    throw new ConflictError(
      `the ${provider} collection lock of client "${clientId}" is contended; try again`,
    );
  }

  private async awaitJobItem(jobId: string): Promise<CollectionJob | null> {
    for (let waited = 0; ; waited += HOLDER_POLL_MS) {
      const job = await this.options.jobs.get(jobId);
      if (job || waited >= HOLDER_WAIT_MS) return job;
      await sleep(HOLDER_POLL_MS);
    }
  }
}
