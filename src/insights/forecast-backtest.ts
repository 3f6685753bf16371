/**
 * Rolling-origin backtests of the forecast models on one series, the choice of the model that serves
 * it, and the calibration of its intervals from the backtests' errors.
 *
 * Windows: origins every 7 days back from the end of the series (at most 12, so the last 12 weeks),
 * each with at least 21 days before it; the model forecasts `horizon` days from each origin (the
 * forecast's own horizon, 7 to 31 days) and the window keeps the stored days among them. Origins
 * fall on the forecast origin's weekday, so horizon h of every window is the weekday of the
 * forecast's day h.
 *
 * Metrics of a model over its windows (all on stored days only):
 * - mase: mean absolute daily error over every (window, day) pair, divided by the in-sample MAE of
 *   the seasonal-naive-7 one-step forecast (mean |x[t] - x[t-7]| over the whole series);
 * - mape: the mean over complete windows (every day of the horizon inside the series) of
 *   |sum of actual - sum of forecast| / |sum of actual|, i.e. the error of horizon totals, which is
 *   what a period's expected total suffers;
 * - bias: (sum of forecasts - sum of actuals) / sum of |actuals| over every pair: positive when the
 *   model over-forecasts.
 * Choice: the model with the smallest mean absolute daily error serves; a model that does not beat
 * the seasonal-naive-7 baseline's (strictly) is never served: the baseline is.
 *
 * Intervals (calibrate): a window's errors are divided by its level (the mean |forecast| of its first
 * week), giving u[h]; the mean |u| is fitted as a + b h (b >= 0), the interval's growth with the
 * horizon; v = u / (a + b h) pooled over every pair gives empirical lower and upper quantiles at the
 * confidence asked (extrapolated with normal tails when fewer than 5 pairs lie beyond, and widened by
 * the Student-t over normal ratio with one degree of freedom per window: windows overlap, so a
 * window is about one independent look at the model's errors). For totals, the errors' correlation is
 * measured, not assumed: the mean product of v over pairs of days of one window closer than the
 * span summed, over the mean v^2 (an equicorrelation: level errors are shared by all the days ahead).
 */
import { BASELINE_MODEL, forecastWith, type ForecastModel, type SeriesContext } from "./forecast-models.js";

export interface BacktestOptions {
  /** Days between origins (7: every origin on the forecast origin's weekday). */
  step: number;
  /** At most this many windows. */
  maxWindows: number;
  /** Days before an origin, at least. */
  minTraining: number;
  /** Stored days before an origin, at least. */
  minObservations: number;
}

export const DEFAULT_BACKTEST: BacktestOptions = {
  step: 7,
  maxWindows: 12,
  minTraining: 21,
  minObservations: 14,
};

/** One backtest window: the forecast from its origin and the actual days (NaN when not stored or past the series). */
export interface BacktestWindow {
  origin: number;
  forecast: Float64Array;
  actual: Float64Array;
  /** Mean |forecast| over its first week: the unit of its errors in the calibration. */
  level: number;
}

export interface ModelBacktest {
  model: ForecastModel;
  windows: BacktestWindow[];
  /** Mean absolute daily error. */
  mae: number;
  mase: number | null;
  mape: number | null;
  bias: number | null;
  /** (window, day) pairs with an actual value. */
  pairs: number;
}

/** Origins, newest first, for a series of `length` days (values past `length` are not read). */
export function backtestOrigins(
  values: ArrayLike<number>,
  length: number,
  options: BacktestOptions = DEFAULT_BACKTEST,
): number[] {
  const observedBefore = new Int32Array(length + 1);
  for (let day = 0; day < length; day++)
    observedBefore[day + 1] = observedBefore[day]! + (Number.isNaN(values[day]!) ? 0 : 1);
  const origins: number[] = [];
  for (let j = 1; j <= options.maxWindows; j++) {
    const origin = length - options.step * j;
    if (origin < options.minTraining) break;
    if (observedBefore[origin]! < options.minObservations) break;
    // At least one stored day to judge the window by.
    if (observedBefore[length]! - observedBefore[origin]! === 0) continue;
    origins.push(origin);
  }
  return origins;
}

/** In-sample MAE of the seasonal-naive-7 one-step forecast: mean |x[t] - x[t-7]| over stored pairs (NaN when none). */
export function seasonalNaiveScale(values: ArrayLike<number>, length: number): number {
  let sum = 0;
  let count = 0;
  for (let day = 7; day < length; day++) {
    const difference = values[day]! - values[day - 7]!;
    if (Number.isNaN(difference)) continue;
    sum += Math.abs(difference);
    count++;
  }
  return count > 0 ? sum / count : NaN;
}

