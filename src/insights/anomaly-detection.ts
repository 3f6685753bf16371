/**
 * Cost anomaly detection for one client and one day: pure, no I/O. The caller stores a day (or a
 * restated day), reads the client's record headers around it and the anomalies already stored near
 * it, and calls detectAnomalies; it upserts the anomalies returned (by id) and resolves the ids in
 * `resolved`.
 *
 * 1. Series (anomaly-series.ts): the client's total, each provider, each provider's accounts,
 *    services, regions and service categories, and each service category over every provider, at
 *    the evaluated day's exchange rates (what was billed moves them, a rate change does not).
 * 2. Each series is judged against its own forecast (series-model.ts: robust level of the last two
 *    weeks, weekly profile, robust scale). A series flags when |score| >= threshold, |impact| >=
 *    minImpact and >= minImpactShare of the client's expected day, and the same move did not happen
 *    on the same day last month (a monthly charge).
 * 3. Explaining (clustersOf): flagged series of one direction that belong together become one
 *    anomaly, at the level that explains them. A flagged provider takes its flagged accounts,
 *    services, regions and categories; a provider whose total does not flag is reported at the
 *    item that explains its flagged items best (one account up and another down: each account),
 *    or at the provider when the move is broader than that item; a flagged client total joins the
 *    anomaly of the provider holding >= `dominance` of its move, else is its own, taking those
 *    providers'; a client-level category that moves on several providers is its own anomaly.
 * 4. Root causes (rankCandidates): the scope's items whose move goes the anomaly's way, each
 *    against its own forecast (so an offsetting item cannot hide a spike), with their share of the
 *    anomaly's impact. First comes the item that carries the whole move (scope minus item stays
 *    within its noise): among those, the ones that stand out about as much as the strongest, and of
 *    them the smallest (the service for a service spike spread over accounts, the account for an
 *    account spike spread over services); then by share.
 * 5. Cause (causeOf): RESTATEMENT when a restated record (not an estimate settling) makes at least
 *    half of the move or the scope would not have flagged without it; CREDIT or TAX when that
 *    charge category moved at least half of the impact the same way (none when it is the same
 *    charge as on that day last month); USAGE otherwise. EXCHANGE_RATE (fxMoves): on the day a
 *    provider's rate changes, its total as stored steps out of its band while the billed amounts
 *    do not.
 * 6. Events: an anomaly whose scope still moves the same way the next day (|score| >=
 *    continueThreshold), or whose main root cause still flags, or with which a flag of the day is
 *    related, continues (within maxEventDays): same id, same date (its start), figures summed over
 *    its days. So a level shift is one anomaly. Suppression rules (feedback NOT_ANOMALY / PLANNED)
 *    silence a scope key and direction over a range of days.
 *
 * Severity: HIGH when |impact| >= severity.high.impact and |score| >= severity.high.score, MEDIUM
 * likewise, LOW otherwise (a $3 move is LOW whatever its score; under minImpact it is not raised).
 */
import type { ChargeCategory, CostRecordHeader, IsoDay } from "../domain/cost-record.js";
import type { CostDimension } from "../domain/aggregation.js";
import { addDays, daysBetween, daysInMonth, dayOfInstant } from "../domain/dates.js";
import { PROVIDER_LABELS, type CloudProvider } from "../domain/provider.js";
import type {
  AnomalyCause,
  AnomalyDay,
  AnomalyDirection,
  AnomalyFinding,
  AnomalyRootCause,
  AnomalyScope,
  Severity,
} from "../domain/anomaly.js";
import { anomalyId, anomalyScopeKey } from "./anomaly-ids.js";
import {
  buildClientSeries,
  providerParts,
  valueInRecord,
  type ClientSeries,
  type ProviderSeries,
  type SeriesNode,
} from "./anomaly-series.js";
import { judge, robustWeeklyModel, type SeriesModel, type SeriesVerdict } from "./series-model.js";

export { anomalyId, anomalyScopeKey, TOTAL_SCOPE_KEY } from "./anomaly-ids.js";
export type { AnomalyCause, AnomalyDirection, AnomalyRootCause, AnomalyScope, Severity };

/** A finding as the detector gives it: the domain's, named by its id (anomalyId of client, scope key, direction and first day). */
export type DetectedAnomaly = Omit<AnomalyFinding, "key"> & { id: string };
export type { AnomalyDay };

/** From feedback NOT_ANOMALY / PLANNED: no anomaly of this scope key and direction within [from, until]. */
export interface SuppressionRule {
  scopeKey: string;
  direction: AnomalyDirection;
  from: IsoDay;
  until: IsoDay;
}

export interface SeverityThreshold {
  /** |impact| in the reporting currency. */
  impact: number;
  /** |score| in robust standard deviations. */
  score: number;
}

export interface AnomalySettings {
  /** |score| from which a series flags. */
  threshold: number;
  /** |score| an open event's series must keep to continue on the next day (hysteresis). */
  continueThreshold: number;
  /** |impact| under which nothing is raised, in the reporting currency. */
  minImpact: number;
  /** |impact| under this share of the client's expected daily total is not raised either. */
  minImpactShare: number;
  severity: { medium: SeverityThreshold; high: SeverityThreshold };
  /** Days of history each forecast reads. */
  historyDays: number;
  /** Observed days a series needs before it gets a verdict: four weeks, so its weekly profile rests on three complete weeks (a first weekend is not a drop). */
  minHistoryDays: number;
  /** An event runs at most this many days; a move that lasts longer starts a new one. */
  maxEventDays: number;
  /** Days an event may skip (below continueThreshold) and still continue. */
  maxGapDays: number;
  /** Share of a parent's move one child must hold to explain it alone. */
  dominance: number;
  /** A changed day counts as restated when its previous version was final, or the day is this many days before the new collection. */
  restatementAfterDays: number;
  maxRootCauses: number;
  minRootCauseShare: number;
}

