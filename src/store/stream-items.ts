/**
 * The data table's stream records, decoded with the store's own codecs. Only cost-record headers,
 * cost anomalies, budget alerts and collection jobs are decoded; line chunks, locks, leases, checkpoints, clients and connections
 * change in the same table and decode to nothing. REMOVE records (TTL expiry of old days) decode to
 * nothing too: an expired item is not a change of what it held.
 */
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { CollectionJob } from "../domain/collection-job.js";
import type { CostRecordHeader } from "../domain/cost-record.js";
import type { CostAnomaly } from "../domain/anomaly.js";
import type { BudgetAlert } from "../domain/budget.js";
import { costAnomalyFromItem } from "./anomaly-store.js";
import { budgetAlertFromItem } from "./budget-store.js";
import { collectionJobFromItem } from "./collection-job-store.js";
import { costHeaderFromItem, headerRecord } from "./cost-record-item.js";
import { clientOfDataItem, isStreamBookkeeping, itemKindOf } from "./keys.js";
import type { StoredItem } from "./query.js";

export interface CostRecordHeaderChange {
  kind: "costRecordHeader";
  record: CostRecordHeader;
  /**
   * True for the rare record whose services/accounts/regions lists are too large for its header
   * item (see cost-record-item.ts): they are empty in `record` and must be read from the store.
   */
  detailOmitted: boolean;
  /** The replaced version's total, in the reporting currency; null when the day is new. */
  previousTotal: number | null;
  /** The replaced version (its lists empty when they did not fit its header item); null when the day is new. */
  previous: CostRecordHeader | null;
  /** The stream sequence number of the change. */
  sequenceNumber: string;
}

export interface CostAnomalyChange {
  kind: "costAnomaly";
  anomaly: CostAnomaly;
  sequenceNumber: string;
}

export interface BudgetAlertChange {
  kind: "budgetAlert";
  alert: BudgetAlert;
  sequenceNumber: string;
}

export interface CollectionJobChange {
  kind: "collectionJob";
  job: CollectionJob;
  sequenceNumber: string;
}

export type StreamItemChange =
  CostRecordHeaderChange | CollectionJobChange | CostAnomalyChange | BudgetAlertChange;

/** Whether the record is the stream reader's own lease or checkpoint write. */
export function isReaderBookkeeping(record: StreamRecord): boolean {
  const keys = record.dynamodb?.Keys;
  return keys !== undefined && isStreamBookkeeping(unmarshall(keys));
}

/**
 * The client whose stored data the record changed (inserted, modified or removed), if the item is
 * a client's: what invalidates the client's cached reads.
 */
export function changedClientOf(record: StreamRecord): string | undefined {
  const keys = record.dynamodb?.Keys;
  return keys ? clientOfDataItem(unmarshall(keys)) : undefined;
}

/**
 * What one stream record changed, or undefined when it is nothing a reader decodes. Throws
 * CorruptItemError (naming the item and field) when a cost header or job image cannot be decoded.
 */
export function decodeStreamRecord(record: StreamRecord): StreamItemChange | undefined {
  const change = record.dynamodb;
  if (record.eventName === "REMOVE" || !change?.NewImage || !change.SequenceNumber) return undefined;
  const sequenceNumber = change.SequenceNumber;
  const item = unmarshall(change.NewImage);
  switch (itemKindOf(item)) {
    case "costRecordHeader":
      return costRecordHeaderChange(item, change.OldImage && unmarshall(change.OldImage), sequenceNumber);
    case "collectionJob":
      return { kind: "collectionJob", job: collectionJobFromItem(item), sequenceNumber };
    case "costAnomaly":
      return { kind: "costAnomaly", anomaly: costAnomalyFromItem(item), sequenceNumber };
    case "budgetAlert":
      // Raised once: a later write of the same item (none today) would not be a new alert.
      return record.eventName === "INSERT"
        ? { kind: "budgetAlert", alert: budgetAlertFromItem(item), sequenceNumber }
        : undefined;
    case "other":
      return undefined;
  }
}

/** A header item as a record header; lists that did not fit the item (see cost-record-item.ts) come out empty. */
function headerOf(item: StoredItem): CostRecordHeader {
  const stored = costHeaderFromItem(item);
  return headerRecord(
    stored,
    stored.detail === undefined ? { services: [], accounts: [], regions: [] } : undefined,
  );
}

function costRecordHeaderChange(
  item: StoredItem,
  previous: StoredItem | undefined,
  sequenceNumber: string,
): CostRecordHeaderChange {
  const replaced = previous ? headerOf(previous) : null;
  return {
    kind: "costRecordHeader",
    record: headerOf(item),
    detailOmitted: costHeaderFromItem(item).detail === undefined,
    previousTotal: replaced?.total ?? null,
    previous: replaced,
    sequenceNumber,
  };
}