function windowLevel(forecast: Float64Array, actual: Float64Array): number {
  const days = Math.min(7, forecast.length);
  let sum = 0;
  for (let h = 0; h < days; h++) sum += Math.abs(forecast[h]!);
  if (sum > 0) return sum / days;
  let count = 0;
  for (let h = 0; h < actual.length; h++) {
    if (Number.isNaN(actual[h]!)) continue;
    sum += Math.abs(actual[h]!);
    count++;
  }
  return count > 0 ? sum / count : 0;
}

/**
 * The model's windows and metrics, or null when it cannot forecast from one of the origins (a model
 * is judged on the same windows as every other, or not at all).
 */
export function runBacktest(
  model: ForecastModel,
  context: SeriesContext,
  length: number,
  origins: readonly number[],
  horizon: number,
  scale: number,
): ModelBacktest | null {
  const values = context.values;
  const windows: BacktestWindow[] = [];
  let absolute = 0;
  let signed = 0;
  let actualAbsolute = 0;
  let pairs = 0;
  let percentSum = 0;
  let percentCount = 0;
  for (const origin of origins) {
    const forecast = forecastWith(model, context, origin, horizon);
    if (!forecast) return null;
    const actual = new Float64Array(horizon).fill(NaN);
    let actualSum = 0;
    let forecastSum = 0;
    for (let h = 0; h < horizon && origin + h < length; h++) {
      const value = values[origin + h]!;
      actual[h] = value;
      if (Number.isNaN(value)) continue;
      const error = forecast[h]! - value;
      absolute += Math.abs(error);
      signed += error;
      actualAbsolute += Math.abs(value);
      actualSum += value;
      forecastSum += forecast[h]!;
      pairs++;
    }
    if (origin + horizon <= length && Math.abs(actualSum) > 0) {
      percentSum += Math.abs(actualSum - forecastSum) / Math.abs(actualSum);
      percentCount++;
    }
    windows.push({ origin, forecast, actual, level: windowLevel(forecast, actual) });
  }
  if (pairs === 0) return null;
  const mae = absolute / pairs;
  return {
    model,
    windows,
    mae,
    mase: scale > 0 ? mae / scale : null,
    mape: percentCount > 0 ? percentSum / percentCount : null,
    bias: actualAbsolute > 0 ? signed / actualAbsolute : null,
    pairs,
  };
}

export interface ModelChoice {
  served: ModelBacktest;
  baseline: ModelBacktest;
  /** Every model that could be judged, in the order given. */
  judged: ModelBacktest[];
}

/**
 * The best backtest by mean absolute daily error; the baseline when no candidate beats it strictly.
 * Null when the baseline itself could not be judged.
 */
export function chooseModel(backtests: readonly (ModelBacktest | null)[]): ModelChoice | null {
  const judged = backtests.filter((backtest): backtest is ModelBacktest => backtest !== null);
  const baseline = judged.find((backtest) => backtest.model.name === BASELINE_MODEL.name);
  if (!baseline) return null;
  let served = baseline;
  for (const backtest of judged) if (backtest.mae < served.mae) served = backtest;
  return { served, baseline, judged };
}

/** Standard normal CDF (Abramowitz and Stegun 7.1.26 through erf; error under 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

/** Standard normal quantile (Acklam's rational approximation; relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`not a probability in (0, 1): ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

/** Student-t quantile over the normal one at the same probability (Cornish-Fisher expansion, >= 1). */
export function studentWidening(p: number, degreesOfFreedom: number): number {
  const z = normalQuantile(p);
  if (z === 0) return 1;
  const df = Math.max(1, degreesOfFreedom);
  const t =
    z +
    (z ** 3 + z) / (4 * df) +
    (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2) +
    (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * df ** 3);
  return Math.max(1, t / z);
}

/** The served model's backtest errors, as interval widths. Horizons h are 0-based (h = 0: the first day ahead). */
export interface ErrorCalibration {
  windows: number;
  pairs: number;
  /** Typical |error| at horizon h in units of the level: a + b h. */
  scaleAt(h: number): number;
  /** Quantiles of error / (level * scaleAt(h)) bounding the confidence asked (lower <= 0 <= upper). */
  lower: number;
  upper: number;
  /** Mean of (error / (level * scaleAt(h)))^2. */
  secondMoment: number;
  /** Small-sample widening at the confidence asked: Student-t over normal, one degree of freedom per window (windows overlap). */
  widening: number;
  /** Measured mean correlation of the errors of two days of one window less than `span` days apart (>= 0). */
  correlation(span: number): number;
}

const MIN_TAIL_PAIRS = 5;

