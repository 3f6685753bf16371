/**
 * Rolling-origin backtests of the month-end forecast (forecastCost) on the stored daily series of
 * each tenant: its total and each provider's, in USD. Pure and fast.
 *
 * For each of the last complete months and each origin day d, the forecast sees the series through
 * day d - 1 (day 1: through the previous month's last day) and forecasts the month; it is scored
 * against the month's stored total and days:
 * - APE of the month total, and bias (expected - actual) / actual;
 * - whether the total falls inside the 80% and 95% intervals, and each forecast day inside its own;
 * - MASE per series: mean absolute daily error over the forecast days, over the in-sample MAE of
 *   the seasonal-naive-7 one-step forecast (seasonalNaiveScale of the history), averaged over the
 *   series' forecasts; "skill" is the same error over that of a seasonal-naive-7 forecast (each day
 *   ahead the same weekday of the last stored week) from the same origin;
 * - breach calibration, from the origin day nearest to 10: budgets at the given multiples of the
 *   true total, the forecast's breachProbability against the run-rate rule (breach when the spend
 *   so far, per day, times the month's days exceeds the budget), by Brier score.
 */
import type { IsoDay } from "../../src/domain/cost-record.js";
import {
  addDays,
  addMonths,
  daysBetween,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
} from "../../src/domain/dates.js";
import { breachProbability, forecastCost, type ForecastResult } from "../../src/insights/cost-forecast.js";
import { seasonalNaiveScale } from "../../src/insights/forecast-backtest.js";
import type { EvalSettings } from "./settings.js";

export interface SeriesInput {
  seed: number;
  /** "TOTAL" (the tenant's) or a provider. */
  name: string;
  /** The day of values[0]. */
  start: IsoDay;
  /** Daily amounts, NaN where nothing is stored. */
  values: readonly number[];
}

interface Backtest {
  seed: number;
  name: string;
  month: string;
  day: number;
  actual: number;
  expected: number;
  method: string;
  inside80: boolean;
  inside95: boolean;
  daysInside80: number;
  daysInside95: number;
  days: number;
  /** Mean absolute daily error, and the seasonal-naive-7 forecast's, over the forecast days. */
  dailyError: number;
  naiveDailyError: number;
  scale: number;
  breach?: { factor: number; probability: number; runRate: number; breached: boolean }[];
}

export interface OriginFigures {
  day: number;
  series: "client totals" | "providers";
  forecasts: number;
  mape: number;
  bias: number;
  coverage80: number;
  coverage95: number;
}

export interface ForecastReport {
  months: string[];
  forecasts: number;
  methods: Record<string, number>;
  byOrigin: OriginFigures[];
  coverage: { total80: number; total95: number; daily80: number; daily95: number };
  mase: {
    series: { seed: number; name: string; mase: number; skill: number }[];
    belowOne: number;
    share: number;
  };
  breach: {
    originDay: number;
    budgets: number;
    brier: number;
    brierRunRate: number;
    /** 1 - brier / brierRunRate (null when the run-rate rule was never wrong). */
    improvement: number | null;
    byFactor: { factor: number; budgets: number; brier: number; brierRunRate: number }[];
  };
}

const mean = (values: readonly number[]) =>
  values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : NaN;

function sumOf(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + (Number.isNaN(value) ? 0 : value), 0);
}

function backtest(
  series: SeriesInput,
  month: string,
  day: number,
  settings: EvalSettings,
  breachDay: number,
): Backtest {
  const periodStart = firstDayOfMonth(month);
  const periodEnd = lastDayOfMonth(month);
  const lastDay = addDays(periodStart, day - 2);
  const history = series.values.slice(0, daysBetween(series.start, lastDay) + 1);
  const indexOf = (date: IsoDay) => daysBetween(series.start, date);
  const monthValues = series.values.slice(indexOf(periodStart), indexOf(periodEnd) + 1);
  const actual = sumOf(monthValues);
  const request = { history, lastDay, periodStart, periodEnd };
  const at80 = forecastCost({ ...request, confidence: 0.8 });
  const at95 = forecastCost({ ...request, confidence: 0.95 });
  const inside = (result: ForecastResult) => actual >= result.lower && actual <= result.upper;
  const daysInside = (result: ForecastResult) =>
    result.points.filter((point) => {
      const value = series.values[indexOf(point.date)]!;
      return value >= point.lower && value <= point.upper;
    }).length;
  const lastWeek = history.slice(-7);
  let error = 0;
  let naiveError = 0;
  for (const point of at80.points) {
    const value = series.values[indexOf(point.date)]!;
    error += Math.abs(point.expected - value);
    // h days ahead: the same weekday of the last stored week.
    const h = daysBetween(lastDay, point.date);
    naiveError += Math.abs(lastWeek[(h - 1) % 7]! - value);
  }
  const days = at80.points.length;
  const result: Backtest = {
    seed: series.seed,
    name: series.name,
    month,
    day,
    actual,
    expected: at80.expected,
    method: at80.method,
    inside80: inside(at80),
    inside95: inside(at95),
    daysInside80: daysInside(at80),
    daysInside95: daysInside(at95),
    days,
    dailyError: error / days,
    naiveDailyError: naiveError / days,
    scale: seasonalNaiveScale(history, history.length),
  };
  if (day === breachDay) {
    const spent = sumOf(monthValues.slice(0, day - 1));
    const runRate = day > 1 ? (spent / (day - 1)) * monthValues.length : NaN;
    result.breach = settings.budgetFactors.map((factor) => {
      const budget = factor * actual;
      return {
        factor,
        probability: breachProbability(at80, budget),
        runRate: runRate > budget ? 1 : 0,
        breached: actual > budget,
      };
    });
  }
  return result;
}

