/**
 * Collection jobs for store, stream and recovery tests: the fields a test cares about, and the rest
 * as a collection would write them.
 */
import type { CollectionJob, ProviderCollectionProgress } from "../../src/domain/collection-job.js";

export type CollectionJobFields = Pick<CollectionJob, "id" | "clientId" | "status" | "period" | "createdAt"> &
  Partial<CollectionJob>;

/** A job of one provider (AWS unless `progress` names another) in the job's status; updatedAt defaults to createdAt. */
export function collectionJob(
  fields: CollectionJobFields,
  progress: Partial<ProviderCollectionProgress> = {},
): CollectionJob {
  return {
    updatedAt: fields.createdAt,
    requestedBy: "user-1",
    providers: [
      { provider: "AWS", status: fields.status, recordsWritten: 0, apiRequests: 0, attempts: 0, ...progress },
    ],
    ...fields,
  };
}