/** Type-7 quantile of sorted values. */
function quantile(sorted: Float64Array, p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * Interval calibration from the windows' errors at `confidence` (0..1), leaving out window
 * `excluded` (for an out-of-sample coverage estimate); null without a usable pair.
 */
export function calibrate(
  windows: readonly BacktestWindow[],
  confidence: number,
  excluded = -1,
): ErrorCalibration | null {
  // Fit mean |u| = a + b h by least squares.
  let n = 0;
  let sumH = 0;
  let sumU = 0;
  let sumHH = 0;
  let sumHU = 0;
  let used = 0;
  for (let k = 0; k < windows.length; k++) {
    const window = windows[k]!;
    if (k === excluded || !(window.level > 0)) continue;
    let any = false;
    for (let h = 0; h < window.actual.length; h++) {
      const actual = window.actual[h]!;
      if (Number.isNaN(actual)) continue;
      const u = Math.abs(actual - window.forecast[h]!) / window.level;
      n++;
      sumH += h;
      sumU += u;
      sumHH += h * h;
      sumHU += h * u;
      any = true;
    }
    if (any) used++;
  }
  if (n === 0) return null;
  const meanH = sumH / n;
  const meanU = sumU / n;
  const varianceH = sumHH / n - meanH * meanH;
  let slope = varianceH > 1e-12 ? (sumHU / n - meanH * meanU) / varianceH : 0;
  if (!(slope > 0)) slope = 0;
  let intercept = meanU - slope * meanH;
  // A steep fit must not make the first days' width vanish.
  const floor = Math.max(0.25 * meanU, 1e-3);
  if (intercept < floor) {
    intercept = floor;
    slope = Math.max(0, (meanU - floor) / Math.max(meanH, 1e-12));
  }
  const scaleAt = (h: number): number => intercept + slope * h;

  const standardized = new Float64Array(n);
  let count = 0;
  let second = 0;
  for (let k = 0; k < windows.length; k++) {
    const window = windows[k]!;
    if (k === excluded || !(window.level > 0)) continue;
    for (let h = 0; h < window.actual.length; h++) {
      const actual = window.actual[h]!;
      if (Number.isNaN(actual)) continue;
      const v = (actual - window.forecast[h]!) / (window.level * scaleAt(h));
      standardized[count++] = v;
      second += v * v;
    }
  }
  standardized.sort();
  const tail = (1 - confidence) / 2;
  const widening = studentWidening(1 - tail, used);
  const minTail = Math.min(0.5, MIN_TAIL_PAIRS / count);
  let lower: number;
  let upper: number;
  if (tail >= minTail) {
    lower = quantile(standardized, tail);
    upper = quantile(standardized, 1 - tail);
  } else {
    // Too few pairs beyond the quantile: the supported one, stretched by the normal tails' ratio.
    const stretch = normalQuantile(1 - tail) / normalQuantile(1 - minTail);
    lower = quantile(standardized, minTail) * stretch;
    upper = quantile(standardized, 1 - minTail) * stretch;
  }
  const secondMoment = second / count;

  const correlation = (span: number): number => {
    let products = 0;
    let productPairs = 0;
    for (let k = 0; k < windows.length; k++) {
      const window = windows[k]!;
      if (k === excluded || !(window.level > 0)) continue;
      const length = window.actual.length;
      for (let i = 0; i < length; i++) {
        const a = window.actual[i]!;
        if (Number.isNaN(a)) continue;
        const vi = (a - window.forecast[i]!) / (window.level * scaleAt(i));
        for (let j = i + 1; j < length && j - i < span; j++) {
          const b = window.actual[j]!;
          if (Number.isNaN(b)) continue;
          products += vi * ((b - window.forecast[j]!) / (window.level * scaleAt(j)));
          productPairs++;
        }
      }
    }
    if (productPairs === 0 || !(secondMoment > 0)) return 0;
    return Math.min(1, Math.max(0, products / productPairs / secondMoment));
  };

  return {
    windows: used,
    pairs: count,
    scaleAt,
    // The expected value stays inside its interval even when the errors leaned to one side.
    lower: Math.min(0, lower * widening),
    upper: Math.max(0, upper * widening),
    secondMoment,
    widening,
    correlation,
  };
}

/**
 * Share of the windows' stored days inside their interval at `confidence`, each window's interval
 * calibrated on the other windows only (null with fewer than two windows).
 */
export function intervalCoverage(windows: readonly BacktestWindow[], confidence: number): number | null {
  if (windows.length < 2) return null;
  let inside = 0;
  let total = 0;
  for (let k = 0; k < windows.length; k++) {
    const calibration = calibrate(windows, confidence, k);
    if (!calibration) continue;
    const window = windows[k]!;
    for (let h = 0; h < window.actual.length; h++) {
      const actual = window.actual[h]!;
      if (Number.isNaN(actual)) continue;
      const width = window.level * calibration.scaleAt(h);
      const forecast = window.forecast[h]!;
      if (actual >= forecast + calibration.lower * width && actual <= forecast + calibration.upper * width)
        inside++;
      total++;
    }
  }
  return total > 0 ? inside / total : null;
}