function originFigures(
  day: number,
  kind: OriginFigures["series"],
  tests: readonly Backtest[],
): OriginFigures {
  return {
    day,
    series: kind,
    forecasts: tests.length,
    mape: mean(tests.map((t) => Math.abs(t.expected - t.actual) / Math.abs(t.actual))),
    bias: mean(tests.map((t) => (t.expected - t.actual) / Math.abs(t.actual))),
    coverage80: mean(tests.map((t) => (t.inside80 ? 1 : 0))),
    coverage95: mean(tests.map((t) => (t.inside95 ? 1 : 0))),
  };
}

const brier = (pairs: readonly { p: number; o: boolean }[]) =>
  mean(pairs.map(({ p, o }) => (p - (o ? 1 : 0)) ** 2));

export function scoreForecasts(series: readonly SeriesInput[], settings: EvalSettings): ForecastReport {
  const currentMonth = monthOf(settings.today);
  const months = Array.from({ length: settings.forecastMonths }, (_, i) =>
    addMonths(currentMonth, i - settings.forecastMonths),
  );
  const breachDay = settings.forecastDays.reduce((best, day) =>
    Math.abs(day - 10) < Math.abs(best - 10) ? day : best,
  );
  const tests = series.flatMap((s) =>
    months.flatMap((month) =>
      settings.forecastDays.map((day) => backtest(s, month, day, settings, breachDay)),
    ),
  );

  const byOrigin = settings.forecastDays.flatMap((day) => [
    originFigures(
      day,
      "client totals",
      tests.filter((t) => t.day === day && t.name === "TOTAL"),
    ),
    originFigures(
      day,
      "providers",
      tests.filter((t) => t.day === day && t.name !== "TOTAL"),
    ),
  ]);
  const seriesMase = series.map((s) => {
    const own = tests.filter((t) => t.seed === s.seed && t.name === s.name);
    return {
      seed: s.seed,
      name: s.name,
      mase: mean(own.map((t) => t.dailyError / t.scale)),
      skill: mean(own.map((t) => t.dailyError)) / mean(own.map((t) => t.naiveDailyError)),
    };
  });
  const belowOne = seriesMase.filter((s) => s.mase < 1).length;
  const budgets = tests.flatMap((t) => t.breach ?? []);
  const brierOf = (list: typeof budgets) => ({
    budgets: list.length,
    brier: brier(list.map((b) => ({ p: b.probability, o: b.breached }))),
    brierRunRate: brier(list.map((b) => ({ p: b.runRate, o: b.breached }))),
  });
  const all = brierOf(budgets);
  const days = tests.reduce((sum, t) => sum + t.days, 0);
  return {
    months,
    forecasts: tests.length,
    methods: tests.reduce<Record<string, number>>(
      (counts, t) => ({ ...counts, [t.method]: (counts[t.method] ?? 0) + 1 }),
      {},
    ),
    byOrigin,
    coverage: {
      total80: mean(tests.map((t) => (t.inside80 ? 1 : 0))),
      total95: mean(tests.map((t) => (t.inside95 ? 1 : 0))),
      daily80: tests.reduce((sum, t) => sum + t.daysInside80, 0) / days,
      daily95: tests.reduce((sum, t) => sum + t.daysInside95, 0) / days,
    },
    mase: { series: seriesMase, belowOne, share: series.length > 0 ? belowOne / series.length : 0 },
    breach: {
      originDay: breachDay,
      ...all,
      improvement: all.brierRunRate > 0 ? 1 - all.brier / all.brierRunRate : null,
      byFactor: settings.budgetFactors.map((factor) => ({
        factor,
        ...brierOf(budgets.filter((b) => b.factor === factor)),
      })),
    },
  };
}

/** The tenants' series as scoreForecasts takes them. */
export function seriesOf(
  runs: readonly { seed: number; period: { start: IsoDay }; series: Record<string, number[]> }[],
): SeriesInput[] {
  return runs.flatMap((run) =>
    Object.entries(run.series).map(([name, values]) => ({
      seed: run.seed,
      name,
      start: run.period.start,
      values,
    })),
  );
}
