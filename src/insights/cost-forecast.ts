/**
 * The cost forecast of one daily series over a period that reaches into the future: what was spent
 * in it so far, the expected total with an interval at the confidence asked, daily points for the
 * days left, and the accuracy of the serving model measured on this very series. Pure: the caller
 * reads the series (the reporting currency, NaN where no record was stored) and renders the result.
 *
 * 1. The series ends at its last stored day (basedOnDataUntil): later days, not yet delivered, are
 *    forecast like the rest. Stored days of the period count as actual; a day of the period before
 *    basedOnDataUntil without a record counts as nothing (the contract: days stored).
 * 2. With fewer than 28 stored days: "insufficient-history": every day is the mean of the last 14
 *    stored days (no weekly profile), accuracy nulls and no windows, and a wide interval (the spread
 *    of those days, the error of their mean, and a level that may drift by 20% (1 sd) over the
 *    horizon, every day's drift shared).
 * 3. Otherwise every candidate model (forecast-models.ts) is backtested from the same origins
 *    (forecast-backtest.ts) with the forecast's horizon (7..31 days); the best model by mean absolute
 *    daily error serves, unless it does not beat seasonal-naive-7, which then serves.
 * 4. Daily intervals: expected + level * (a + b h) * [lower, upper], from the served model's backtest
 *    errors (see calibrate), so they widen with the confidence and the horizon. The period total:
 *    normal with the measured correlation of the errors of the days ahead:
 *    var = level^2 * m2 * ((1 - r) sum s_h^2 + r (sum s_h)^2) over the period's forecast days,
 *    its sd widened by Student-t over normal at the confidence asked with windows * 7 / span degrees
 *    of freedom (overlapping windows are fewer independent looks at a total of `span` days), so the
 *    interval is mean -/+ z sd and breachProbability reads the same normal(mean, sd).
 *    A series that was never negative gets no negative day and no total under the actual.
 */
import type { IsoDay } from "../domain/cost-record.js";
import { fromEpochDay, toEpochDay } from "../domain/dates.js";
import {
  backtestOrigins,
  calibrate,
  chooseModel,
  DEFAULT_BACKTEST,
  intervalCoverage,
  normalCdf,
  normalQuantile,
  runBacktest,
  seasonalNaiveScale,
  studentWidening,
  type ErrorCalibration,
} from "./forecast-backtest.js";
import { BASELINE_MODEL, CANDIDATE_MODELS, forecastWith, SeriesContext } from "./forecast-models.js";

export interface ForecastRequest {
  /** Daily amounts, oldest first, NaN where no record was stored. */
  history: ArrayLike<number>;
  /** The day of history's last index. */
  lastDay: IsoDay;
  /** The period, both days inclusive. */
  periodStart: IsoDay;
  periodEnd: IsoDay;
  /** Confidence of the intervals, in (0, 1). */
  confidence: number;
}

export interface ForecastPointResult {
  date: IsoDay;
  expected: number;
  lower: number;
  upper: number;
}

export interface ForecastAccuracyResult {
  /** Backtest MAPE of horizon totals (see forecast-backtest.ts). */
  mape: number | null;
  mase: number | null;
  /** Relative: positive when the model over-forecast. */
  bias: number | null;
  /** Share of backtest days inside their interval at the confidence asked (each window calibrated on the others). */
  intervalCoverage: number | null;
  backtestWindows: number;
}

export interface ForecastResult {
  method: string;
  baseline: string;
  /** Sum of the period's stored days. */
  actual: number;
  /** actual + the forecast of the period's days after basedOnDataUntil. */
  expected: number;
  lower: number;
  upper: number;
  /** The period's days after basedOnDataUntil. */
  points: ForecastPointResult[];
  accuracy: ForecastAccuracyResult;
  basedOnDataUntil: IsoDay;
  confidence: number;
  /**
   * The period total's distribution: normal(mean, sd), sd widened for the backtests' sample size at
   * the confidence asked; never under `min` (the actual, when the series was never negative).
   */
  totalDistribution: { mean: number; sd: number; min: number | null };
  /** Work done: model forecasts made (backtests included), and each judged model's MASE. */
  diagnostics: { modelFits: number; candidates: { name: string; mase: number | null; mae: number }[] };
}

