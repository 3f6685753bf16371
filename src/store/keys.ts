/**
 * Key builders for every item kind. Ids are validated upstream to contain no "#", so a key can
 * never be forged into another tenant's partition.
 */
import type { CloudProvider } from "../domain/provider.js";
import type { IsoDay, IsoMonth } from "../domain/cost-record.js";

export interface ItemKey {
  PK: string;
  SK: string;
}

const monthOf = (day: IsoDay): IsoMonth => day.slice(0, 7);

/** Prefixes the builders below write and itemKindOf recognises. */
const CLIENT_PARTITION = "CLIENT#";
const COST_RECORD_SORT = "COST#";
const ANOMALY_SORT = "ANOMALY#";
const BUDGET_SORT = "BUDGET#";
const BUDGET_ALERT_SORT = "BUDGETALERT#";
const JOB_PARTITION = "JOB#";
const LOCK_SORT = "LOCK#";
const STREAM_PARTITION = "STREAM#";
const JOB_SORT = "JOB";

export const keys = {
  client: (clientId: string): ItemKey => ({ PK: `${CLIENT_PARTITION}${clientId}`, SK: "PROFILE" }),
  /** All clients share one GSI1 partition so `clients` can page through them in id order. */
  clientListing: (clientId: string) => ({ GSI1PK: "CLIENTS", GSI1SK: `CLIENT#${clientId}` }),
  connection: (clientId: string, provider: CloudProvider): ItemKey => ({
    PK: `CLIENT#${clientId}`,
    SK: `CONNECTION#${provider}`,
  }),
  /** All connections share one GSI1 partition, so readiness lists their health in one bounded Query. */
  connectionListing: (clientId: string, provider: CloudProvider) => ({
    GSI1PK: "CONNECTIONS",
    GSI1SK: `CLIENT#${clientId}#${provider}`,
  }),
  costRecord: (clientId: string, provider: CloudProvider, day: IsoDay): ItemKey => ({
    PK: `${CLIENT_PARTITION}${clientId}`,
    SK: `${COST_RECORD_SORT}${provider}#${day}`,
  }),
  /**
   * One provider's days across clients, a partition a month (providerCosts). No GSI2 entry: the
   * base table's `COST#{provider}#{day}` already answers a client's provider by day, so one was
   * never worth its write (src/store/README.md has the numbers).
   */
  costRecordIndexes: (clientId: string, provider: CloudProvider, day: IsoDay) => ({
    GSI1PK: `PROVIDER#${provider}#${monthOf(day)}`,
    GSI1SK: `${day}#CLIENT#${clientId}`,
  }),
  /** Cost lines live in numbered chunk items beside the record, outside the COST# key range. */
  costLines: (clientId: string, provider: CloudProvider, day: IsoDay, chunk: number): ItemKey => ({
    PK: `CLIENT#${clientId}`,
    SK: `LINES#${provider}#${day}#${String(chunk).padStart(3, "0")}`,
  }),
  /** Under the client's partition, by day: a day range is one Query, newest first when read backward. */
  costAnomaly: (clientId: string, day: IsoDay, key: string): ItemKey => ({
    PK: `${CLIENT_PARTITION}${clientId}`,
    SK: `${ANOMALY_SORT}${day}#${key}`,
  }),
  /** The sort-key bounds of a client's anomalies from `start` to `end` (inclusive days). */
  costAnomalyRange: (start: IsoDay, end: IsoDay) => ({
    from: `${ANOMALY_SORT}${start}#`,
    to: `${ANOMALY_SORT}${end}#~`,
  }),
  budget: (clientId: string, budgetId: string): ItemKey => ({
    PK: `${CLIENT_PARTITION}${clientId}`,
    SK: `${BUDGET_SORT}${budgetId}`,
  }),
  budgetPrefix: BUDGET_SORT,
  /** One item per (budget, period, kind, threshold): the key is the alert's, so it is written once. */
  budgetAlert: (clientId: string, alertKey: string): ItemKey => ({
    PK: `${CLIENT_PARTITION}${clientId}`,
    SK: `${BUDGET_ALERT_SORT}${alertKey}`,
  }),
  budgetAlertPrefix: BUDGET_ALERT_SORT,
  job: (jobId: string): ItemKey => ({ PK: `${JOB_PARTITION}${jobId}`, SK: JOB_SORT }),
  jobListing: (clientId: string, createdAt: string, jobId: string) => ({
    GSI2PK: `CLIENT#${clientId}#JOBS`,
    GSI2SK: `${createdAt}#${jobId}`,
  }),
  /** Sparse: only QUEUED and RUNNING jobs carry it, so crash recovery finds them without a scan. */
  activeJob: (jobId: string) => ({ GSI1PK: "JOBS#ACTIVE", GSI1SK: `JOB#${jobId}` }),
  collectionLock: (clientId: string, provider: CloudProvider): ItemKey => ({
    PK: `CLIENT#${clientId}`,
    SK: `${LOCK_SORT}COLLECTION#${provider}`,
  }),
  exchangeRate: (month: IsoMonth, from: string, to: string): ItemKey => ({
    PK: `FXRATE#${month}`,
    SK: `${from}#${to}`,
  }),
  streamLease: (streamName: string): ItemKey => ({ PK: `${STREAM_PARTITION}${streamName}`, SK: "LEASE" }),
  streamCheckpoint: (streamName: string, shardId: string): ItemKey => ({
    PK: `${STREAM_PARTITION}${streamName}`,
    SK: `CHECKPOINT#${shardId}`,
  }),
  dailyRollup: (clientId: string, day: IsoDay): ItemKey => ({
    PK: `TIMESERIES#${clientId}`,
    SK: `DAILY#${day}`,
  }),
  monthlyRollup: (clientId: string, month: IsoMonth): ItemKey => ({
    PK: `TIMESERIES#${clientId}`,
    SK: `MONTHLY#${month}`,
  }),
  /** Beside the rollups it guards; no reader's range (DAILY#…, MONTHLY#…) includes it. */
  writeLease: (clientId: string, provider: CloudProvider, month: IsoMonth): ItemKey => ({
    PK: `TIMESERIES#${clientId}`,
    SK: `LEASE#${provider}#${month}`,
  }),
  /** Cross-client analysis by date on the timeseries table. */
  rollupIndex: (granularity: "DAILY" | "MONTHLY", period: string, clientId: string) => ({
    GSI1PK: `${granularity}#${period}`,
    GSI1SK: `CLIENT#${clientId}`,
  }),
};

