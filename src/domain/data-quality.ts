import type { IsoDay, IsoMonth } from "./cost-record.js";
import { startOfDayEpochSeconds } from "./dates.js";
import { RECONCILIATION_TOLERANCE } from "./validation.js";

export type Confidence = "HIGH" | "MEDIUM" | "LOW";

/** Each dimension is 0..1; score is their weighted mean; issues say, in words, what lowered them. */
export interface DataQuality {
  completeness: number;
  accuracy: number;
  timeliness: number;
  consistency: number;
  score: number;
  confidence: Confidence;
  issues: string[];
}

/** Lines of one currency pair and month that could not be converted. */
export interface MissingRate {
  from: string;
  to: string;
  month: IsoMonth;
  lines: number;
}

/** A provider line that could not be priced: left out of the record, named in its issues. */
export interface QuarantinedLine {
  /** What was wrong, naming the field, e.g. `billedCost NaN is not a finite amount`. */
  reason: string;
  serviceName: string;
}

/** Our total and the provider's own total for one billing currency. */
export interface TotalComparison {
  currency: string;
  computed: number;
  provider: number;
}

/** What is known about a piece of collected data; every field is a plain fact, scoring is below. */
export interface DataQualityFacts {
  expectedDays: number;
  receivedDays: number;
  /** Lines as received from the provider, before identical ones were merged. */
  lines: number;
  unknownServiceLines: number;
  /** Names of the services the catalog did not know (for the issue text). */
  unknownServices?: readonly string[];
  missingRates: readonly MissingRate[];
  /** Lines whose amount or currency could not be read (absent: none). */
  quarantinedLines?: readonly QuarantinedLine[];
  /** The provider says the figures may still change. */
  estimated: boolean;
  /** Last day the data covers; timeliness is measured from its end. */
  lastDay: IsoDay;
  /** Epoch seconds at which lastDay ends (its provider's billing day); default its UTC end. */
  lastDayEndsAt?: number;
  /** ISO-8601 instant of the collection. */
  collectedAt: string;
  totalComparisons?: readonly TotalComparison[];
  /** Net total in the reporting currency. */
  total: number;
  reportingCurrency: string;
  mergedDuplicateLines: number;
}

export const QUALITY_WEIGHTS = {
  completeness: 0.35,
  accuracy: 0.3,
  timeliness: 0.15,
  consistency: 0.2,
} as const;
/** Providers restate a day for up to ~48 h after it ends (Azure lags 8-24 h, AWS and GCP keep adding rows). */
export const SETTLED_AFTER_HOURS = 48;
/** An estimated (unfinalized) figure is worth this much of a final one. */
const ESTIMATED_ACCURACY = 0.8;
const NEGATIVE_TOTAL_CONSISTENCY = 0.7;

const clamp01 = (value: number): number => Math.min(1, Math.max(0, value));
const ratio = (part: number, whole: number): number => (whole > 0 ? part / whole : 0);
const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? "" : "s"}`;
/** "has" or "have" for a count of things. */
const have = (count: number): string => (count === 1 ? "has" : "have");
/** Drops float noise (0.30000000000000004) from amounts shown in issue sentences. */
const shown = (amount: number): string => String(Number(amount.toPrecision(10)));
const round4 = (value: number): number => Math.round(value * 10_000) / 10_000;

export function confidenceOf(score: number): Confidence {
  if (score >= 0.9) return "HIGH";
  if (score >= 0.7) return "MEDIUM";
  return "LOW";
}

function completenessOf(facts: DataQualityFacts, issues: string[]): number {
  const dayShare = facts.expectedDays > 0 ? clamp01(facts.receivedDays / facts.expectedDays) : 1;
  if (dayShare < 1) {
    const missing = facts.expectedDays - facts.receivedDays;
    issues.push(
      `${missing} of ${plural(facts.expectedDays, "day")} ${have(missing)} no data from the provider`,
    );
  }
  let unconverted = 0;
  for (const gap of facts.missingRates) {
    unconverted += gap.lines;
    issues.push(
      `${gap.lines} of ${plural(facts.lines, "line")} ${have(gap.lines)} no exchange rate for ${gap.from}->${gap.to} on ${gap.month}` +
        " and are left out of the total",
    );
  }
  const quarantined = facts.quarantinedLines ?? [];
  if (quarantined.length > 0) {
    const reasons = [...new Set(quarantined.map((line) => `${line.reason} (${line.serviceName})`))];
    issues.push(
      `${quarantined.length} of ${plural(facts.lines, "line")} could not be read and ${quarantined.length === 1 ? "is" : "are"} quarantined, left out of the total: ${listSome(reasons)}`,
    );
  }
  return dayShare * (1 - clamp01(ratio(unconverted + quarantined.length, facts.lines)));
}

function accuracyOf(facts: DataQualityFacts, issues: string[]): number {
  let accuracy = 1;
  if (facts.estimated) {
    accuracy *= ESTIMATED_ACCURACY;
    issues.push("The provider marks these figures as estimated; they may still change");
  }
  for (const { currency, computed, provider } of facts.totalComparisons ?? []) {
    const gap = Math.abs(computed - provider);
    if (gap <= RECONCILIATION_TOLERANCE) continue;
    // 1% off costs a tenth of the accuracy, 10% off costs all of it.
    accuracy *= clamp01(1 - 10 * ratio(gap, Math.max(Math.abs(provider), RECONCILIATION_TOLERANCE)));
    issues.push(
      `Collected total ${shown(computed)} ${currency} differs from the provider's ${shown(provider)} ${currency} by ${shown(gap)}`,
    );
  }
  if (facts.unknownServiceLines > 0) {
    // An unknown service only misplaces its category, not its cost: half weight.
    accuracy *= 1 - 0.5 * clamp01(ratio(facts.unknownServiceLines, facts.lines));
    const names = facts.unknownServices?.length ? ` (${listSome(facts.unknownServices)})` : "";
    issues.push(
      `${facts.unknownServiceLines} of ${plural(facts.lines, "line")} ${have(facts.unknownServiceLines)} a service with no known category${names}; filed under Other`,
    );
  }
  return accuracy;
}

