/**
 * Cost anomalies: items `CLIENT#{id}` / `ANOMALY#{day}#{key}` beside the client's records, with the
 * records' TTL. The key is the detector's deterministic event key, so a redelivered change or a
 * re-collection writes the same item, and an unchanged finding is not written at all (no stream
 * event, nothing pushed twice).
 */
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import {
  SEVERITIES,
  type AnomalyDay,
  type AnomalyFeedback,
  type AnomalyRootCause,
  type AnomalyStatus,
  type CostAnomaly,
  type Severity,
} from "../domain/anomaly.js";
import type { IsoDay } from "../domain/cost-record.js";
import type { DayRange } from "../domain/dates.js";
import { batchWriteAll } from "./batch.js";
import { isConditionFailure, ItemNotFoundError } from "./errors.js";
import { checkId, checkPageSize } from "./input.js";
import { keys } from "./keys.js";
import { pageOf, type ListingWindow, type Page } from "./page.js";
import { queryAll, type StoredItem } from "./query.js";
import { decodeItem, encodeShape, type Shape } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

const ROOT_CAUSE: Shape<AnomalyRootCause> = {
  dimension: "string",
  key: "string",
  label: "string",
  impact: "number",
  share: "number",
};

/** What is stored; null scope/provider are absent attributes. */
type StoredAnomaly = Omit<CostAnomaly, "scope" | "provider"> & {
  scope?: NonNullable<CostAnomaly["scope"]>;
  provider?: NonNullable<CostAnomaly["provider"]>;
};

const ANOMALY_DAY: Shape<AnomalyDay> = {
  date: "string",
  actual: "number",
  expected: "number",
  score: "number",
};

const ANOMALY: Shape<StoredAnomaly> = {
  clientId: "string",
  currency: "string",
  key: "string",
  date: "string",
  lastDay: "string",
  scopeKey: "string",
  provider: "string?",
  scope: { map: { dimension: "string", key: "string", label: "string" }, optional: true },
  direction: "string",
  cause: "string",
  actual: "number",
  expected: "number",
  expectedLower: "number",
  expectedUpper: "number",
  impact: "number",
  impactPercent: "number|null",
  score: "number",
  severity: "string",
  rootCauses: { list: ROOT_CAUSE },
  days: { list: ANOMALY_DAY },
  status: "string",
  feedback: "string?",
  detectedAt: "string",
  updatedAt: "string",
  expiresAt: "number",
};

export function costAnomalyToItem(anomaly: CostAnomaly): StoredItem {
  const { scope, provider, ...rest } = anomaly;
  const stored: StoredAnomaly = { ...rest, ...(scope ? { scope } : {}), ...(provider ? { provider } : {}) };
  return {
    ...keys.costAnomaly(anomaly.clientId, anomaly.date, anomaly.key),
    entity: "COST_ANOMALY",
    // Filters of the listing read these two without decoding the item.
    severityRank: SEVERITIES.indexOf(anomaly.severity),
    ...encodeShape(ANOMALY, stored),
  };
}

export function costAnomalyFromItem(item: StoredItem): CostAnomaly {
  const stored = decodeItem(ANOMALY, item, `cost anomaly ${String(item.PK)}/${String(item.SK)}`);
  return { ...stored, scope: stored.scope ?? null, provider: stored.provider ?? null };
}

export interface AnomalyListing {
  period: DayRange;
  minSeverity?: Severity;
  status?: AnomalyStatus;
}

export class CostAnomalyStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;
  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames }) {
    this.doc = options.doc;
    this.table = options.names.data;
  }

  async get(clientId: string, day: IsoDay, key: string): Promise<CostAnomaly | null> {
    checkId(clientId, "clientId");
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.costAnomaly(clientId, day, key) }),
    );
    return Item ? costAnomalyFromItem(Item) : null;
  }

  /** Every anomaly of the client whose first day lies in the range, oldest first. */
  async between(clientId: string, range: DayRange): Promise<CostAnomaly[]> {
    checkId(clientId, "clientId");
    const bounds = keys.costAnomalyRange(range.start, range.end);
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": keys.client(clientId).PK, ":from": bounds.from, ":to": bounds.to },
    });
    return items.map(costAnomalyFromItem);
  }

  /** Writes new and changed anomalies (the caller leaves unchanged ones out). */
  async save(anomalies: readonly CostAnomaly[]): Promise<void> {
    anomalies.forEach((anomaly, i) => checkId(anomaly.clientId, `anomalies[${i}].clientId`));
    await batchWriteAll(
      this.doc,
      this.table,
      anomalies.map((anomaly) => ({ PutRequest: { Item: costAnomalyToItem(anomaly) } })),
    );
  }

  /**
   * A client's anomalies of the period, newest day first, narrowed by severity and status; a
   * window's cursor is the listing position (`listingPosition`).
   */
  async list(clientId: string, listing: AnomalyListing, window: ListingWindow): Promise<Page<CostAnomaly>> {
    checkId(clientId, "clientId");
    checkPageSize(window.size, "size");
    const bounds = keys.costAnomalyRange(listing.period.start, listing.period.end);
    // Newest first: forward reads toward smaller keys, backward toward larger ones.
    const upward = window.backward;
    const from = window.cursor !== undefined && upward ? window.cursor : bounds.from;
    const to = window.cursor !== undefined && !upward ? window.cursor : bounds.to;
    const filters: string[] = [];
    const values: Record<string, unknown> = { ":pk": keys.client(clientId).PK, ":from": from, ":to": to };
    if (listing.minSeverity) {
      filters.push("severityRank >= :rank");
      values[":rank"] = SEVERITIES.indexOf(listing.minSeverity);
    }
    if (listing.status) {
      filters.push("#status = :status");
      values[":status"] = listing.status;
    }
    const { items } = await queryAll(
      this.doc,
      {
        TableName: this.table,
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: values,
        ...(filters.length > 0 ? { FilterExpression: filters.join(" AND ") } : {}),
        ...(listing.status ? { ExpressionAttributeNames: { "#status": "status" } } : {}),
        ScanIndexForward: upward,
      },
      { maxItems: window.size + 2 },
    );
    // BETWEEN includes the cursor's own item: it belongs to the page before.
    const read = items.filter((item) => item.SK !== window.cursor).slice(0, window.size + 1);
    return pageOf(read.map(costAnomalyFromItem), window);
  }

  /** Records a caller's verdict; NotFound when the anomaly does not exist. */
  async setFeedback(
    clientId: string,
    day: IsoDay,
    key: string,
    feedback: AnomalyFeedback,
    updatedAt: string,
  ): Promise<CostAnomaly> {
    checkId(clientId, "clientId");
    try {
      const { Attributes } = await this.doc.send(
        new UpdateCommand({
          TableName: this.table,
          Key: keys.costAnomaly(clientId, day, key),
          UpdateExpression: "SET feedback = :feedback, updatedAt = :updatedAt",
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeValues: { ":feedback": feedback, ":updatedAt": updatedAt },
          ReturnValues: "ALL_NEW",
        }),
      );
      return costAnomalyFromItem(Attributes!);
    } catch (error) {
      if (isConditionFailure(error)) throw new ItemNotFoundError("cost anomaly", key);
      throw error;
    }
  }
}

/** Where an anomaly sits in its client's listing (a cursor's position). */
export const listingPosition = (anomaly: Pick<CostAnomaly, "clientId" | "date" | "key">): string =>
  keys.costAnomaly(anomaly.clientId, anomaly.date, anomaly.key).SK;
