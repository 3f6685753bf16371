/**
 * Detection when data lands: the stream consumer (one lease holder per deployment, so exactly one
 * instance evaluates) hands each batch of stored or restated days here before checkpointing it.
 * Each client's changed days are judged in day order by the pure detector (src/insights), over
 * one read of their history and of the anomalies already stored, and only new or changed anomalies
 * are written. Ids are deterministic and unchanged findings are not written, so a redelivered
 * batch or a re-collection of the same data raises nothing new.
 */
import { SUPPRESSING_FEEDBACK, type AnomalyFinding, type CostAnomaly } from "../domain/anomaly.js";
import type { CostRecordHeader } from "../domain/cost-record.js";
import { addDays, daysInRange } from "../domain/dates.js";
import { CLOUD_PROVIDERS } from "../domain/provider.js";
import {
  detectAnomalies,
  resolveSettings,
  type AnomalySettings,
  type DetectedAnomaly,
  type SuppressionRule,
} from "../insights/anomaly-detection.js";
import type { Logger } from "../observability/logger.js";
import type { Clock } from "../shared/clock.js";
import type { CostAnomalyStore } from "../store/anomaly-store.js";
import type { CostRecordStore } from "../store/cost-record-store.js";
import type { CostRecordHeaderChange } from "../store/stream-items.js";

/** How long NOT_ANOMALY or PLANNED feedback mutes its pattern after the event's last day. */
export const FEEDBACK_MUTES_DAYS = 7;
/** Anomalies of this many days before a changed day are read as its recent ones. */
const RECENT_DAYS = 7;

export interface AnomalyEvaluationDeps {
  costs: Pick<CostRecordStore, "getHeaders">;
  anomalies: Pick<CostAnomalyStore, "between" | "save">;
  clock: Clock;
  logger: Logger;
  settings?: Partial<AnomalySettings>;
}

/** The detector's finding, as the domain keeps it. */
function findingOf(detected: DetectedAnomaly): AnomalyFinding {
  const { id, ...finding } = detected;
  return { ...finding, key: id };
}

function detectedOf(anomaly: CostAnomaly): DetectedAnomaly {
  const {
    key,
    status: _status,
    feedback: _feedback,
    detectedAt: _d,
    updatedAt: _u,
    expiresAt: _e,
    ...rest
  } = anomaly;
  return { ...rest, id: key };
}

/** JSON with sorted keys: a stored finding and a fresh one compare equal when nothing changed. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

const sameFinding = (stored: CostAnomaly, finding: AnomalyFinding) =>
  canonical(findingOf(detectedOf(stored))) === canonical(finding);

export class AnomalyEvaluation {
  private readonly settings: AnomalySettings;

  constructor(private readonly deps: AnomalyEvaluationDeps) {
    this.settings = resolveSettings(deps.settings);
  }

  /** Evaluates every changed day of the batch; throws (so the batch is read again) when a read or write fails. */
  async onRecordChanges(changes: readonly CostRecordHeaderChange[]): Promise<void> {
    const byClient = new Map<string, CostRecordHeaderChange[]>();
    for (const change of changes) {
      const list = byClient.get(change.record.clientId) ?? [];
      list.push(change);
      byClient.set(change.record.clientId, list);
    }
    for (const [clientId, clientChanges] of byClient) await this.evaluateClient(clientId, clientChanges);
  }

  private async evaluateClient(clientId: string, changes: readonly CostRecordHeaderChange[]): Promise<void> {
    const days = [...new Set(changes.map((c) => c.record.date))].sort();
    const first = days[0]!;
    const last = days.at(-1)!;
    const currency = changes[0]!.record.reportingCurrency;
    const history = await this.headers(clientId, addDays(first, -this.settings.historyDays), last);
    const stored = await this.deps.anomalies.between(clientId, {
      start: addDays(first, -(this.settings.maxEventDays + RECENT_DAYS)),
      end: last,
    });
    const known = new Map(stored.map((anomaly) => [anomaly.key, anomaly]));
    const changed = new Map<string, CostAnomaly>();
    const now = this.deps.clock().toISOString();

    for (const day of days) {
      const previous = changes.filter((c) => c.record.date === day && c.previous).map((c) => c.previous!);
      const around = [...known.values()];
      const result = detectAnomalies({
        clientId,
        currency,
        day,
        records: history,
        previous,
        recent: around
          .filter((a) => a.lastDay >= addDays(day, -RECENT_DAYS) && a.date <= day)
          .map(detectedOf),
        suppressed: around.filter((a) => a.date <= day).flatMap((a) => this.suppression(a)),
      });
      for (const detected of result.anomalies) {
        const finding = findingOf(detected);
        const existing = known.get(finding.key);
        if (existing && existing.status === "OPEN" && sameFinding(existing, finding)) continue;
        const next: CostAnomaly = {
          ...finding,
          status: "OPEN",
          ...(existing?.feedback ? { feedback: existing.feedback } : {}),
          detectedAt: existing?.detectedAt ?? now,
          updatedAt: now,
          expiresAt: expiresAtOf(history, finding.lastDay),
        };
        known.set(next.key, next);
        changed.set(next.key, next);
      }
      for (const key of result.resolved) {
        const existing = known.get(key);
        if (!existing || existing.status === "RESOLVED") continue;
        const next: CostAnomaly = { ...existing, status: "RESOLVED", updatedAt: now };
        known.set(key, next);
        changed.set(key, next);
      }
    }
    if (changed.size > 0) {
      await this.deps.anomalies.save([...changed.values()]);
      this.deps.logger.debug({ clientId, anomalies: changed.size, days: days.length }, "anomalies updated");
    }
  }

  /** Feedback that mutes a pattern: the same series and direction, from the event's start for a week past its end. */
  private suppression(anomaly: CostAnomaly): SuppressionRule[] {
    if (!anomaly.feedback || !SUPPRESSING_FEEDBACK.includes(anomaly.feedback)) return [];
    return [
      {
        scopeKey: anomaly.scopeKey,
        direction: anomaly.direction,
        from: anomaly.date,
        until: addDays(anomaly.lastDay, FEEDBACK_MUTES_DAYS),
      },
    ];
  }

  /** Every provider's stored headers of the days, as they are now. */
  private async headers(clientId: string, start: string, end: string): Promise<CostRecordHeader[]> {
    const keys = daysInRange(start, end).flatMap((date) =>
      CLOUD_PROVIDERS.map((provider) => ({ clientId, provider, date })),
    );
    const found = await this.deps.costs.getHeaders(keys);
    return found.filter((header): header is CostRecordHeader => header !== null);
  }
}

/** An anomaly lives as long as the records of its last day. */
function expiresAtOf(history: readonly CostRecordHeader[], day: string): number {
  const ttl = history.filter((h) => h.date === day).map((h) => h.expiresAt);
  return ttl.length > 0 ? Math.max(...ttl) : Math.max(0, ...history.map((h) => h.expiresAt));
}
