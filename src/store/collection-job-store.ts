/**
 * Collection jobs (`JOB#{id}` / `JOB`, listed per client newest first through GSI2) and the
 * per (client, provider) collection lock that keeps two jobs from pulling the same data at once.
 */
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { COLLECTION_STATUSES, type CollectionJob } from "../domain/collection-job.js";
import type { CloudProvider } from "../domain/provider.js";
import { describeValue, isSafeId, ValidationError, validateDateRange } from "../domain/validation.js";
import { CollectionLockStore, type LockHolder } from "./collection-lock.js";
import { isConditionFailure, ItemAlreadyExistsError, ItemNotFoundError } from "./errors.js";
import { checkId, checkPageSize, checkProvider } from "./input.js";
import { keys } from "./keys.js";
import { pageOf, windowQuery, type ListingWindow, type Page } from "./page.js";
import { countAll, queryAll, type StoredItem } from "./query.js";
import { decodeItem, encodeShape, type Shape } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

const COLLECTION_JOB: Shape<CollectionJob> = {
  id: "string",
  clientId: "string",
  status: "string",
  period: { map: { start: "string", end: "string" } },
  providers: {
    list: {
      provider: "string",
      status: "string",
      recordsWritten: "number",
      apiRequests: "number",
      attempts: "number",
      error: { map: { code: "string", message: "string", retryable: "boolean" }, optional: true },
      skipped: { map: { start: "string", end: "string", reason: "string" }, optional: true },
    },
  },
  createdAt: "string",
  updatedAt: "string",
  startedAt: "string?",
  finishedAt: "string?",
  requestedBy: "string",
};

export type CollectionJobUpdate = Partial<
  Pick<CollectionJob, "status" | "providers" | "startedAt" | "finishedAt">
> & {
  updatedAt: string;
};

const isActive = (status: CollectionJob["status"]) => status === "QUEUED" || status === "RUNNING";

export function collectionJobToItem(job: CollectionJob): StoredItem {
  return {
    ...keys.job(job.id),
    ...keys.jobListing(job.clientId, job.createdAt, job.id),
    ...(isActive(job.status) ? keys.activeJob(job.id) : {}),
    entity: "COLLECTION_JOB",
    ...encodeShape(COLLECTION_JOB, job),
  };
}

export function collectionJobFromItem(item: StoredItem): CollectionJob {
  return decodeItem(COLLECTION_JOB, item, `collection job ${String(item.PK)}`);
}

function checkStatus(status: unknown, field: string): void {
  if (!(COLLECTION_STATUSES as readonly unknown[]).includes(status)) {
    throw new ValidationError(
      field,
      `${describeValue(status)} is not one of ${COLLECTION_STATUSES.join(", ")}`,
    );
  }
}

/** Job list cursors are the GSI2 sort key (`{createdAt}#{jobId}`), base64url so clients treat them as opaque. */
/** The listing position of a job, as `listByClient` takes it for a window's cursor. */
export const jobListingCursor = (job: CollectionJob) =>
  Buffer.from(keys.jobListing(job.clientId, job.createdAt, job.id).GSI2SK).toString("base64url");

function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8");
  const [createdAt = "", jobId = "", ...rest] = decoded.split("#");
  if (Number.isNaN(Date.parse(createdAt)) || !isSafeId(jobId) || rest.length > 0) {
    throw new ValidationError("cursor", "is not a cursor this listing returned");
  }
  return decoded;
}