export const DEFAULT_ANOMALY_SETTINGS: AnomalySettings = {
  threshold: 4,
  continueThreshold: 2,
  minImpact: 10,
  minImpactShare: 0.002,
  severity: { medium: { impact: 100, score: 5 }, high: { impact: 1000, score: 7 } },
  historyDays: 56,
  minHistoryDays: 28,
  maxEventDays: 14,
  maxGapDays: 1,
  dominance: 0.6,
  restatementAfterDays: 7,
  maxRootCauses: 10,
  minRootCauseShare: 0.05,
};

export interface DetectionInput {
  clientId: string;
  /** The client's reporting currency. */
  currency: string;
  /** The day evaluated. */
  day: IsoDay;
  /** Headers of every provider for day - historyDays .. day (others are ignored; several versions of a day: the newest counts). */
  records: readonly CostRecordHeader[];
  /** The versions of `day` stored before this change, per provider: the evidence of a restatement. */
  previous?: readonly CostRecordHeader[];
  /** Anomalies stored for the client whose lastDay is in day - 7 .. day (or whose event spans `day`). */
  recent: readonly DetectedAnomaly[];
  suppressed: readonly SuppressionRule[];
  settings?: Partial<AnomalySettings>;
}

export interface DetectionResult {
  /** To upsert by id: new anomalies, continued ones, and open ones cut back to day - 1 when `day` no longer supports them. */
  anomalies: DetectedAnomaly[];
  /** Ids of stored anomalies of `day` alone that the data no longer supports. */
  resolved: string[];
}

export function resolveSettings(settings: Partial<AnomalySettings> | undefined): AnomalySettings {
  return {
    ...DEFAULT_ANOMALY_SETTINGS,
    ...settings,
    severity: { ...DEFAULT_ANOMALY_SETTINGS.severity, ...settings?.severity },
  };
}

const DIRECTIONS: readonly AnomalyDirection[] = ["SPIKE", "DROP"];
const DIMENSION_RANK: Record<string, number> = {
  ACCOUNT: 0,
  SERVICE: 1,
  REGION: 2,
  SERVICE_CATEGORY: 3,
  PROVIDER: 4,
};
/** A root cause holding this share of an event's move keeps it going while it flags. */
const CARRIES_THE_MOVE = 0.5;
const signOf = (direction: AnomalyDirection): number => (direction === "SPIKE" ? 1 : -1);

interface Cluster {
  direction: AnomalyDirection;
  scope: SeriesNode;
  members: Set<SeriesNode>;
}

interface OpenEvent {
  stored: DetectedAnomaly;
  node: SeriesNode;
  members: Set<SeriesNode>;
}

interface Candidate {
  node: SeriesNode;
  dimension: CostDimension;
  key: string;
  label: string;
  impact: number;
  expected: number;
  score: number;
}

/** Everything one evaluation shares. */
class Evaluation {
  readonly settings: AnomalySettings;
  readonly series: ClientSeries;
  readonly last: number;
  private readonly verdicts = new Map<SeriesNode, SeriesVerdict | null>();
  readonly clientExpected: number;
  readonly restated = new Map<CloudProvider, CostRecordHeader>();

  constructor(
    readonly input: DetectionInput,
    readonly model: SeriesModel,
  ) {
    this.settings = resolveSettings(input.settings);
    const negligible = this.settings.minImpact / 2;
    this.series = buildClientSeries(input.records, {
      day: input.day,
      historyDays: this.settings.historyDays,
      minHistoryDays: this.settings.minHistoryDays,
      negligible,
    });
    this.last = this.series.length - 1;
    const total = this.series.total && this.verdict(this.series.total);
    this.clientExpected = Math.abs(
      total?.expected ??
        this.series.providers.reduce((sum, p) => sum + (this.verdict(p.total)?.expected ?? 0), 0),
    );
    for (const provider of this.series.providers) {
      const previous = input.previous?.find((r) => r.provider === provider.provider && r.date === input.day);
      if (previous && provider.current && this.isRestatement(previous, provider.current))
        this.restated.set(provider.provider, previous);
    }
  }

  private isRestatement(previous: CostRecordHeader, current: CostRecordHeader): boolean {
    const collected = dayOfInstant(new Date(current.collection.collectedAt));
    const late = daysBetween(current.date, collected) >= this.settings.restatementAfterDays;
    return (!previous.estimated || late) && changed(previous, current);
  }

  private readonly monthAgo = new Map<number, number | undefined>();