/** The item kinds a stream reader decodes; every other kind is "other". */
export type ItemKind = "costRecordHeader" | "collectionJob" | "costAnomaly" | "budgetAlert" | "other";

/** What a stored item is, from its key alone (line chunks, locks and profiles share the client partition). */
/** The stream reader's own items (lease, checkpoints): their changes are in the stream too. */
export function isStreamBookkeeping(key: { PK?: unknown }): boolean {
  return String(key.PK).startsWith(STREAM_PARTITION);
}

/**
 * The client whose data an item of the data table is (its partition is the client's), if any. A
 * collection lock is not data: its heartbeats change nothing a read returns.
 */
export function clientOfDataItem(key: { PK?: unknown; SK?: unknown }): string | undefined {
  const pk = String(key.PK);
  if (!pk.startsWith(CLIENT_PARTITION) || String(key.SK).startsWith(LOCK_SORT)) return undefined;
  return pk.slice(CLIENT_PARTITION.length);
}

export function itemKindOf(item: { PK?: unknown; SK?: unknown }): ItemKind {
  const pk = String(item.PK);
  const sk = String(item.SK);
  if (pk.startsWith(CLIENT_PARTITION) && sk.startsWith(COST_RECORD_SORT)) return "costRecordHeader";
  if (pk.startsWith(CLIENT_PARTITION) && sk.startsWith(ANOMALY_SORT)) return "costAnomaly";
  if (pk.startsWith(CLIENT_PARTITION) && sk.startsWith(BUDGET_ALERT_SORT)) return "budgetAlert";
  if (pk.startsWith(JOB_PARTITION) && sk === JOB_SORT) return "collectionJob";
  return "other";
}