export class CollectionJobStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  private readonly locks: CollectionLockStore;

  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames; now?: () => Date }) {
    this.doc = options.doc;
    this.table = options.names.data;
    this.locks = new CollectionLockStore(options);
  }

  async create(job: CollectionJob): Promise<CollectionJob> {
    checkId(job.id, "id");
    checkId(job.clientId, "clientId");
    checkStatus(job.status, "status");
    validateDateRange(job.period, "period", Number.MAX_SAFE_INTEGER);
    job.providers.forEach((p, i) => checkProvider(p.provider, `providers[${i}].provider`));
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: collectionJobToItem(job),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      throw isConditionFailure(error) ? new ItemAlreadyExistsError("collection job", job.id) : error;
    }
    return job;
  }

  async get(jobId: string): Promise<CollectionJob | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.job(checkId(jobId, "id")) }),
    );
    return Item ? collectionJobFromItem(Item) : null;
  }

  /** Sets the given fields and returns the job as stored; ItemNotFoundError when there is no such job. */
  async update(jobId: string, update: CollectionJobUpdate): Promise<CollectionJob> {
    checkId(jobId, "id");
    if (update.status !== undefined) checkStatus(update.status, "status");
    update.providers?.forEach((p, i) => {
      checkProvider(p.provider, `providers[${i}].provider`);
      checkStatus(p.status, `providers[${i}].status`);
    });
    const fields = Object.entries({
      ...encodeShape(COLLECTION_JOB, update as CollectionJob),
      ...(update.status !== undefined && isActive(update.status) ? keys.activeJob(jobId) : {}),
    });
    // A finished job leaves the active-jobs index (its keys are removed, the index is sparse).
    const leaveActive = update.status !== undefined && !isActive(update.status);
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.job(jobId),
          ConditionExpression: "attribute_exists(PK)",
          UpdateExpression:
            `SET ${fields.map((_, i) => `#f${i} = :f${i}`).join(", ")}` +
            (leaveActive ? " REMOVE GSI1PK, GSI1SK" : ""),
          ExpressionAttributeNames: Object.fromEntries(fields.map(([name], i) => [`#f${i}`, name])),
          ExpressionAttributeValues: Object.fromEntries(fields.map(([, value], i) => [`:f${i}`, value])),
          ReturnValues: "ALL_NEW",
        }),
      );
      return collectionJobFromItem(Attributes ?? {});
    } catch (error) {
      throw isConditionFailure(error) ? new ItemNotFoundError("collection job", jobId) : error;
    }
  }

  /** Every QUEUED or RUNNING job of every client (the sparse GSI1 partition), for crash recovery. */
  async listActive(): Promise<CollectionJob[]> {
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.activeJob("").GSI1PK },
    });
    return items.map(collectionJobFromItem);
  }

  /** The client's jobs, newest first; `after` is a previous page's endCursor. */
  /** How many jobs the client has (one COUNT Query over its listing). */
  async countByClient(clientId: string): Promise<number> {
    checkId(clientId, "clientId");
    return countAll(this.doc, {
      TableName: this.table,
      IndexName: "GSI2",
      KeyConditionExpression: "GSI2PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.jobListing(clientId, "", "").GSI2PK },
    });
  }

  /** A client's jobs, newest first; a window's cursor is a jobListingCursor. */
  async listByClient(clientId: string, window: ListingWindow): Promise<Page<CollectionJob>> {
    checkId(clientId, "clientId");
    checkPageSize(window.size, "size");
    const start = window.cursor === undefined ? undefined : decodeCursor(window.cursor);
    const range = windowQuery(window, "descending", "GSI2SK", start);
    const { items } = await queryAll(
      this.doc,
      {
        TableName: this.table,
        IndexName: "GSI2",
        KeyConditionExpression: `GSI2PK = :pk${range.condition}`,
        ExpressionAttributeValues: { ":pk": keys.jobListing(clientId, "", "").GSI2PK, ...range.values },
        ScanIndexForward: range.scanIndexForward,
      },
      { maxItems: window.size + 1 },
    );
    return pageOf(items.map(collectionJobFromItem), window);
  }

  /** See CollectionLockStore.acquire. */
  acquireLock(
    clientId: string,
    provider: CloudProvider,
    jobId: string,
    ttlSeconds: number,
  ): Promise<boolean> {
    return this.locks.acquire(clientId, provider, jobId, ttlSeconds);
  }

  /** See CollectionLockStore.renew. */
  renewLock(clientId: string, provider: CloudProvider, jobId: string, ttlSeconds: number): Promise<boolean> {
    return this.locks.renew(clientId, provider, jobId, ttlSeconds);
  }

  /** See CollectionLockStore.release. */
  releaseLock(clientId: string, provider: CloudProvider, jobId: string): Promise<boolean> {
    return this.locks.release(clientId, provider, jobId);
  }

  /** See CollectionLockStore.holder. */
  getLockHolder(clientId: string, provider: CloudProvider): Promise<LockHolder | null> {
    return this.locks.holder(clientId, provider);
  }
}
