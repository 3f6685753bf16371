/**
 * The data table's stream records, decoded with the store's own codecs. Only cost-record headers
 * and collection jobs are decoded; line chunks, locks, leases, checkpoints, clients and connections
 * change in the same table and decode to nothing. REMOVE records (TTL expiry of old days) decode to
 * nothing too: an expired item is not a change of what it held.
 */
import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { CollectionJob } from "../domain/collection-job.js";
import type { CostRecordHeader } from "../domain/cost-record.js";
import { collectionJobFromItem } from "./collection-job-store.js";
import { costHeaderFromItem, headerRecord } from "./cost-record-item.js";
import { itemFields } from "./item-fields.js";
import { itemKindOf } from "./keys.js";
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
  /** The stream sequence number of the change. */
  sequenceNumber: string;
}

export interface CollectionJobChange {
  kind: "collectionJob";
  job: CollectionJob;
  sequenceNumber: string;
}

export type StreamItemChange = CostRecordHeaderChange | CollectionJobChange;

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
    case "other":
      return undefined;
  }
}

function costRecordHeaderChange(
  item: StoredItem,
  previous: StoredItem | undefined,
  sequenceNumber: string,
): CostRecordHeaderChange {
  const stored = costHeaderFromItem(item);
  const detailOmitted = stored.detail === undefined;
  const record = headerRecord(
    stored,
    detailOmitted ? { services: [], accounts: [], regions: [] } : undefined,
  );
  const previousTotal = previous
    ? itemFields(previous, `previous image of ${String(item.PK)}/${String(item.SK)}`).number("total")
    : null;
  return { kind: "costRecordHeader", record, detailOmitted, previousTotal, sequenceNumber };
}
