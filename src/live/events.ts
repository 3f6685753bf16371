/**
 * What subscribers receive, and the pure translation of one DynamoDB Streams record into it. The
 * store decodes the record (store/stream-items.ts); only cost-record headers, cost anomalies,
 * budget alerts and collection jobs make events.
 */
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import type { CostAnomaly } from "../domain/anomaly.js";
import type { BudgetAlert } from "../domain/budget.js";
import type { CollectionJob } from "../domain/collection-job.js";
import type { CostRecordHeader, IsoDay } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import { decodeStreamRecord, type StreamItemChange } from "../store/stream-items.js";
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

export interface CostAnomalyEvent {
  anomaly: CostAnomaly;
  /** The stream sequence number of the change. */
  eventId: string;
}

export interface BudgetAlertEvent {
  alert: BudgetAlert;
  /** The stream sequence number of the change. */
  eventId: string;
}

export interface CollectionJobEvent {
  job: CollectionJob;
  /** The stream sequence number of the change. */
  eventId: string;
}

/**
 * Clients whose stored data changed (any item of theirs in the data table): every instance's read
 * cache drops their entries. Published before the changes' own events.
 */
export interface DataVersionEvent {
  clientIds: string[];
}

export const dataVersionTopic = "dataVersions" as Topic<DataVersionEvent>;

export const costRecordTopic = (clientId: string) =>
  `costRecords:${clientId}` as Topic<CostRecordChangeEvent>;
export const collectionJobTopic = (clientId: string) =>
  `collectionJobs:${clientId}` as Topic<CollectionJobEvent>;

interface TopicEvent<E> {
  topic: Topic<E>;
  event: E;
}

export const budgetAlertTopic = (clientId: string) => `budgetAlerts:${clientId}` as Topic<BudgetAlertEvent>;
export const costAnomalyTopic = (clientId: string) => `costAnomalies:${clientId}` as Topic<CostAnomalyEvent>;

export type LiveEvent =
  | TopicEvent<CostRecordChangeEvent>
  | TopicEvent<CollectionJobEvent>
  | TopicEvent<CostAnomalyEvent>
  | TopicEvent<BudgetAlertEvent>;

/**
 * The events one stream record makes: none, or one. Throws CorruptItemError (naming the item and
 * field) when a cost header, anomaly or job image cannot be decoded.
 */
export function eventsFromStreamRecord(record: StreamRecord): LiveEvent[] {
  return eventsOf(decodeStreamRecord(record));
}

/** The events of one decoded change. */
export function eventsOf(change: StreamItemChange | undefined): LiveEvent[] {
  if (!change) return [];
  const eventId = change.sequenceNumber;
  if (change.kind === "collectionJob") {
    const { job } = change;
    return [{ topic: collectionJobTopic(job.clientId), event: { job, eventId } }];
  }
  if (change.kind === "budgetAlert") {
    const { alert } = change;
    return [{ topic: budgetAlertTopic(alert.clientId), event: { alert, eventId } }];
  }
  if (change.kind === "costAnomaly") {
    const { anomaly } = change;
    return [{ topic: costAnomalyTopic(anomaly.clientId), event: { anomaly, eventId } }];
  }
  const { record: header, detailOmitted, previousTotal } = change;
  return [
    {
      topic: costRecordTopic(header.clientId),
      event: {
        changeType: previousTotal === null ? "ADDED" : "UPDATED",
        clientId: header.clientId,
        provider: header.provider,
        date: header.date,
        version: header.version,
        record: header,
        detailOmitted,
        previousTotal,
        eventId,
      },
    },
  ];
}
