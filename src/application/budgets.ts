/**
 * Budgets: set and deleted by editors of the client, read by its viewers; each one's standing in a
 * period (spend so far, the forecast, the breach probability, the thresholds crossed); and its
 * alerts, raised once per (budget, period, threshold, kind) whenever a budget is set or a day of
 * its current period lands.
 */
import { randomUUID } from "node:crypto";
import type { CostFilter } from "../domain/aggregation.js";
import {
  alertsDue,
  budgetPeriodContaining,
  checkBudgetAmount,
  checkThresholds,
  crossedThresholds,
  MAX_BUDGETS_PER_CLIENT,
  type Budget,
  type BudgetAlert,
  type BudgetPeriod,
} from "../domain/budget.js";
import type { IsoDay } from "../domain/cost-record.js";
import { dayOfInstant, type DayRange } from "../domain/dates.js";
import { clientNotFound, NotFoundError } from "../domain/errors.js";
import { SYSTEM, type Authentication } from "../domain/identity.js";
import { checkCostFilter } from "../domain/limits.js";
import { validateText, ValidationError } from "../domain/validation.js";
import type { Clock } from "../shared/clock.js";
import type { BudgetStore } from "../store/budget-store.js";
import { candidatesOf, pageOf } from "../store/page.js";
import type { CostRecordHeaderChange } from "../store/stream-items.js";
import { requireEdit, requireRead } from "./authorization.js";
import type { Connection, CursorCodec, PageRequest } from "./cursors.js";
import type { CostForecastAnswer, CostForecasts } from "./forecasts.js";
import { parseNodeId } from "./node-ids.js";
import type { Tenants } from "./tenants.js";

/** Budget statuses and alerts rest on forecasts at this confidence. */
export const BUDGET_CONFIDENCE = 0.8;

export interface BudgetInput {
  clientId: string;
  /** A budget's id, to change it; absent to create one. */
  id?: string | null;
  name: string;
  amount: number;
  period: BudgetPeriod;
  filter?: CostFilter | null;
  thresholds?: readonly number[] | null;
}

export interface BudgetStatus {
  period: DayRange;
  actual: number;
  forecast: CostForecastAnswer;
  breachProbability: number;
  crossedThresholds: number[];
}

export interface BudgetDeps {
  budgets: BudgetStore;
  tenants: Tenants;
  forecasts: CostForecasts;
  cursors: CursorCodec;
  clock: Clock;
}

export class Budgets {
  constructor(private readonly deps: BudgetDeps) {}

  async list(auth: Authentication, clientId: string): Promise<Budget[]> {
    requireRead(auth, clientId);
    return this.deps.budgets.list(clientId);
  }

  async budget(auth: Authentication, ref: { clientId: string; budgetId: string }): Promise<Budget | null> {
    requireRead(auth, ref.clientId);
    return this.deps.budgets.get(ref.clientId, ref.budgetId);
  }

  /** Creates or replaces a budget, then evaluates it at once (a budget set below the spend alerts now). */
  async set(auth: Authentication, input: BudgetInput): Promise<Budget> {
    requireEdit(auth, input.clientId);
    const name = validateText(input.name, "name");
    const amount = checkBudgetAmount(input.amount);
    const thresholds = checkThresholds(input.thresholds);
    const filter = input.filter ? checkCostFilter({ ...input.filter }) : null;
    const client = await this.deps.tenants.client(auth, input.clientId);
    if (!client) throw clientNotFound(input.clientId);
    const now = this.deps.clock().toISOString();
    let existing: Budget | null = null;
    if (input.id) {
      const ref = parseNodeId(input.id, "id");
      if (ref.kind !== "Budget" || ref.clientId !== input.clientId)
        throw new NotFoundError("no budget of this client has this id");
      existing = await this.deps.budgets.get(ref.clientId, ref.budgetId);
      if (!existing) throw new NotFoundError("no budget of this client has this id");
    } else if ((await this.deps.budgets.list(input.clientId)).length >= MAX_BUDGETS_PER_CLIENT) {
      throw new ValidationError(
        "clientId",
        `already has ${MAX_BUDGETS_PER_CLIENT} budgets, the most a client may have`,
      );
    }
    const budget: Budget = {
      id: existing?.id ?? randomUUID(),
      clientId: input.clientId,
      name,
      amount,
      currency: client.reportingCurrency,
      period: input.period,
      filter: filter && Object.keys(filter).length > 0 ? filter : null,
      thresholds,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    };
    await this.deps.budgets.put(budget);
    await this.raiseDue(budget);
    return budget;
  }

