/**
 * Scores stored anomalies against the labelled ground truth. Pure: runs in, figures out.
 *
 * Matching, per tenant: an anomaly relates to a provider when it is that provider's, or is
 * client-level (provider null) and one of its root causes names the provider or one of its items.
 * 1. A usage label (SPIKE, DROP, LEVEL_SHIFT) is found by the anomalies of its provider that start
 *    within its days (±1) in its direction (a level shift's: the sign of its change); an anomaly
 *    goes to the nearest such label, each label counts once (further anomalies are duplicates).
 * 2. Anomalies left that start on a decoy's days (an FX decoy's: its month and the next day, when
 *    the rate moves back) of its provider belong to the decoy: never false alarms, but their cause
 *    must not be USAGE.
 * 3. Every other anomaly, open or resolved, is a false alarm.
 * Precision is per event: found labels / (found labels + false alarms). By kind and by size band,
 * a found label counts in its own kind and band; a false alarm in the kind its shape suggests (a
 * multi-day event is a LEVEL_SHIFT, else its direction) and the band of its |score| (σ).
 */
import type { AnomalyCause, CostAnomaly } from "../../src/domain/anomaly.js";
import { addDays } from "../../src/domain/dates.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import { DEFAULT_ANOMALY_SETTINGS } from "../../src/insights/anomaly-detection.js";
import { USAGE_EVENT_KINDS, type InjectedEventKind } from "../../src/sandbox/billing-dataset.js";
import { sizeBandOf, type EventLabel, type SizeBand } from "../../src/sandbox/labelled-events.js";

/** Labels of at least 3σ (the planned SMALL size, less the planner's rounding). */
const MIN_SIGMAS = 2.99;
const SIZE_BANDS: readonly SizeBand[] = ["SMALL", "MEDIUM", "LARGE"];
/** The planner's default warm-up: no event starts in a history's first 30 days. */
const WARMUP_DAYS = 30;

export interface AnomalyRunInput {
  seed: number;
  /** The backfill: its first 30 days are the planner's warm-up, where no event lands. */
  period: { start: string };
  labels: readonly EventLabel[];
  anomalies: readonly CostAnomaly[];
}

