/**
 * Collections as callers see them: trigger one (editors and admins of the client), read a job (its
 * tenant decides access), list a client's jobs newest first, re-collect the trailing days.
 */
import type { CollectionJob } from "../domain/collection-job.js";
import type { Authentication } from "../domain/identity.js";
import { validateSafeId } from "../domain/validation.js";
import type { CollectionRequestInput } from "../collection/collection-request.js";
import type { CollectionService } from "../collection/collection-service.js";
import { jobListingCursor, type CollectionJobStore } from "../store/collection-job-store.js";
import { requireCaller, requireEdit, requireRead } from "./authorization.js";
import type { Connection, CursorCodec, PageRequest } from "./cursors.js";

export interface CollectionDeps {
  jobs: CollectionJobStore;
  collections: CollectionService;
  cursors: CursorCodec;
}

export class Collections {
  constructor(private readonly deps: CollectionDeps) {}

  /** The QUEUED job at once, or the job already collecting one of these providers. */
  async trigger(
    auth: Authentication,
    input: CollectionRequestInput & { clientId: string },
  ): Promise<CollectionJob> {
    const clientId = validateSafeId(input.clientId, "clientId");
    const caller = requireEdit(auth, clientId);
    return this.deps.collections.triggerCollection({ ...input, clientId, requestedBy: caller.sub });
  }

  /** Re-collects the client's trailing days (the sandbox's refresh). */
  async refreshRecentDays(auth: Authentication, clientId: string, days: number): Promise<CollectionJob> {
    const caller = requireEdit(auth, clientId);
    return this.deps.collections.refreshRecentDays(clientId, days, caller.sub);
  }

  /** Another tenant's job id gets FORBIDDEN, never the job. */
  async job(auth: Authentication, id: string): Promise<CollectionJob | null> {
    requireCaller(auth);
    validateSafeId(id, "id");
    const job = await this.deps.jobs.get(id);
    if (!job) return null;
    requireRead(auth, job.clientId);
    return job;
  }

  /** Newest first. */
  async jobs(auth: Authentication, clientId: string, page: PageRequest): Promise<Connection<CollectionJob>> {
    requireRead(auth, clientId);
    return this.deps.cursors.page(
      `jobs:${clientId}`,
      page,
      jobListingCursor,
      (window) => this.deps.jobs.listByClient(clientId, window),
      () => this.deps.jobs.countByClient(clientId),
    );
  }
}