  /** True when it existed; its alerts go with it. */
  async delete(auth: Authentication, id: string): Promise<boolean> {
    const ref = parseNodeId(id, "id");
    if (ref.kind !== "Budget") return false;
    requireEdit(auth, ref.clientId);
    return this.deps.budgets.delete(ref.clientId, ref.budgetId);
  }

  /** The budget's standing in the period containing `asOf` (default: today). */
  async status(auth: Authentication, budget: Budget, asOf?: IsoDay): Promise<BudgetStatus> {
    const period = budgetPeriodContaining(budget.period, asOf ?? dayOfInstant(this.deps.clock()));
    const forecast = await this.deps.forecasts.forecast(auth, budget.clientId, {
      period,
      filter: budget.filter ?? {},
      confidence: BUDGET_CONFIDENCE,
    });
    return {
      period,
      actual: forecast.actual,
      forecast,
      breachProbability: this.deps.forecasts.breachProbability(forecast, budget.amount),
      crossedThresholds: crossedThresholds(budget, forecast.actual),
    };
  }

  /** The client's alerts, newest first. */
  async alerts(auth: Authentication, clientId: string, page: PageRequest): Promise<Connection<BudgetAlert>> {
    requireRead(auth, clientId);
    const all = await this.deps.budgets.alerts(clientId);
    const position = (alert: BudgetAlert) => `${alert.at}|${alert.key}`;
    // Newest first: positions descend, so the in-memory window reads them in reverse order.
    const ascending = [...all].reverse();
    return this.deps.cursors.page(
      `budgetAlerts:${clientId}`,
      page,
      position,
      async (window) => {
        const flipped = { ...window, backward: !window.backward };
        const read = candidatesOf(ascending, flipped, position).slice(0, window.size + 1);
        return pageOf(read, window);
      },
      async () => all.length,
    );
  }

  async alert(auth: Authentication, ref: { clientId: string; key: string }): Promise<BudgetAlert | null> {
    requireRead(auth, ref.clientId);
    return this.deps.budgets.alert(ref.clientId, ref.key);
  }

  /**
   * Re-evaluates the budgets of the clients whose current period got new or restated days (the
   * stream's batch): a past period's days are history and raise nothing.
   */
  async onRecordChanges(changes: readonly CostRecordHeaderChange[]): Promise<void> {
    const today = dayOfInstant(this.deps.clock());
    const touched = new Map<string, Set<IsoDay>>();
    for (const { record } of changes) {
      const days = touched.get(record.clientId) ?? new Set<IsoDay>();
      days.add(record.date);
      touched.set(record.clientId, days);
    }
    for (const [clientId, days] of touched) {
      for (const budget of await this.deps.budgets.list(clientId)) {
        const current = budgetPeriodContaining(budget.period, today);
        if ([...days].some((day) => day >= current.start && day <= current.end)) await this.raiseDue(budget);
      }
    }
  }

  /** Raises what the budget's current standing calls for; an alert raised before is not raised again. */
  private async raiseDue(budget: Budget): Promise<void> {
    const status = await this.status(SYSTEM, budget);
    const due = alertsDue(
      budget,
      {
        period: status.period,
        actual: status.actual,
        forecast: status.forecast.expected,
        breachProbability: status.breachProbability,
      },
      this.deps.clock().toISOString(),
    );
    for (const alert of due) await this.deps.budgets.raise(alert);
  }
}