export const DEFAULT_CONFIDENCE = 0.8;
export const MIN_HISTORY_DAYS = 28;
export const INSUFFICIENT_HISTORY = "insufficient-history";
/** Nothing stored at all: every day ahead is 0 and the interval is empty. */
export const NO_HISTORY = "no-history";
/** The period has no day left to forecast. */
export const NOTHING_LEFT = "actual";
const MIN_BACKTEST_HORIZON = 7;
const MAX_BACKTEST_HORIZON = 31;
const INSUFFICIENT_LEVEL_DAYS = 14;
/** Relative sd of the level's drift over the horizon when nothing measures it. */
const INSUFFICIENT_DRIFT = 0.2;
/** Relative floor of an insufficient history's daily spread. */
const INSUFFICIENT_SPREAD = 0.2;

const NULL_ACCURACY: ForecastAccuracyResult = {
  mape: null,
  mase: null,
  bias: null,
  intervalCoverage: null,
  backtestWindows: 0,
};

export function forecastCost(request: ForecastRequest): ForecastResult {
  const { history, confidence } = request;
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence must be in (0, 1): ${confidence}`);
  const lastEpoch = toEpochDay(request.lastDay);
  const startEpoch = toEpochDay(request.periodStart);
  const endEpoch = toEpochDay(request.periodEnd);
  if (endEpoch < startEpoch) throw new RangeError("the period ends before it starts");
  const firstEpoch = lastEpoch - history.length + 1;

  let last = history.length - 1;
  while (last >= 0 && Number.isNaN(history[last]!)) last--;
  // Nothing stored at all: the forecast starts after lastDay all the same.
  if (last < 0) last = history.length - 1;
  const length = last + 1;
  const values = new Float64Array(length);
  let observed = 0;
  let nonNegative = true;
  for (let day = 0; day < length; day++) {
    const value = Number(history[day]);
    values[day] = value;
    if (Number.isNaN(value)) continue;
    observed++;
    if (value < 0) nonNegative = false;
  }
  const basedOnDataUntil = fromEpochDay(firstEpoch + last);

  let actual = 0;
  for (
    let epoch = Math.max(startEpoch, firstEpoch);
    epoch <= Math.min(endEpoch, firstEpoch + last);
    epoch++
  ) {
    const value = values[epoch - firstEpoch]!;
    if (!Number.isNaN(value)) actual += value;
  }
  // Forecast indices length .. length + horizon - 1; the period's are from `skip` on.
  const horizon = Math.max(0, endEpoch - (firstEpoch + last));
  const skip = Math.max(0, startEpoch - (firstEpoch + length));
  const z = normalQuantile((1 + confidence) / 2);
  const floorAt = nonNegative ? 0 : -Infinity;
  const dayOf = (h: number): IsoDay => fromEpochDay(firstEpoch + length + h);
  const baseline = BASELINE_MODEL.name;

  if (horizon === 0 || observed === 0) {
    return {
      method: observed === 0 ? NO_HISTORY : NOTHING_LEFT,
      baseline,
      actual,
      expected: actual,
      lower: actual,
      upper: actual,
      points: Array.from({ length: horizon - skip }, (_, i) => ({
        date: dayOf(skip + i),
        expected: 0,
        lower: 0,
        upper: 0,
      })),
      accuracy: NULL_ACCURACY,
      basedOnDataUntil,
      confidence,
      totalDistribution: { mean: actual, sd: 0, min: actual },
      diagnostics: { modelFits: 0, candidates: [] },
    };
  }

  const result = (
    method: string,
    expectedDays: Float64Array,
    dayWidth: (h: number) => [number, number],
    sd: number,
    accuracy: ForecastAccuracyResult,
    diagnostics: ForecastResult["diagnostics"],
  ): ForecastResult => {
    const points: ForecastPointResult[] = [];
    let remaining = 0;
    for (let h = skip; h < horizon; h++) {
      // A series that was never negative is not expected to turn negative (additive models can dip under 0).
      const expected = Math.max(floorAt, expectedDays[h]!);
      const [below, above] = dayWidth(h);
      remaining += expected;
      points.push({
        date: dayOf(h),
        expected,
        lower: Math.max(floorAt, expected - below),
        upper: Math.max(floorAt, expected + above),
      });
    }
    const mean = actual + remaining;
    const min = nonNegative ? actual : null;
    return {
      method,
      baseline,
      actual,
      expected: mean,
      lower: Math.max(min ?? -Infinity, mean - z * sd),
      upper: Math.max(min ?? -Infinity, mean + z * sd),
      points,
      accuracy,
      basedOnDataUntil,
      confidence,
      totalDistribution: { mean, sd, min },
      diagnostics,
    };
  };

  const insufficient = (): ForecastResult => {
    const recent: number[] = [];
    for (let day = length - 1; day >= 0 && recent.length < INSUFFICIENT_LEVEL_DAYS; day--)
      if (!Number.isNaN(values[day]!)) recent.push(values[day]!);
    const level = recent.reduce((sum, value) => sum + value, 0) / recent.length;
    const variance =
      recent.length > 1
        ? recent.reduce((sum, value) => sum + (value - level) ** 2, 0) / (recent.length - 1)
        : 0;
    const spread = Math.max(Math.sqrt(variance), INSUFFICIENT_SPREAD * Math.abs(level));
    const shared = spread ** 2 / recent.length + (INSUFFICIENT_DRIFT * level) ** 2;
    const daySd = Math.sqrt(spread ** 2 + shared);
    const days = horizon - skip;
    const totalSd = Math.sqrt(days * spread ** 2 + days * days * shared);
    const widening = studentWidening((1 + confidence) / 2, recent.length - 1);
    const expected = new Float64Array(horizon).fill(level);
    const width = z * widening * daySd;
    return result(INSUFFICIENT_HISTORY, expected, () => [width, width], totalSd * widening, NULL_ACCURACY, {
      modelFits: 0,
      candidates: [],
    });
  };
  if (observed < MIN_HISTORY_DAYS) return insufficient();

  const backtestHorizon = Math.min(MAX_BACKTEST_HORIZON, Math.max(MIN_BACKTEST_HORIZON, horizon));
  const forecastHorizon = Math.max(horizon, MIN_BACKTEST_HORIZON);
  const context = new SeriesContext(values, firstEpoch, length + Math.max(forecastHorizon, backtestHorizon));
  const origins = backtestOrigins(values, length, DEFAULT_BACKTEST);
  const scale = seasonalNaiveScale(values, length);
  const choice =
    origins.length > 0
      ? chooseModel(
          CANDIDATE_MODELS.map((model) =>
            runBacktest(model, context, length, origins, backtestHorizon, scale),
          ),
        )
      : null;
  let served = choice?.served ?? null;
  let forecast = served ? forecastWith(served.model, context, length, forecastHorizon) : null;
  if (!forecast && choice) {
    served = choice.baseline;
    forecast = forecastWith(served.model, context, length, forecastHorizon);
  }
  // Backtests impossible (too few stored days before any origin): treated as insufficient history.
  if (!served || !forecast) return insufficient();
  // No calibration: every window forecast and saw nothing but zeros (a series of zeros): no width.
  const calibration = calibrate(served.windows, confidence) ?? EXACT;

  let levelSum = 0;
  for (let h = 0; h < MIN_BACKTEST_HORIZON; h++) levelSum += Math.abs(forecast[h]!);
  const level = levelSum / MIN_BACKTEST_HORIZON;
  let sumSquares = 0;
  let sum = 0;
  for (let h = skip; h < horizon; h++) {
    const s = calibration.scaleAt(h);
    sumSquares += s * s;
    sum += s;
  }
  const correlation = calibration.correlation(horizon - skip);
  // Windows overlap: about step / span of them are independent looks at a total over `span` days.
  const totalWidening = studentWidening(
    (1 + confidence) / 2,
    (calibration.windows * DEFAULT_BACKTEST.step) / Math.min(horizon - skip, backtestHorizon),
  );
  const totalSd =
    level *
    totalWidening *
    Math.sqrt(calibration.secondMoment * ((1 - correlation) * sumSquares + correlation * sum * sum));
  return result(
    served.model.name,
    forecast,
    (h) => {
      const width = level * calibration.scaleAt(h);
      return [-calibration.lower * width, calibration.upper * width];
    },
    totalSd,
    {
      mape: served.mape,
      mase: served.mase,
      bias: served.bias,
      intervalCoverage: intervalCoverage(served.windows, confidence),
      backtestWindows: served.windows.length,
    },
    {
      modelFits: context.fits,
      candidates: (choice?.judged ?? []).map((backtest) => ({
        name: backtest.model.name,
        mase: backtest.mase,
        mae: backtest.mae,
      })),
    },
  );
}

const EXACT: ErrorCalibration = {
  windows: 0,
  pairs: 0,
  scaleAt: () => 0,
  lower: 0,
  upper: 0,
  secondMoment: 0,
  widening: 1,
  correlation: () => 0,
};

/** P(period total > amount) under the forecast's distribution of the total. */
export function breachProbability(result: ForecastResult, amount: number): number {
  const { mean, sd, min } = result.totalDistribution;
  if (min !== null && amount < min) return 1;
  if (!(sd > 0)) return mean > amount ? 1 : 0;
  return 1 - normalCdf((amount - mean) / sd);
}
