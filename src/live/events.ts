/**
 * What subscribers receive, and the pure translation of one DynamoDB Streams record into it.
 * Only cost-record headers and collection jobs make events; line chunks, locks, leases,
 * checkpoints, clients and connections change in the same table and are ignored. REMOVE records
 * (TTL expiry of old days) are ignored too: an expired day is not a change a dashboard shows.
 */
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { CollectionJob } from "../domain/collection-job.js";
import type { CloudProvider } from "../domain/provider.js";
import type { IsoDay } from "../domain/cost-record.js";
import { collectionJobFromItem } from "../store/collection-job-store.js";
import { costHeaderFromItem, headerRecord, type CostRecordHeader } from "../store/cost-record-item.js";
import { itemFields } from "../store/item-fields.js";
import type { StoredItem } from "../store/query.js";
import type { Topic } from "./pubsub.js";

export interface CostRecordChangeEvent {
  /** ADDED when the day was not stored before, UPDATED when it replaced a stored version. */
  changeType: "ADDED" | "UPDATED";
  clientId: string;
  provider: CloudProvider;
  date: IsoDay;
  /** The record's version; with `eventId` it lets a client drop an event it already has. */
  version: number;
  record: CostRecordHeader;
  /**
   * True for the rare record whose services/accounts/regions lists are too large for its header
   * item (see cost-record-item.ts): they are empty here and must be read from the store.
   */
  detailOmitted: boolean;
  /** The replaced version's total, in the reporting currency; null when ADDED. */
  previousTotal: number | null;
  /** The stream sequence number of the change. Delivery is at-least-once; repeats carry the same id. */
  eventId: string;
}

export interface CollectionJobEvent {
  job: CollectionJob;
  /** The stream sequence number of the change. */
  eventId: string;
}

export const costRecordTopic = (clientId: string) =>
  `costRecords:${clientId}` as Topic<CostRecordChangeEvent>;
export const collectionJobTopic = (clientId: string) =>
  `collectionJobs:${clientId}` as Topic<CollectionJobEvent>;

interface TopicEvent<E> {
  topic: Topic<E>;
  event: E;
}

export type LiveEvent = TopicEvent<CostRecordChangeEvent> | TopicEvent<CollectionJobEvent>;

// The item layout of keys.ts: cost headers are CLIENT#{c} / COST#{p}#{day}, jobs JOB#{id} / JOB.
const isCostHeader = (item: StoredItem) =>
  String(item.PK).startsWith("CLIENT#") && String(item.SK).startsWith("COST#");
const isJob = (item: StoredItem) => String(item.PK).startsWith("JOB#") && item.SK === "JOB";

/**
 * The events one stream record makes: none, or one. Throws CorruptItemError (naming the item and
 * field) when a cost header or job image cannot be decoded.
 */
export function eventsFromStreamRecord(record: StreamRecord): LiveEvent[] {
  const change = record.dynamodb;
  if (record.eventName === "REMOVE" || !change?.NewImage || !change.SequenceNumber) return [];
  const eventId = change.SequenceNumber;
  const item = unmarshall(change.NewImage);
  const previous = change.OldImage ? unmarshall(change.OldImage) : undefined;
  if (isCostHeader(item)) return [costRecordEvent(item, previous, eventId)];
  if (isJob(item)) {
    const job = collectionJobFromItem(item);
    return [{ topic: collectionJobTopic(job.clientId), event: { job, eventId } }];
  }
  return [];
}

function costRecordEvent(item: StoredItem, previous: StoredItem | undefined, eventId: string): LiveEvent {
  const stored = costHeaderFromItem(item);
  const detailOmitted = stored.detail === undefined;
  const record = headerRecord(
    stored,
    detailOmitted ? { services: [], accounts: [], regions: [] } : undefined,
  );
  const previousTotal = previous
    ? itemFields(previous, `previous image of ${String(item.PK)}/${String(item.SK)}`).number("total")
    : null;
  return {
    topic: costRecordTopic(record.clientId),
    event: {
      changeType: previous ? "UPDATED" : "ADDED",
      clientId: record.clientId,
      provider: record.provider,
      date: record.date,
      version: record.version,
      record,
      detailOmitted,
      previousTotal,
      eventId,
    },
  };
}