export interface Score {
  labels: number;
  found: number;
  falseAlarms: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface DecoyScore {
  decoys: number;
  /** Decoys with no anomaly at all. */
  silent: number;
  /** Decoys whose every anomaly names the expected cause. */
  rightCause: number;
  /** Decoys with an anomaly of cause USAGE (the target is none). */
  usage: number;
}

export interface FalseAlarm {
  seed: number;
  date: string;
  lastDay: string;
  scopeKey: string;
  direction: string;
  cause: AnomalyCause;
  score: number;
  impact: number;
  status: string;
}

export interface LabelOutcome {
  seed: number;
  id: string;
  kind: InjectedEventKind;
  provider: CloudProvider;
  target: string;
  start: string;
  sizeBand: SizeBand;
  sigmaMultiple: number;
  /** The change per day in the billing currency. */
  amountPerDay: number;
  expectedCause: AnomalyCause;
  anomalies: number;
  /** Found labels: does the first anomaly's scope or first root cause name the target? */
  rootCauseTop1: boolean | null;
  /** Causes of the anomalies matched (found labels and decoys). */
  causes: AnomalyCause[];
  /** The anomalies matched: first day, scope, direction, cause, score. */
  matches: string[];
}

export interface AnomalyReport {
  tenants: number;
  tenantMonths: number;
  anomalies: number;
  /** Labels of ≥ 3σ, with every false alarm. */
  overall: Score;
  byKind: Record<string, Score>;
  byBand: Record<string, Score>;
  bySeedAndProvider: (Score & { seed: number; provider: string })[];
  rootCause: { checked: number; correct: number; share: number | null };
  /** Found usage labels whose anomaly's cause is not USAGE. */
  foundWithOtherCause: number;
  duplicates: number;
  decoys: Record<string, DecoyScore> & { all: DecoyScore };
  falseAlarms: {
    count: number;
    perTenantMonth: number;
    resolved: number;
    /** In the first 30 days of a backfill (short history, no labelled event there). */
    inFirstMonth: number;
    list: FalseAlarm[];
  };
  /** Usage labels whose change is below the detector's minImpact (never raised by design), and found of them. */
  underMinImpact: { labels: number; found: number };
  labels: LabelOutcome[];
}

const qualified = (label: EventLabel) => `${label.provider}|${label.key}`;

function relatesTo(anomaly: CostAnomaly, provider: CloudProvider): boolean {
  if (anomaly.provider !== null) return anomaly.provider === provider;
  return anomaly.rootCauses.some((cause) => cause.key === provider || cause.key.startsWith(`${provider}|`));
}

/** A usage label's days ±1. */
function within(anomaly: CostAnomaly, label: EventLabel): boolean {
  return anomaly.date >= addDays(label.start, -1) && anomaly.date <= addDays(label.end, 1);
}

/** A decoy's own days; an FX month's and the next day's (the rate moves back then). */
function onDecoyDays(anomaly: CostAnomaly, label: EventLabel): boolean {
  const end = label.kind === "DECOY_FX" ? addDays(label.end, 1) : label.end;
  return anomaly.date >= label.start && anomaly.date <= end;
}

function directionOf(label: EventLabel): CostAnomaly["direction"] {
  return label.amountPerDay >= 0 ? "SPIKE" : "DROP";
}

function names(label: EventLabel, item: { dimension: string; key: string } | null | undefined): boolean {
  return item?.dimension === label.dimension && item.key === qualified(label);
}

function score(labels: number, found: number, falseAlarms: number): Score {
  const precision = found + falseAlarms > 0 ? found / (found + falseAlarms) : null;
  const recall = labels > 0 ? found / labels : null;
  const f1 =
    precision !== null && recall !== null && precision + recall > 0
      ? (2 * precision * recall) / (precision + recall)
      : null;
  return { labels, found, falseAlarms, precision, recall, f1 };
}

const isUsageKind = (kind: string) => (USAGE_EVENT_KINDS as readonly string[]).includes(kind);
const isUsage = (label: EventLabel) => isUsageKind(label.kind);

/** The kind and band a false alarm counts in (see the header). */
function shapeOf(anomaly: CostAnomaly): { kind: string; band: SizeBand } {
  const kind = anomaly.lastDay > anomaly.date ? "LEVEL_SHIFT" : anomaly.direction;
  return { kind, band: sizeBandOf(Math.abs(anomaly.score)) };
}

interface Matched {
  outcomes: LabelOutcome[];
  falseAlarms: CostAnomaly[];
  duplicates: number;
}

function matchRun(run: AnomalyRunInput): Matched {
  const byLabel = new Map<EventLabel, CostAnomaly[]>(run.labels.map((label) => [label, []]));
  const usage = run.labels.filter(isUsage);
  const decoys = run.labels.filter((label) => !isUsage(label));
  const falseAlarms: CostAnomaly[] = [];
  const distance = (anomaly: CostAnomaly, label: EventLabel) =>
    Math.abs(Date.parse(anomaly.date) - Date.parse(label.start));
  for (const anomaly of run.anomalies) {
    const candidates = usage.filter(
      (label) =>
        relatesTo(anomaly, label.provider) &&
        within(anomaly, label) &&
        anomaly.direction === directionOf(label),
    );
    const decoy = decoys.find((label) => relatesTo(anomaly, label.provider) && onDecoyDays(anomaly, label));
    const label = candidates.sort((a, b) => distance(anomaly, a) - distance(anomaly, b))[0] ?? decoy;
    if (label) byLabel.get(label)!.push(anomaly);
    else falseAlarms.push(anomaly);
  }
  let duplicates = 0;
  const outcomes = run.labels.map((label): LabelOutcome => {
    const matched = byLabel
      .get(label)!
      .sort((a, b) => a.date.localeCompare(b.date) || Math.abs(b.impact) - Math.abs(a.impact));
    const first = matched[0];
    if (isUsage(label)) duplicates += Math.max(0, matched.length - 1);
    return {
      seed: run.seed,
      id: label.id,
      kind: label.kind,
      provider: label.provider,
      target: `${label.dimension} ${qualified(label)}`,
      start: label.start,
      sizeBand: label.sizeBand,
      sigmaMultiple: label.sigmaMultiple,
      amountPerDay: label.amountPerDay,
      expectedCause: label.expectedCause,
      anomalies: matched.length,
      rootCauseTop1:
        isUsage(label) && first ? names(label, first.scope) || names(label, first.rootCauses[0]) : null,
      causes: matched.map((anomaly) => anomaly.cause),
      matches: matched.map(
        (a) => `${a.date} ${a.scopeKey} ${a.direction} ${a.cause} ${a.score.toFixed(1)}σ ${a.status}`,
      ),
    };
  });
  return { outcomes, falseAlarms, duplicates };
}

function decoyScore(outcomes: readonly LabelOutcome[]): DecoyScore {
  return {
    decoys: outcomes.length,
    silent: outcomes.filter((o) => o.anomalies === 0).length,
    rightCause: outcomes.filter(
      (o) => o.anomalies > 0 && o.causes.every((cause) => cause === o.expectedCause),
    ).length,
    usage: outcomes.filter((o) => o.causes.includes("USAGE")).length,
  };
}

export function scoreAnomalies(runs: readonly AnomalyRunInput[], months: number): AnomalyReport {
  const matched = runs.map((run) => ({ run, ...matchRun(run) }));
  const outcomes = matched.flatMap((m) => m.outcomes);
  const usage = outcomes.filter((o) => isUsageKind(o.kind));
  const falseAlarms = matched.flatMap((m) =>
    m.falseAlarms.map((anomaly) => ({ seed: m.run.seed, start: m.run.period.start, anomaly })),
  );
  const found = (list: readonly LabelOutcome[]) => list.filter((o) => o.anomalies > 0).length;
  const sized = usage.filter((o) => o.sigmaMultiple >= MIN_SIGMAS);

  const bucket = (keep: (o: LabelOutcome) => boolean, keepAlarm: (a: CostAnomaly) => boolean) => {
    const labels = usage.filter(keep);
    return score(labels.length, found(labels), falseAlarms.filter((f) => keepAlarm(f.anomaly)).length);
  };
  const byKind = Object.fromEntries(
    USAGE_EVENT_KINDS.map((kind) => [
      kind,
      bucket(
        (o) => o.kind === kind,
        (a) => shapeOf(a).kind === kind,
      ),
    ]),
  );
  const byBand = Object.fromEntries(
    SIZE_BANDS.map((band) => [
      band,
      bucket(
        (o) => o.sizeBand === band,
        (a) => shapeOf(a).band === band,
      ),
    ]),
  );
  const bySeedAndProvider = matched.flatMap(({ run, outcomes: own, falseAlarms: alarms }) => {
    const providers = [...new Set(run.labels.map((label) => label.provider))];
    const rows = providers.map((provider) => {
      const labels = own.filter((o) => o.provider === provider && isUsageKind(o.kind));
      return {
        seed: run.seed,
        provider: provider as string,
        ...score(labels.length, found(labels), alarms.filter((a) => a.provider === provider).length),
      };
    });
    const clientLevel = alarms.filter((a) => a.provider === null).length;
    if (clientLevel > 0) rows.push({ seed: run.seed, provider: "client", ...score(0, 0, clientLevel) });
    return rows;
  });

  const checked = usage.filter((o) => o.rootCauseTop1 !== null);
  const correct = checked.filter((o) => o.rootCauseTop1).length;
  const decoys = outcomes.filter((o) => !isUsageKind(o.kind));
  const decoyKinds = [...new Set(decoys.map((o) => o.kind))].sort();
  const tenantMonths = runs.length * months;
  const tiny = usage.filter((o) => Math.abs(o.amountPerDay) < DEFAULT_ANOMALY_SETTINGS.minImpact);
  return {
    tenants: runs.length,
    tenantMonths,
    anomalies: runs.reduce((sum, run) => sum + run.anomalies.length, 0),
    overall: score(sized.length, found(sized), falseAlarms.length),
    byKind,
    byBand,
    bySeedAndProvider,
    rootCause: {
      checked: checked.length,
      correct,
      share: checked.length > 0 ? correct / checked.length : null,
    },
    foundWithOtherCause: usage.filter((o) => o.anomalies > 0 && o.causes[0] !== "USAGE").length,
    duplicates: matched.reduce((sum, m) => sum + m.duplicates, 0),
    decoys: {
      all: decoyScore(decoys),
      ...Object.fromEntries(
        decoyKinds.map((kind) => [kind, decoyScore(decoys.filter((o) => o.kind === kind))]),
      ),
    },
    falseAlarms: {
      count: falseAlarms.length,
      perTenantMonth: tenantMonths > 0 ? falseAlarms.length / tenantMonths : 0,
      resolved: falseAlarms.filter((f) => f.anomaly.status === "RESOLVED").length,
      inFirstMonth: falseAlarms.filter((f) => f.anomaly.date < addDays(f.start, WARMUP_DAYS)).length,
      list: falseAlarms.map(({ seed, anomaly: a }) => ({
        seed,
        date: a.date,
        lastDay: a.lastDay,
        scopeKey: a.scopeKey,
        direction: a.direction,
        cause: a.cause,
        score: Math.round(a.score * 10) / 10,
        impact: Math.round(a.impact * 100) / 100,
        status: a.status,
      })),
    },
    underMinImpact: { labels: tiny.length, found: found(tiny) },
    labels: outcomes,
  };
}