  /** Index of the same day of the month one month before `index`, clamped to that month's length. */
  private sameDayLastMonth(index: number): number | undefined {
    if (this.monthAgo.has(index)) return this.monthAgo.get(index);
    const day = addDays(this.series.start, index);
    const [year, month, dom] = [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
    const [py, pm] = month === 1 ? [year - 1, 12] : [year, month - 1];
    const then = `${String(py).padStart(4, "0")}-${String(pm).padStart(2, "0")}-${String(
      Math.min(dom, daysInMonth(py, pm)),
    ).padStart(2, "0")}`;
    const at = daysBetween(this.series.start, then);
    this.monthAgo.set(index, at >= 0 ? at : undefined);
    return at >= 0 ? at : undefined;
  }

  forecastAt(values: Float64Array, index: number): SeriesVerdict | null {
    const actual = values[index]!;
    if (Number.isNaN(actual)) return null;
    const forecast = this.model.forecast(values, index, {
      historyDays: this.settings.historyDays,
      minObservations: this.settings.minHistoryDays,
      sameDayLastMonth: this.sameDayLastMonth(index),
    });
    return forecast && judge(forecast, actual, this.settings.threshold);
  }

  verdict(node: SeriesNode): SeriesVerdict | null {
    let verdict = this.verdicts.get(node);
    if (verdict === undefined) {
      verdict = this.forecastAt(node.values, this.last);
      this.verdicts.set(node, verdict);
    }
    return verdict;
  }

  /**
   * The same move on the same day last month (a monthly charge: a support plan, a reservation, a
   * tax line): expected, not news. Last month's residual must itself have stood out (above
   * continueThreshold), the same way, and today's move be at most twice as large (a charge that
   * comes back smaller is still that charge; one that doubles is news).
   */
  recurs(verdict: SeriesVerdict): boolean {
    const { lastMonthScore, lastMonthResidual } = verdict;
    if (lastMonthScore === null || lastMonthResidual === null || verdict.impact === 0) return false;
    return (
      Math.abs(lastMonthScore) >= this.settings.continueThreshold && lastMonthResidual / verdict.impact >= 0.5
    );
  }

  flags(node: SeriesNode, direction: AnomalyDirection): boolean {
    const verdict = this.verdict(node);
    if (!verdict || signOf(direction) * verdict.impact <= 0) return false;
    const size = Math.abs(verdict.impact);
    return (
      Math.abs(verdict.score) >= this.settings.threshold &&
      size >= this.settings.minImpact &&
      size >= this.settings.minImpactShare * this.clientExpected &&
      !this.recurs(verdict)
    );
  }

  continues(node: SeriesNode, direction: AnomalyDirection): boolean {
    const verdict = this.verdict(node);
    return (
      !!verdict &&
      signOf(direction) * verdict.impact > 0 &&
      Math.abs(verdict.score) >= this.settings.continueThreshold &&
      Math.abs(verdict.impact) >= this.settings.minImpact &&
      !this.recurs(verdict)
    );
  }

  impactOf(node: SeriesNode): number {
    return this.verdict(node)?.impact ?? 0;
  }

  providerSeries(provider: CloudProvider | null): ProviderSeries | undefined {
    return this.series.providers.find((p) => p.provider === provider);
  }
}

function sameAmounts<T>(
  a: readonly T[],
  b: readonly T[],
  keyOf: (item: T) => string,
  cost: (item: T) => number,
) {
  if (a.length !== b.length) return false;
  const amounts = new Map(a.map((item) => [keyOf(item), cost(item)]));
  return b.every((item) => {
    const other = amounts.get(keyOf(item));
    return other !== undefined && Math.abs(other - cost(item)) <= 1e-6 * Math.max(1, Math.abs(other));
  });
}

/** True when the content of a day's record changed (re-collecting the same data is not a change). */
function changed(previous: CostRecordHeader, current: CostRecordHeader): boolean {
  if (Math.abs(previous.total - current.total) > 1e-6 * Math.max(1, Math.abs(current.total))) return true;
  return !(
    sameAmounts(
      previous.services,
      current.services,
      (s) => s.serviceName,
      (s) => s.cost,
    ) &&
    sameAmounts(
      previous.accounts,
      current.accounts,
      (a) => a.accountId,
      (a) => a.cost,
    ) &&
    sameAmounts(
      previous.regions,
      current.regions,
      (r) => r.region,
      (r) => r.cost,
    )
  );
}

/** |score| the rest of a scope (scope minus an item) may reach for the item to carry the whole move. */
const CARRIER_TOLERANCE = 2.5;
/** Items under this share of a scope's move are not tested as carriers. */
const CARRIER_MIN_SHARE = 0.5;

/**
 * True when `item` carries the whole move of `whole` (a series around it, or overlapping it): the
 * rest, whole - item day by day, judged like any series, stays within its own noise.
 */
function carries(evaluation: Evaluation, whole: SeriesNode, item: SeriesNode): boolean {
  const rest = new Float64Array(whole.values.length);
  for (let i = 0; i < rest.length; i++) rest[i] = whole.values[i]! - item.values[i]!;
  const verdict = evaluation.forecastAt(rest, evaluation.last);
  return !!verdict && Math.abs(verdict.score) < CARRIER_TOLERANCE;
}

/** Carriers whose score is within this fraction of the strongest count as equally strong. */
const STRENGTH_BAND = 0.9;

/**
 * The best of several explanations that each carry the move: among those that moved about as much
 * against their own noise as the strongest (a series holding the move alone stands out more than a
 * larger one around it, a part of the move stands out less than the whole), the smallest series
 * (by its expected value); then the dimension order.
 */
function best(candidates: readonly Candidate[]): Candidate | undefined {
  const strongest = Math.max(0, ...candidates.map((c) => Math.abs(c.score)));
  return candidates
    .filter((c) => Math.abs(c.score) >= STRENGTH_BAND * strongest)
    .sort(
      (a, b) =>
        Math.abs(a.expected) - Math.abs(b.expected) ||
        (DIMENSION_RANK[a.dimension] ?? 9) - (DIMENSION_RANK[b.dimension] ?? 9) ||
        a.key.localeCompare(b.key),
    )[0];
}

function candidateOf(evaluation: Evaluation, node: SeriesNode, asProvider = false): Candidate | null {
  const verdict = evaluation.verdict(node);
  if (!verdict || !node.dimension || node.itemKey === null) return null;
  const provider = asProvider && node.provider ? node.provider : null;
  return {
    node,
    dimension: provider ? "PROVIDER" : node.dimension,
    key: provider ?? node.itemKey,
    label: provider ? PROVIDER_LABELS[provider] : node.label,
    impact: verdict.impact,
    expected: verdict.expected,
    score: verdict.score,
  };
}

/**
 * Root-cause candidates of a scope in order: first the best (see `best`) of those that carry the
 * whole move (whose move alone explains the scope's), then by share. Without a carrier, the
 * largest share comes first.
 */
function rankCandidates(evaluation: Evaluation, candidates: Candidate[], scope: SeriesNode): Candidate[] {
  const impact = evaluation.impactOf(scope);
  const share = (c: Candidate) => c.impact / impact;
  const ranked = candidates
    .filter((c) => share(c) >= evaluation.settings.minRootCauseShare)
    .sort((a, b) => share(b) - share(a) || a.key.localeCompare(b.key));
  const carriers = ranked.filter((c) => share(c) >= CARRIER_MIN_SHARE && carries(evaluation, scope, c.node));
  // A category only adds up services: it comes first only when none of them carries the move.
  const first = best(carriers.filter((c) => c.dimension !== "SERVICE_CATEGORY")) ?? best(carriers);
  return first ? [first, ...ranked.filter((c) => c !== first)] : ranked;
}

/**
 * The member that explains a group of flagged items of one provider (whose total did not flag):
 * the best (see `best`) of those that carry the largest member's move (the largest minus the
 * member stays within its noise), so an account spike spread over services is told by the
 * account and a service spike inside one account by the service.
 */
function pickScope(evaluation: Evaluation, items: readonly SeriesNode[]): SeriesNode {
  const candidates = items.flatMap((node) => {
    const candidate = candidateOf(evaluation, node);
    return candidate ? [candidate] : [];
  });
  const largest = candidates.reduce<Candidate | undefined>(
    (a, c) => (!a || Math.abs(c.impact) > Math.abs(a.impact) ? c : a),
    undefined,
  );
  if (!largest) return items[0]!;
  const carriers = candidates.filter((c) => c === largest || carries(evaluation, largest.node, c.node));
  return best(carriers)?.node ?? largest.node;
}

/** A share of a parent's move under which a provider is not counted as part of it. */
const MINOR_SHARE = 0.1;

/**
 * The flagged series of one direction, grouped into the anomalies that explain them:
 * - the client's total goes to the provider holding >= dominance of its move when something of that
 *   provider flags; otherwise it is its own anomaly, taking every flagged series of the providers
 *   that hold a part of its move;
 * - a provider with a flagged total is one anomaly with its flagged items; a provider whose total
 *   does not flag but some items do is one anomaly at the item that explains them best;
 * - a client-level service category joins its provider's anomaly when one provider makes the move,
 *   and is its own anomaly (taking those providers' item groups) when several providers move.
 */
function clustersOf(evaluation: Evaluation, direction: AnomalyDirection): Cluster[] {
  const { series, settings } = evaluation;
  const flags = (node: SeriesNode) => evaluation.flags(node, direction);
  const clusters: Cluster[] = [];
  const byProvider = new Map<CloudProvider, Cluster>();
  for (const provider of series.providers) {
    const items = provider.items.filter(flags);
    if (flags(provider.total)) {
      byProvider.set(provider.provider, {
        direction,
        scope: provider.total,
        members: new Set([provider.total, ...items]),
      });
    } else if (items.length > 0) {
      // The provider's own move, under the threshold, is still the explanation when it goes the same
      // way and is more than its best item (the provider without that item moves too).
      const scope = pickScope(evaluation, items);
      const broader =
        evaluation.continues(provider.total, direction) && !carries(evaluation, provider.total, scope);
      byProvider.set(provider.provider, {
        direction,
        scope: broader ? provider.total : scope,
        members: new Set(broader ? [provider.total, ...items] : items),
      });
    }
  }

  let rootCluster: Cluster | null = null;
  if (series.total && flags(series.total)) {
    const total = series.total;
    // A provider's monthly charge (its own move recurs) is expected: the rest of the move is news.
    const recurring = series.clientProviders.filter((provider) => {
      const verdict = evaluation.verdict(evaluation.providerSeries(provider)!.total);
      return !!verdict && evaluation.recurs(verdict);
    });
    const impact =
      evaluation.impactOf(total) -
      recurring.reduce((sum, p) => sum + evaluation.impactOf(evaluation.providerSeries(p)!.total), 0);
    const shares = series.clientProviders
      .filter((provider) => !recurring.includes(provider))
      .map((provider) => ({
        provider,
        share: evaluation.impactOf(evaluation.providerSeries(provider)!.total) / impact,
      }))
      .sort((a, b) => b.share - a.share);
    const best = shares[0];
    const group = best && best.share >= settings.dominance ? byProvider.get(best.provider) : undefined;
    const scale = evaluation.verdict(total)!.scale;
    const news = signOf(direction) * impact >= Math.max(settings.threshold * scale, settings.minImpact);
    if (group) {
      group.members.add(total);
    } else if (news) {
      rootCluster = { direction, scope: total, members: new Set([total]) };
      for (const { provider, share } of shares) {
        const part = byProvider.get(provider);
        if (!part || share < MINOR_SHARE) continue;
        for (const member of part.members) rootCluster.members.add(member);
        byProvider.delete(provider);
      }
    }
  }
  clusters.push(...byProvider.values());
  if (rootCluster) clusters.push(rootCluster);

  for (const category of series.clientCategories) {
    if (!flags(category)) continue;
    const impact = evaluation.impactOf(category);
    const shares = (category.parts ?? [])
      .map((part) => ({ part, share: evaluation.impactOf(part) / impact }))
      .sort((a, b) => b.share - a.share);
    // Providers whose own part of the category flags too (not a noise share).
    const moving = shares.filter((s) => s.share >= 0.25 && flags(s.part) && s.part.provider !== null);
    const grouped = shares.find((s) => s.share >= 0.25 && s.part.provider && byProvider.has(s.part.provider));
    const group = grouped && byProvider.get(grouped.part.provider!);
    const reported = moving.every((s) => byProvider.get(s.part.provider!)?.scope.dimension === "PROVIDER");
    if (group && (moving.length < 2 || reported)) {
      group.members.add(category);
      continue;
    }
    if (rootCluster) {
      rootCluster.members.add(category);
      continue;
    }
    const cluster: Cluster = { direction, scope: category, members: new Set([category]) };
    // Item groups of the providers it spans are the same move, seen from one provider.
    for (const { part } of moving) {
      const group = byProvider.get(part.provider!);
      if (!group || group.scope.dimension === "PROVIDER") continue;
      for (const member of group.members) cluster.members.add(member);
      clusters.splice(clusters.indexOf(group), 1);
      byProvider.delete(part.provider!);
    }
    clusters.push(cluster);
  }
  return clusters;
}

/** a is a coarser series that contains b. */
function contains(a: SeriesNode, b: SeriesNode): boolean {
  if (a === b) return false;
  if (a.dimension === null) return true;
  if (a.dimension === "PROVIDER") return b.provider === a.provider && b.dimension !== "PROVIDER";
  if (a.dimension === "SERVICE_CATEGORY" && a.provider === null)
    return (
      (b.dimension === "SERVICE_CATEGORY" && b.raw === a.raw) ||
      (b.dimension === "SERVICE" && b.serviceCategory === a.raw)
    );
  if (a.dimension === "SERVICE_CATEGORY")
    return b.provider === a.provider && b.dimension === "SERVICE" && b.serviceCategory === a.raw;
  return false;
}

/** The scope key of an anomaly's root cause (categories under a provider scope are that provider's). */
function rootCauseScopeKey(anomaly: DetectedAnomaly, cause: AnomalyRootCause): string {
  return anomalyScopeKey(cause.dimension === "SERVICE_CATEGORY" ? anomaly.provider : null, cause);
}

/** Providers whose move a cluster reports (for a client-level category: those making half of it). */
function providersOf(evaluation: Evaluation, cluster: Cluster): Set<CloudProvider> {
  const providers = new Set<CloudProvider>();
  for (const member of cluster.members) {
    if (member.provider) providers.add(member.provider);
    else if (member.parts) {
      const impact = evaluation.impactOf(member);
      for (const part of member.parts)
        if (part.provider && impact !== 0 && evaluation.impactOf(part) / impact >= CARRIES_THE_MOVE)
          providers.add(part.provider);
    }
  }
  return providers;
}

/** True when a cluster of `day` is more of an open event (scope `node`) rather than news. */
function relates(
  evaluation: Evaluation,
  anomaly: DetectedAnomaly,
  node: SeriesNode,
  cluster: Cluster,
): boolean {
  if (anomaly.direction !== cluster.direction) return false;
  if (cluster.scope === node || cluster.members.has(node) || node.dimension === null) return true;
  if (contains(node, cluster.scope) || contains(cluster.scope, node)) return true;
  if (node.dimension === "PROVIDER" && providersOf(evaluation, cluster).has(node.provider!)) return true;
  return anomaly.rootCauses.some((cause) =>
    [...cluster.members].some(
      (member) =>
        member.dimension === cause.dimension &&
        member.itemKey === cause.key &&
        (member.provider === anomaly.provider || anomaly.provider === null),
    ),
  );
}

function rootCausesOf(
  evaluation: Evaluation,
  scope: SeriesNode,
  members: ReadonlySet<SeriesNode>,
  direction: AnomalyDirection,
): AnomalyRootCause[] {
  const { series } = evaluation;
  const verdict = evaluation.verdict(scope);
  if (!verdict || verdict.impact === 0) return [];
  const nodes: SeriesNode[] = [];
  const extra: Candidate[] = [];
  const itemScope = scope.provider !== null && scope.dimension !== "PROVIDER";
  if (scope.dimension === null) {
    for (const provider of series.providers) {
      if (!series.clientProviders.includes(provider.provider)) continue;
      nodes.push(provider.total, ...provider.items.filter((item) => item.dimension !== "SERVICE_CATEGORY"));
    }
    nodes.push(...series.clientCategories);
  } else if (scope.dimension === "PROVIDER") {
    nodes.push(...(evaluation.providerSeries(scope.provider)?.items ?? []));
  } else if (!itemScope) {
    // A client-level category: each provider's part of it, and its services.
    for (const part of scope.parts ?? []) {
      const asProvider = candidateOf(evaluation, part, true);
      if (asProvider) extra.push(asProvider);
      const provider = evaluation.providerSeries(part.provider);
      for (const item of provider?.items ?? [])
        if (item.dimension === "SERVICE" && item.serviceCategory === scope.raw) nodes.push(item);
    }
  } else {
    // An account, service, region or category: itself, then what flagged with it.
    nodes.push(...[...members].filter((m) => m !== scope && m.provider !== null));
  }
  const sign = signOf(direction);
  const candidates = [
    ...nodes.flatMap((node) => {
      const candidate = candidateOf(evaluation, node);
      return candidate ? [candidate] : [];
    }),
    ...extra,
  ].filter((c) => sign * c.impact > 0);
  const ranked = rankCandidates(evaluation, candidates, scope);
  const own = itemScope ? candidateOf(evaluation, scope) : null;
  return [...(own ? [own] : []), ...ranked]
    .slice(0, evaluation.settings.maxRootCauses)
    .map(({ dimension, key, label, impact }) => ({
      dimension,
      key,
      label,
      impact,
      share: Math.min(1, impact / verdict.impact),
    }));
}

/**
 * How much a charge category (Credit, Tax) of the providers moved against its own forecast, and
 * whether most of that move is the same day's charge of last month (a monthly tax line).
 */
function chargeMove(
  evaluation: Evaluation,
  providers: Iterable<CloudProvider>,
  category: ChargeCategory,
): { move: number; monthly: boolean } {
  let move = 0;
  let monthly = 0;
  for (const provider of providers) {
    const values = evaluation.providerSeries(provider)?.charges.get(category);
    if (!values) continue;
    const actual = values[evaluation.last]!;
    if (Number.isNaN(actual)) continue;
    const verdict = evaluation.forecastAt(values, evaluation.last);
    const impact = verdict ? verdict.impact : actual - medianOfRecent(values, evaluation.last);
    move += impact;
    if (verdict && evaluation.recurs(verdict)) monthly += impact;
  }
  return { move, monthly: move !== 0 && monthly / move >= 0.5 };
}

function medianOfRecent(values: Float64Array, last: number): number {
  const recent: number[] = [];
  for (let i = last - 1; i >= 0 && recent.length < 14; i--)
    if (!Number.isNaN(values[i]!)) recent.push(values[i]!);
  if (recent.length === 0) return 0;
  recent.sort((a, b) => a - b);
  const middle = recent.length >> 1;
  return recent.length % 2 ? recent[middle]! : (recent[middle - 1]! + recent[middle]!) / 2;
}

/**
 * How much restatements of the evaluated day moved the scope (new minus previous version), or null
 * without one. A restatement is seen in `previous` only by the evaluation it triggers; those seen
 * before (another provider's, on an earlier evaluation of the day) count by the RESTATEMENT
 * anomaly stored for them inside the scope.
 */
function restatementMove(evaluation: Evaluation, scope: SeriesNode): number | null {
  const { restated, last, input, series } = evaluation;
  let move = 0;
  let evidence = false;
  for (const part of providerParts(scope)) {
    const previous = part.provider ? restated.get(part.provider) : undefined;
    if (!previous) continue;
    move += part.values[last]! - valueInRecord(part, previous);
    evidence = true;
  }
  const earlier = new Map<CloudProvider, number>();
  for (const anomaly of input.recent) {
    if (anomaly.date !== input.day || anomaly.cause !== "RESTATEMENT" || !anomaly.provider) continue;
    if (restated.has(anomaly.provider)) continue;
    const node = series.nodes.get(anomaly.scopeKey);
    const day = anomaly.days.find((d) => d.date === input.day);
    if (!node || !day || (node !== scope && !contains(scope, node))) continue;
    const impact = day.actual - day.expected;
    const known = earlier.get(anomaly.provider);
    if (known === undefined || Math.abs(impact) > Math.abs(known)) earlier.set(anomaly.provider, impact);
  }
  for (const impact of earlier.values()) {
    move += impact;
    evidence = true;
  }
  return evidence ? move : null;
}

/**
 * Why the scope moved: RESTATEMENT when restatements make at least half of the move (or the scope
 * would not have flagged without them); CREDIT or TAX when that charge category moved at least
 * half of it the same way; USAGE otherwise. Null (nothing to report) when the move is a credit or
 * tax that comes on this day every month, or a refund or correction of earlier charges (Adjustment
 * lines). Series are judged at today's exchange rates, so a rate change never gets here (fxMoves).
 */
function causeOf(
  evaluation: Evaluation,
  scope: SeriesNode,
  direction: AnomalyDirection,
): AnomalyCause | null {
  const verdict = evaluation.verdict(scope)!;
  const sign = signOf(direction);
  const half = Math.abs(verdict.impact) / 2;
  const parts = providerParts(scope);
  const providers = new Set(parts.flatMap((part) => (part.provider ? [part.provider] : [])));

  const restatement = restatementMove(evaluation, scope);
  if (
    restatement !== null &&
    sign * restatement > 0 &&
    (Math.abs(restatement) >= half ||
      Math.abs(verdict.impact - restatement) < evaluation.settings.threshold * verdict.scale)
  )
    return "RESTATEMENT";

  // A refund or correction of earlier charges (an Adjustment line) is not a change of the day's spend.
  const adjustment = chargeMove(evaluation, providers, "Adjustment");
  if (sign * adjustment.move > 0 && Math.abs(adjustment.move) >= half) return null;
  const credit = chargeMove(evaluation, providers, "Credit");
  const tax = chargeMove(evaluation, providers, "Tax");
  const creditExplains = sign * credit.move > 0 && Math.abs(credit.move) >= half;
  const taxExplains = sign * tax.move > 0 && Math.abs(tax.move) >= half;
  if (creditExplains && (!taxExplains || Math.abs(credit.move) >= Math.abs(tax.move)))
    return credit.monthly ? null : "CREDIT";
  if (taxExplains) return tax.monthly ? null : "TAX";
  return "USAGE";
}

/**
 * Providers whose exchange rate changed today (a new month's rate): the total as stored, each day
 * at its own rate, steps out of its band while the same total at today's rate (what was billed)
 * does not. One EXCHANGE_RATE anomaly per such provider and direction, on the day of the change.
 */
function fxMoves(evaluation: Evaluation): { provider: ProviderSeries; direction: AnomalyDirection }[] {
  const { settings } = evaluation;
  const moves: { provider: ProviderSeries; direction: AnomalyDirection }[] = [];
  for (const provider of evaluation.series.providers) {
    const reported = provider.total.reported;
    if (!provider.rateChanged || !reported) continue;
    const verdict = evaluation.forecastAt(reported, evaluation.last);
    if (!verdict) continue;
    const direction: AnomalyDirection = verdict.impact > 0 ? "SPIKE" : "DROP";
    const size = Math.abs(verdict.impact);
    if (
      Math.abs(verdict.score) < settings.threshold ||
      size < settings.minImpact ||
      size < settings.minImpactShare * evaluation.clientExpected ||
      evaluation.flags(provider.total, direction)
    )
      continue;
    moves.push({ provider, direction });
  }
  return moves;
}

function severityOf(settings: AnomalySettings, impact: number, score: number): Severity {
  const { high, medium } = settings.severity;
  if (Math.abs(impact) >= high.impact && Math.abs(score) >= high.score) return "HIGH";
  if (Math.abs(impact) >= medium.impact && Math.abs(score) >= medium.score) return "MEDIUM";
  return "LOW";
}

/** Figures summed over the event's days [from, to], each day judged on the history before it. */
function eventFigures(
  evaluation: Evaluation,
  node: SeriesNode,
  from: IsoDay,
  to: IsoDay,
  values = node.values,
) {
  const { series, settings } = evaluation;
  const days: AnomalyDay[] = [];
  let actual = 0;
  let expected = 0;
  let variance = 0;
  let score = 0;
  const first = Math.max(0, daysBetween(series.start, from));
  const last = daysBetween(series.start, to);
  for (let index = first; index <= last; index++) {
    const verdict =
      index === evaluation.last && values === node.values
        ? evaluation.verdict(node)
        : evaluation.forecastAt(values, index);
    if (!verdict) continue;
    actual += verdict.actual;
    expected += verdict.expected;
    variance += verdict.scale * verdict.scale;
    if (Math.abs(verdict.score) > Math.abs(score)) score = verdict.score;
    days.push({
      date: addDays(series.start, index),
      actual: verdict.actual,
      expected: verdict.expected,
      score: verdict.score,
    });
  }
  const spread = settings.threshold * Math.sqrt(variance);
  const impact = actual - expected;
  return {
    actual,
    expected,
    expectedLower: expected - spread,
    expectedUpper: expected + spread,
    impact,
    impactPercent: Math.abs(expected) > 1e-9 ? (100 * impact) / Math.abs(expected) : null,
    score,
    severity: severityOf(settings, impact, score),
    days,
  };
}

function anomalyOf(
  evaluation: Evaluation,
  options: {
    id?: string;
    node: SeriesNode;
    direction: AnomalyDirection;
    date: IsoDay;
    lastDay: IsoDay;
    cause: AnomalyCause;
    rootCauses: AnomalyRootCause[];
    /** The values the figures come from (default: the node's, at today's exchange rates). */
    values?: Float64Array;
  },
): DetectedAnomaly {
  const { node, direction, date } = options;
  const { clientId, currency } = evaluation.input;
  return {
    id: options.id ?? anomalyId(clientId, node.key, direction, date),
    clientId,
    date,
    lastDay: options.lastDay,
    provider: node.provider,
    scope:
      node.dimension && node.itemKey !== null
        ? { dimension: node.dimension, key: node.itemKey, label: node.label }
        : null,
    scopeKey: node.key,
    direction,
    cause: options.cause,
    currency,
    ...eventFigures(evaluation, node, date, options.lastDay, options.values),
    rootCauses: options.rootCauses,
  };
}

/**
 * Judges every series of the client on `input.day` and returns the anomalies to store: new ones,
 * the continuation of open events, and open events cut back when `day` no longer supports them;
 * with the ids of anomalies of `day` alone that the data no longer supports. Deterministic: the
 * same input gives the same output.
 */
export function detectAnomalies(
  input: DetectionInput,
  model: SeriesModel = robustWeeklyModel,
): DetectionResult {
  const evaluation = new Evaluation(input, model);
  const { settings, series } = evaluation;
  const { day } = input;
  const recent = input.recent.filter((a) => a.clientId === input.clientId);
  const suppressedKeys = (keys: Iterable<string>, direction: AnomalyDirection): boolean => {
    const set = new Set(keys);
    return input.suppressed.some(
      (rule) =>
        rule.direction === direction && rule.from <= day && day <= rule.until && set.has(rule.scopeKey),
    );
  };

  const anomalies: DetectedAnomaly[] = [];
  const silenced = new Set<string>();
  const earliestContinuable = addDays(day, -(1 + settings.maxGapDays));
  const open: OpenEvent[] = [];
  const cutBack: { stored: DetectedAnomaly; node: SeriesNode }[] = [];
  const seen = new Set<string>();
  // An exchange-rate anomaly belongs to the day its rate changed; it does not run on.
  const continuable = recent
    .filter((a) => a.date < day && a.lastDay >= earliestContinuable && a.lastDay <= day)
    .filter((a) => a.cause !== "EXCHANGE_RATE")
    .sort((a, b) => (a.lastDay < b.lastDay ? 1 : a.lastDay > b.lastDay ? -1 : a.id.localeCompare(b.id)));
  /** Open events that did not go on by themselves: they go on if a related flag shows up today. */
  const waiting: OpenEvent[] = [];
  for (const stored of continuable) {
    const pattern = `${stored.scopeKey}|${stored.direction}`;
    if (seen.has(pattern)) continue;
    seen.add(pattern);
    const node = series.nodes.get(stored.scopeKey);
    if (!node || daysBetween(stored.date, day) >= settings.maxEventDays) {
      if (node && stored.lastDay === day) cutBack.push({ stored, node });
      continue;
    }
    // It goes on while its scope keeps moving, or while a root cause that made half of it flags.
    const carriedOn = stored.rootCauses.some((cause) => {
      const carrier = cause.share >= CARRIES_THE_MOVE && series.nodes.get(rootCauseScopeKey(stored, cause));
      return carrier && evaluation.flags(carrier, stored.direction);
    });
    const event = { stored, node, members: new Set<SeriesNode>() };
    if (evaluation.continues(node, stored.direction) || carriedOn) open.push(event);
    else waiting.push(event);
  }
  /** Events already judged on later days: a flag of `day` that belongs to one is not raised again. */
  const later = recent
    .filter((a) => a.date <= day && a.lastDay > day)
    .flatMap((stored) => {
      const node = series.nodes.get(stored.scopeKey);
      return node ? [{ stored, node }] : [];
    });

  for (const direction of DIRECTIONS) {
    for (const cluster of clustersOf(evaluation, direction)) {
      let event = open.find((e) => relates(evaluation, e.stored, e.node, cluster));
      if (!event) {
        event = waiting.find((e) => relates(evaluation, e.stored, e.node, cluster));
        if (event) {
          waiting.splice(waiting.indexOf(event), 1);
          open.push(event);
        }
      }
      if (event) {
        for (const member of cluster.members) event.members.add(member);
        continue;
      }
      if (later.some((e) => relates(evaluation, e.stored, e.node, cluster))) continue;
      const keys = [cluster.scope.key, ...[...cluster.members].map((m) => m.key)];
      const id = anomalyId(input.clientId, cluster.scope.key, direction, day);
      if (suppressedKeys(keys, direction)) {
        silenced.add(id);
        continue;
      }
      const cause = causeOf(evaluation, cluster.scope, direction);
      if (cause === null) continue;
      // A restatement is seen once, when it lands: a later evaluation of the day keeps that cause.
      const before = recent.find((a) => a.id === id);
      anomalies.push(
        anomalyOf(evaluation, {
          id,
          node: cluster.scope,
          direction,
          date: day,
          lastDay: day,
          cause: cause === "USAGE" && before?.cause === "RESTATEMENT" ? "RESTATEMENT" : cause,
          rootCauses: rootCausesOf(evaluation, cluster.scope, cluster.members, direction),
        }),
      );
    }
  }
  for (const { provider, direction } of fxMoves(evaluation)) {
    const node = provider.total;
    if (anomalies.some((a) => a.provider === provider.provider && a.direction === direction)) continue;
    const id = anomalyId(input.clientId, node.key, direction, day);
    if (suppressedKeys([node.key], direction)) {
      silenced.add(id);
      continue;
    }
    anomalies.push(
      anomalyOf(evaluation, {
        id,
        node,
        direction,
        date: day,
        lastDay: day,
        cause: "EXCHANGE_RATE",
        rootCauses: [],
        values: node.reported!,
      }),
    );
  }
  for (const event of waiting) if (event.stored.lastDay === day) cutBack.push(event);
  for (const { stored, node } of cutBack) {
    // Its continuation onto `day` no longer holds: back to where it stood the day before.
    anomalies.push(
      anomalyOf(evaluation, {
        id: stored.id,
        node,
        direction: stored.direction,
        date: stored.date,
        lastDay: addDays(day, -1),
        cause: stored.cause,
        rootCauses: stored.rootCauses,
      }),
    );
  }
  for (const event of open) {
    const { stored, node } = event;
    const keys = [stored.scopeKey, ...[...event.members].map((m) => m.key)];
    if (suppressedKeys(keys, stored.direction)) {
      silenced.add(stored.id);
      continue;
    }
    // Root causes are those of the event's strongest day so far.
    const peakBefore = Math.max(0, ...stored.days.filter((d) => d.date < day).map((d) => Math.abs(d.score)));
    const today = Math.abs(evaluation.verdict(node)?.score ?? 0);
    anomalies.push(
      anomalyOf(evaluation, {
        id: stored.id,
        node,
        direction: stored.direction,
        date: stored.date,
        lastDay: day,
        cause: stored.cause,
        rootCauses:
          today >= peakBefore
            ? rootCausesOf(evaluation, node, event.members, stored.direction)
            : stored.rootCauses,
      }),
    );
  }

  const emitted = new Set(anomalies.map((a) => a.id));
  const resolved = recent
    .filter((a) => a.date === day && a.lastDay === day && !emitted.has(a.id) && !silenced.has(a.id))
    .map((a) => a.id)
    .sort();
  anomalies.sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact) || a.id.localeCompare(b.id));
  return { anomalies, resolved };
}
