/**
 * Cost forecasts: a client's daily series under a filter (the same reads as the cost fields),
 * handed to the pure forecaster (src/insights), which picks its model by backtest on this very
 * series. A forecast is kept in the read cache under today's date and its question until the
 * client's data changes, and costs no more reads than the series.
 */
import type { CostFilter } from "../domain/aggregation.js";
import { addDays, dayOfInstant, type DayRange } from "../domain/dates.js";
import type { Authentication } from "../domain/identity.js";
import { checkPeriod, MAX_DAILY_SERIES_DAYS } from "../domain/limits.js";
import { describeValue, ValidationError } from "../domain/validation.js";
import { breachProbability, forecastCost, type ForecastResult } from "../insights/cost-forecast.js";
import { cacheKey } from "./read-cache.js";
import type { Clock } from "../shared/clock.js";
import { requireRead } from "./authorization.js";
import type { CostReads } from "./costs/cost-reads.js";

export interface ForecastQuestion {
  period: DayRange;
  filter: CostFilter;
  /** Of the intervals, in (0, 1). */
  confidence: number;
}

export interface CostForecastAnswer extends ForecastResult {
  period: DayRange;
  confidence: number;
}

/** The longest period forecast: a year and a day (a YEARLY budget's). */
const MAX_FORECAST_PERIOD_DAYS = 366;

export function checkConfidence(confidence: number, field = "confidence"): number {
  if (!Number.isFinite(confidence) || confidence <= 0 || confidence >= 1) {
    throw new ValidationError(field, `${describeValue(confidence)} is not between 0 and 1 (exclusive)`);
  }
  return confidence;
}

export interface ForecastDeps {
  reads: CostReads;
  clock: Clock;
}

export class CostForecasts {
  constructor(private readonly deps: ForecastDeps) {}

  async forecast(
    auth: Authentication,
    clientId: string,
    question: ForecastQuestion,
  ): Promise<CostForecastAnswer> {
    requireRead(auth, clientId);
    const period = checkPeriod(question.period, "period", MAX_FORECAST_PERIOD_DAYS);
    const confidence = checkConfidence(question.confidence);
    const today = dayOfInstant(this.deps.clock());
    // The history is the last MAX_DAILY_SERIES_DAYS days up to today: every period that matters
    // now (this month, quarter, year) lies inside it.
    const historyStart = addDays(today, 1 - MAX_DAILY_SERIES_DAYS);
    const latestEnd = addDays(today, MAX_FORECAST_PERIOD_DAYS);
    if (period.start < historyStart || period.end > latestEnd) {
      throw new ValidationError(
        "period",
        `must lie within ${historyStart} .. ${latestEnd} (the stored history and a year ahead)`,
      );
    }
    const { filter } = question;
    const key = cacheKey("forecast", { today, period, confidence, filter });
    const result = await this.deps.reads.once(clientId, key, async () => {
      const series = await this.deps.reads.dailySeries(clientId, { start: historyStart, end: today }, filter);
      const last = series.values.findLastIndex((value) => !Number.isNaN(value));
      return forecastCost({
        history: series.values.slice(0, last + 1),
        lastDay: last >= 0 ? series.days[last]! : addDays(historyStart, -1),
        periodStart: period.start,
        periodEnd: period.end,
        confidence,
      });
    });
    return { ...result, period, confidence };
  }

  /** P(the period total exceeds `amount`), from the forecast's distribution. */
  breachProbability(answer: CostForecastAnswer, amount: number): number {
    return breachProbability(answer, amount);
  }
}
