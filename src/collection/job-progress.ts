/**
 * A running job's state in memory and its writes to the job item. Providers progress concurrently;
 * every change is persisted as the whole current snapshot, one write at a time, so writes cannot
 * overtake each other and the stored item (which the live layer streams to `collectionJobUpdated`)
 * only ever moves forward.
 */
import type {
  CollectionError,
  CollectionJob,
  CollectionStatus,
  ProviderCollectionProgress,
} from "../domain/collection-job.js";
import type { CloudProvider } from "../domain/provider.js";
import type { CollectionJobStore } from "../store/collection-job-store.js";

export const isActiveStatus = (status: CollectionStatus): boolean =>
  status === "QUEUED" || status === "RUNNING";

/** A provider's status from how its windows went. */
export function providerStatus(windowsSucceeded: number, windowsFailed: number): CollectionStatus {
  if (windowsFailed === 0) return "SUCCEEDED";
  return windowsSucceeded === 0 ? "FAILED" : "PARTIALLY_SUCCEEDED";
}

/** The job's status from its providers': all succeeded, nothing succeeded, or something in between. */
export function overallStatus(providers: readonly ProviderCollectionProgress[]): CollectionStatus {
  if (providers.every((p) => p.status === "SUCCEEDED")) return "SUCCEEDED";
  if (providers.every((p) => p.status === "FAILED")) return "FAILED";
  return "PARTIALLY_SUCCEEDED";
}

export class JobProgress {
  private job: CollectionJob;
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly jobs: CollectionJobStore,
    job: CollectionJob,
    private readonly now: () => Date,
  ) {
    this.job = structuredClone(job);
  }

  get snapshot(): CollectionJob {
    return structuredClone(this.job);
  }

  start(): Promise<CollectionJob> {
    const startedAt = this.now().toISOString();
    this.job.status = "RUNNING";
    this.job.startedAt = startedAt;
    for (const provider of this.job.providers) provider.status = "RUNNING";
    return this.persist();
  }

  /** Applies a change to one provider's progress and persists the job. */
  updateProvider(
    provider: CloudProvider,
    change: (progress: ProviderCollectionProgress) => void,
  ): Promise<CollectionJob> {
    const progress = this.job.providers.find((p) => p.provider === provider);
    if (!progress) throw new Error(`job ${this.job.id} does not collect ${provider}`);
    change(progress);
    return this.persist();
  }

  /** Proves the runner is alive (crash recovery looks at updatedAt) without changing anything else. */
  heartbeat(): Promise<CollectionJob> {
    return this.persist();
  }

  /**
   * Ends the job. `override` (shutdown, lost lock) fails the providers still running with that
   * error and the job as a whole; otherwise the status follows from the providers'.
   */
  finish(override?: CollectionError): Promise<CollectionJob> {
    if (override) {
      for (const provider of this.job.providers) {
        if (!isActiveStatus(provider.status)) continue;
        provider.status = "FAILED";
        provider.error = override;
      }
    }
    this.job.status = override ? "FAILED" : overallStatus(this.job.providers);
    this.job.finishedAt = this.now().toISOString();
    return this.persist();
  }

  private persist(): Promise<CollectionJob> {
    const write = this.writes.then(() => {
      this.job.updatedAt = this.now().toISOString();
      const { status, providers, startedAt, finishedAt, updatedAt } = this.job;
      return this.jobs.update(this.job.id, {
        status,
        providers,
        updatedAt,
        ...(startedAt ? { startedAt } : {}),
        ...(finishedAt ? { finishedAt } : {}),
      });
    });
    // A failed write must not block the ones after it; the caller of this one sees its error.
    this.writes = write.catch(() => undefined);
    return write;
  }
}
