/**
 * Cost anomalies as callers see them: a client's anomalies of a period (newest day first, by
 * severity and status), one by id, and feedback from editors. Detection itself runs on the stream
 * (anomaly-evaluation.ts), not here.
 */
import type { AnomalyFeedback, AnomalyStatus, CostAnomaly, Severity } from "../domain/anomaly.js";
import type { DayRange } from "../domain/dates.js";
import { NotFoundError } from "../domain/errors.js";
import type { Authentication } from "../domain/identity.js";
import { checkPeriod } from "../domain/limits.js";
import type { Clock } from "../shared/clock.js";
import { listingPosition, type CostAnomalyStore } from "../store/anomaly-store.js";
import { ItemNotFoundError } from "../store/errors.js";
import { requireEdit, requireRead } from "./authorization.js";
import type { Connection, CursorCodec, PageRequest } from "./cursors.js";
import { parseNodeId } from "./node-ids.js";

export interface AnomalyDeps {
  anomalies: CostAnomalyStore;
  cursors: CursorCodec;
  clock: Clock;
}

export interface AnomalyQuestion {
  period: DayRange;
  minSeverity?: Severity;
  status?: AnomalyStatus;
}

export class Anomalies {
  constructor(private readonly deps: AnomalyDeps) {}

  async list(
    auth: Authentication,
    clientId: string,
    question: AnomalyQuestion,
    page: PageRequest,
  ): Promise<Connection<CostAnomaly>> {
    requireRead(auth, clientId);
    const period = checkPeriod(question.period);
    const scope = `anomalies:${clientId}:${period.start}:${period.end}:${question.minSeverity ?? ""}:${question.status ?? ""}`;
    return this.deps.cursors.page(scope, page, listingPosition, (window) =>
      this.deps.anomalies.list(clientId, { ...question, period }, window),
    );
  }

  /** One anomaly of a client the caller may read; null when it does not exist. */
  async anomaly(auth: Authentication, ref: { clientId: string; date: string; key: string }) {
    requireRead(auth, ref.clientId);
    return this.deps.anomalies.get(ref.clientId, ref.date, ref.key);
  }

  /** Editors and admins of the anomaly's client; NOT_FOUND for an id of nothing stored. */
  async setFeedback(
    auth: Authentication,
    anomalyId: string,
    feedback: AnomalyFeedback,
  ): Promise<CostAnomaly> {
    const ref = parseNodeId(anomalyId, "anomalyId");
    if (ref.kind !== "CostAnomaly") throw new NotFoundError("no anomaly has this id");
    requireEdit(auth, ref.clientId);
    try {
      return await this.deps.anomalies.setFeedback(
        ref.clientId,
        ref.date,
        ref.key,
        feedback,
        this.deps.clock().toISOString(),
      );
    } catch (error) {
      if (error instanceof ItemNotFoundError) throw new NotFoundError("no anomaly has this id");
      throw error;
    }
  }
}