function timelinessOf(facts: DataQualityFacts, issues: string[]): number {
  const collectedAt = Date.parse(facts.collectedAt) / 1000;
  const dayEnd = facts.lastDayEndsAt ?? startOfDayEpochSeconds(facts.lastDay) + 86_400;
  const hoursAfterDayEnd = (collectedAt - dayEnd) / 3600;
  const timeliness = Number.isFinite(hoursAfterDayEnd) ? clamp01(hoursAfterDayEnd / SETTLED_AFTER_HOURS) : 0;
  if (timeliness < 1) {
    const when =
      hoursAfterDayEnd > 0
        ? `${Math.floor(hoursAfterDayEnd)} h after ${facts.lastDay} ended`
        : `before ${facts.lastDay} ended`;
    issues.push(`Collected ${when}; providers keep adding late usage for about ${SETTLED_AFTER_HOURS} h`);
  }
  return timeliness;
}

function consistencyOf(facts: DataQualityFacts, issues: string[]): number {
  let consistency = 1;
  if (facts.total < 0) {
    consistency *= NEGATIVE_TOTAL_CONSISTENCY;
    issues.push(
      `The net total is negative (${shown(facts.total)} ${facts.reportingCurrency}): credits exceed charges`,
    );
  }
  if (facts.mergedDuplicateLines > 0) {
    // Merging same-key rows is normal for SKU-level sources, so it costs little.
    consistency *= 1 - 0.1 * clamp01(ratio(facts.mergedDuplicateLines, facts.lines));
    issues.push(
      `${plural(facts.mergedDuplicateLines, "line")} repeated the service, account, region, charge category and currency of another and ${facts.mergedDuplicateLines === 1 ? "was" : "were"} merged`,
    );
  }
  return consistency;
}

/** Scores collected data on four 0..1 dimensions; the weighted mean decides the confidence. */
export function scoreDataQuality(facts: DataQualityFacts): DataQuality {
  const issues: string[] = [];
  const completeness = round4(completenessOf(facts, issues));
  const accuracy = round4(accuracyOf(facts, issues));
  const timeliness = round4(timelinessOf(facts, issues));
  const consistency = round4(consistencyOf(facts, issues));
  const score = round4(
    completeness * QUALITY_WEIGHTS.completeness +
      accuracy * QUALITY_WEIGHTS.accuracy +
      timeliness * QUALITY_WEIGHTS.timeliness +
      consistency * QUALITY_WEIGHTS.consistency,
  );
  return { completeness, accuracy, timeliness, consistency, score, confidence: confidenceOf(score), issues };
}

/** Names in a message are capped: a day with thousands of unknown services must not make a huge item. */
const LISTED_NAMES = 5;
function listSome(names: readonly string[]): string {
  const shown = names.slice(0, LISTED_NAMES).join(", ");
  return names.length > LISTED_NAMES ? `${shown} and ${names.length - LISTED_NAMES} more` : shown;
}
