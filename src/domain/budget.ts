/**
 * Budgets and their alerts: an amount a client means to spend per calendar month, quarter or year
 * on some of its costs, the thresholds it wants to hear about, and the alerts raised once each.
 */
import type { CostFilter } from "./aggregation.js";
import type { IsoDay } from "./cost-record.js";
import { addMonths, lastDayOfMonth, monthOf, type DayRange } from "./dates.js";
import { describeValue, ValidationError } from "./validation.js";

export const BUDGET_PERIODS = ["MONTHLY", "QUARTERLY", "YEARLY"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
/** ACTUAL: spend so far crossed a threshold; FORECAST: the expected period total crosses the amount. */
export const BUDGET_ALERT_KINDS = ["ACTUAL", "FORECAST"] as const;
export type BudgetAlertKind = (typeof BUDGET_ALERT_KINDS)[number];

/** Fractions of the amount alerted on when none are given. */
export const DEFAULT_THRESHOLDS: readonly number[] = [0.5, 0.8, 1];
/** A forecast alert is raised when the expected total reaches this fraction of the amount. */
export const FORECAST_ALERT_THRESHOLD = 1;
export const MAX_BUDGETS_PER_CLIENT = 200;
/** Larger than any real budget (a trillion in any currency): a typo, not a plan. */
export const MAX_BUDGET_AMOUNT = 1e12;
const MAX_THRESHOLDS = 10;

export interface Budget {
  id: string;
  clientId: string;
  name: string;
  /** In the client's reporting currency, `currency`. */
  amount: number;
  currency: string;
  period: BudgetPeriod;
  /** Null: every cost of the client. */
  filter: CostFilter | null;
  /** Ascending fractions of amount, in (0, 10]. */
  thresholds: number[];
  createdAt: string;
  updatedAt: string;
}

export interface BudgetAlert {
  /** Deterministic per (budget, period, threshold, kind): raised once. */
  key: string;
  clientId: string;
  budgetId: string;
  currency: string;
  kind: BudgetAlertKind;
  threshold: number;
  period: DayRange;
  /** Spend so far in the period, when raised. */
  actual: number;
  /** The expected period total, when raised. */
  forecast: number;
  breachProbability: number;
  /** ISO instant it was raised. */
  at: string;
}

/** The calendar month, quarter or year that contains `day`. */
export function budgetPeriodContaining(period: BudgetPeriod, day: IsoDay): DayRange {
  const month = monthOf(day);
  const [year, m] = month.split("-").map(Number) as [number, number];
  const firstMonth =
    period === "MONTHLY"
      ? month
      : period === "QUARTERLY"
        ? `${year}-${String(m - ((m - 1) % 3)).padStart(2, "0")}`
        : `${year}-01`;
  const months = period === "MONTHLY" ? 1 : period === "QUARTERLY" ? 3 : 12;
  return { start: `${firstMonth}-01`, end: lastDayOfMonth(addMonths(firstMonth, months - 1)) };
}

/** The amount, checked: finite, positive, not absurd. */
export function checkBudgetAmount(amount: number, field = "amount"): number {
  if (!Number.isFinite(amount) || amount <= 0) {
    throw new ValidationError(field, `${describeValue(amount)} is not a positive amount`);
  }
  if (amount > MAX_BUDGET_AMOUNT) {
    throw new ValidationError(field, `${describeValue(amount)} is larger than ${MAX_BUDGET_AMOUNT}`);
  }
  return amount;
}

/** Thresholds, checked and put in order without repeats; the defaults when none are given. */
export function checkThresholds(
  thresholds: readonly number[] | null | undefined,
  field = "thresholds",
): number[] {
  if (thresholds === null || thresholds === undefined) return [...DEFAULT_THRESHOLDS];
  if (thresholds.length === 0 || thresholds.length > MAX_THRESHOLDS) {
    throw new ValidationError(field, `give 1 to ${MAX_THRESHOLDS} thresholds`);
  }
  thresholds.forEach((t, i) => {
    if (!Number.isFinite(t) || t <= 0 || t > 10) {
      throw new ValidationError(`${field}[${i}]`, `${describeValue(t)} is outside (0, 10]`);
    }
  });
  return [...new Set(thresholds)].sort((a, b) => a - b);
}

/** The thresholds that spend so far has reached, as fractions of the amount. */
export function crossedThresholds(budget: Pick<Budget, "amount" | "thresholds">, actual: number): number[] {
  return budget.thresholds.filter((threshold) => actual >= threshold * budget.amount);
}

export function budgetAlertKey(
  budgetId: string,
  period: DayRange,
  kind: BudgetAlertKind,
  threshold: number,
): string {
  return `${budgetId}.${period.start}.${kind}.${threshold}`;
}

/** What a budget's current standing calls for: one ACTUAL alert per crossed threshold, one FORECAST alert when the expected total reaches the amount. */
export function alertsDue(
  budget: Budget,
  standing: { period: DayRange; actual: number; forecast: number; breachProbability: number },
  at: string,
): BudgetAlert[] {
  const alert = (kind: BudgetAlertKind, threshold: number): BudgetAlert => ({
    key: budgetAlertKey(budget.id, standing.period, kind, threshold),
    clientId: budget.clientId,
    budgetId: budget.id,
    currency: budget.currency,
    kind,
    threshold,
    period: standing.period,
    actual: standing.actual,
    forecast: standing.forecast,
    breachProbability: standing.breachProbability,
    at,
  });
  const due = crossedThresholds(budget, standing.actual).map((threshold) => alert("ACTUAL", threshold));
  if (standing.forecast >= FORECAST_ALERT_THRESHOLD * budget.amount)
    due.push(alert("FORECAST", FORECAST_ALERT_THRESHOLD));
  return due;
}
