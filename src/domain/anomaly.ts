/**
 * A cost anomaly as the product keeps it: what a detector found on one client's day (src/insights),
 * plus its lifecycle (status, feedback) and when it was seen.
 */
import type { CostDimension } from "./aggregation.js";
import type { IsoDay } from "./cost-record.js";
import type { CloudProvider } from "./provider.js";

export const SEVERITIES = ["LOW", "MEDIUM", "HIGH"] as const;
export type Severity = (typeof SEVERITIES)[number];
export const ANOMALY_DIRECTIONS = ["SPIKE", "DROP"] as const;
export type AnomalyDirection = (typeof ANOMALY_DIRECTIONS)[number];
/** What moved the number. */
export const ANOMALY_CAUSES = ["USAGE", "EXCHANGE_RATE", "CREDIT", "TAX", "RESTATEMENT"] as const;
export type AnomalyCause = (typeof ANOMALY_CAUSES)[number];
export const ANOMALY_FEEDBACK = ["CONFIRMED", "NOT_ANOMALY", "PLANNED"] as const;
export type AnomalyFeedback = (typeof ANOMALY_FEEDBACK)[number];
/** RESOLVED: a later restatement or re-collection removed the deviation. */
export const ANOMALY_STATUSES = ["OPEN", "RESOLVED"] as const;
export type AnomalyStatus = (typeof ANOMALY_STATUSES)[number];

/** Where the anomaly is reported; null for the client's total. */
export interface AnomalyScope {
  dimension: CostDimension;
  key: string;
  label: string;
}

export interface AnomalyRootCause {
  dimension: CostDimension;
  key: string;
  label: string;
  /** Reporting currency: this value's share of the move. */
  impact: number;
  /** impact / the anomaly's impact, 0..1. */
  share: number;
}

/** One day of an event, as judged on the day it was detected. */
export interface AnomalyDay {
  date: IsoDay;
  actual: number;
  expected: number;
  score: number;
}

/** What a detector reports for one event; amounts in the client's reporting currency. */
export interface AnomalyFinding {
  /** Deterministic per event (client, scope, direction, first day): redelivery and re-collection find the same key. */
  key: string;
  clientId: string;
  currency: string;
  /** The event's first day. */
  date: IsoDay;
  /** The last day the event was seen (a level shift spans days). */
  lastDay: IsoDay;
  provider: CloudProvider | null;
  scope: AnomalyScope | null;
  /** Names the series (its pattern, for suppression): "TOTAL", "PROVIDER|AWS", "SERVICE|AWS|AmazonEC2"... */
  scopeKey: string;
  direction: AnomalyDirection;
  cause: AnomalyCause;
  /** Sums over the event's days. */
  actual: number;
  expected: number;
  /** expected -/+ threshold * the combined scale of the days. */
  expectedLower: number;
  expectedUpper: number;
  impact: number;
  /** 100 * impact / |expected|; null when nothing was expected. */
  impactPercent: number | null;
  /** The largest score of the event's days (signed), in robust standard deviations. */
  score: number;
  severity: Severity;
  /**
   * Items of the scope whose move went the anomaly's way, on the day it was strongest: impact is
   * the item's actual - expected, share its part of the anomaly's move (capped at 1 when other
   * items offset some of it). First the item that carries the whole move best, then by share.
   */
  rootCauses: AnomalyRootCause[];
  days: AnomalyDay[];
}

export interface CostAnomaly extends AnomalyFinding {
  status: AnomalyStatus;
  feedback?: AnomalyFeedback;
  /** ISO instants. */
  detectedAt: string;
  updatedAt: string;
  /** Epoch seconds at which DynamoDB TTL may delete it: the TTL of its last day's records. */
  expiresAt: number;
}

const SEVERITY_RANK: Record<Severity, number> = { LOW: 0, MEDIUM: 1, HIGH: 2 };

export function atLeast(severity: Severity, minimum: Severity | undefined): boolean {
  return minimum === undefined || SEVERITY_RANK[severity] >= SEVERITY_RANK[minimum];
}

/** Feedback that asks not to be alerted again for the same pattern. */
export const SUPPRESSING_FEEDBACK: readonly AnomalyFeedback[] = ["NOT_ANOMALY", "PLANNED"];
