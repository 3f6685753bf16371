/**
 * What one daily cost series should have been on a day, and how far from that it may stray: the
 * robust weekly-seasonal model that anomaly detection judges every series with. A model sees a
 * series as an array of days (index 0 the oldest), NaN where nothing was observed (no record that
 * day: a missing day is not a zero), and forecasts one index from the days before it only.
 *
 * robustWeeklyModel, over the `historyDays` before the target:
 * - weekly profile s[w] (w = weekday relative to the target): the median over complete weeks of
 *   value / week level (the week's mean without its highest and lowest day), normalized to mean 1
 *   (multiplicative; additive value - week level when a week level is not positive
 *   or a weekday's factor falls under 0.2, e.g. nothing runs at weekends). Fewer than three complete
 *   weeks: no profile.
 * - deseasonalized d = x / s[w] (or x - s[w]); level = median of the last `levelDays` (14) d: a
 *   spike or a shift of fewer than seven days does not move it, a lasting shift is absorbed after a
 *   week, so a shift of a few days reads as one event and its end raises nothing.
 * - scale sigma = max(sd of d - level over the last 28 days, sd of d[t] - d[t-1] / sqrt(2) over the
 *   whole history), each from the 80% smallest absolute deviations (robust to outliers; the
 *   day-to-day one also to level shifts), widened by sqrt(1 + 1.57/nLevel + 1.57/nWeeks) for the
 *   error of the two medians, and floored at 1% of the expected value (and 0.01), so a constant
 *   series still needs a real move.
 * - expected = level * s[0] (or level + s[0]); score = (actual - expected) / (sigma * s[0]).
 * It also reports the residual of the same day one month earlier, so a charge that recurs on that
 * day every month (support plans, reservations) can be told from a new one.
 */

/** How a model is asked for a forecast. Indices are days of the series' array. */
export interface ForecastOptions {
  /** Days before the target the model may read. */
  historyDays: number;
  /** Observed days it needs before it forecasts at all (no verdict before). */
  minObservations: number;
  /** Index of the same day of the month one month before the target, when it is in the array. */
  sameDayLastMonth?: number;
}

/** A forecast of one day of one series, in the series' own unit (the reporting currency). */
export interface SeriesForecast {
  expected: number;
  /** Robust standard deviation of the day's value around `expected`. */
  scale: number;
  /** Observed days the forecast rests on. */
  observations: number;
  /** Residual of the same day last month against this forecast's level and weekly profile, in scales of that day; null when unknown. */
  lastMonthScore: number | null;
  /** That residual in currency. */
  lastMonthResidual: number | null;
}

/** One interface, so another model (a forecaster with trend and yearly seasonality) can sit beside this one. */
export interface SeriesModel {
  readonly name: string;
  forecast(values: ArrayLike<number>, target: number, options: ForecastOptions): SeriesForecast | null;
}

/** A forecast held against the day's actual value. */
export interface SeriesVerdict extends SeriesForecast {
  actual: number;
  /** actual - expected. */
  impact: number;
  /** impact / scale: robust standard deviations away from expected. */
  score: number;
  /** expected -/+ threshold * scale: the band the value may move in without being flagged. */
  lower: number;
  upper: number;
}

export function judge(forecast: SeriesForecast, actual: number, threshold: number): SeriesVerdict {
  const impact = actual - forecast.expected;
  return {
    expected: forecast.expected,
    scale: forecast.scale,
    observations: forecast.observations,
    lastMonthScore: forecast.lastMonthScore,
    lastMonthResidual: forecast.lastMonthResidual,
    actual,
    impact,
    score: impact / forecast.scale,
    lower: forecast.expected - threshold * forecast.scale,
    upper: forecast.expected + threshold * forecast.scale,
  };
}

const LEVEL_DAYS = 14;
const SCALE_DAYS = 28;
const MIN_SEASON_WEEKS = 3;
const MIN_SEASON_FACTOR = 0.2;
const RELATIVE_SCALE_FLOOR = 0.01;
const ABSOLUTE_SCALE_FLOOR = 0.01;
const TRIMMED_SHARE = 0.8;
const TRIMMED_MEAN_ABS = 0.5586;
/** Variance of a sample median relative to that of one value (normal data): pi / 2. */
const MEDIAN_VARIANCE = Math.PI / 2;

/** Scratch buffers: forecasts are synchronous, so one set serves every call. */
let scratch = new Float64Array(512);
let scratch2 = new Float64Array(512);
let deseasonalized = new Float64Array(512);
let positions = new Int32Array(512);
const weekBuckets = Array.from({ length: 7 }, () => new Float64Array(64));

function ensureCapacity(size: number): void {
  if (scratch.length >= size) return;
  const capacity = Math.max(size, scratch.length * 2);
  scratch = new Float64Array(capacity);
  scratch2 = new Float64Array(capacity);
  deseasonalized = new Float64Array(capacity);
  positions = new Int32Array(capacity);
}

/** Median of buffer[0..count), sorting that part in place (insertion sort: counts are small here). */
function medianInPlace(buffer: Float64Array, count: number): number {
  for (let i = 1; i < count; i++) {
    const value = buffer[i]!;
    let j = i - 1;
    while (j >= 0 && buffer[j]! > value) {
      buffer[j + 1] = buffer[j]!;
      j--;
    }
    buffer[j + 1] = value;
  }
  const middle = count >> 1;
  return count % 2 === 1 ? buffer[middle]! : (buffer[middle - 1]! + buffer[middle]!) / 2;
}

/**
 * A standard deviation from absolute deviations |x - center| (sorts buffer[0..count)): the mean of
 * the smallest 80%, divided by that mean for normal data (2 (phi(0) - phi(1.2816)) / 0.8 = 0.5586).
 * Robust to 20% outliers and twice as efficient as the median absolute deviation.
 */
function trimmedScale(buffer: Float64Array, count: number): number {
  medianInPlace(buffer, count);
  const kept = Math.max(1, Math.floor(TRIMMED_SHARE * count));
  let sum = 0;
  for (let i = 0; i < kept; i++) sum += buffer[i]!;
  return sum / kept / TRIMMED_MEAN_ABS;
}

/** The weekly profile, indexed by (target - day) mod 7; null when there are too few complete weeks. */
interface WeeklyProfile {
  multiplicative: boolean;
  factors: Float64Array;
  weeks: number;
}

function weeklyProfile(values: ArrayLike<number>, start: number, target: number): WeeklyProfile | null {
  const weeks = Math.floor((target - start) / 7);
  const means: number[] = [];
  const blocks: number[] = [];
  let allPositive = true;
  for (let block = 0; block < weeks; block++) {
    let sum = 0;
    let low = Infinity;
    let high = -Infinity;
    let complete = true;
    for (let j = 1; j <= 7; j++) {
      const value = values[target - 7 * block - j]!;
      if (Number.isNaN(value)) {
        complete = false;
        break;
      }
      if (value < 0) allPositive = false;
      sum += value;
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    if (!complete) continue;
    // The week's level without its highest and lowest day: one spike does not tilt the week.
    const level = (sum - low - high) / 5;
    if (level <= 0) allPositive = false;
    means.push(level);
    blocks.push(block);
  }
  if (blocks.length < MIN_SEASON_WEEKS) return null;
  const build = (multiplicative: boolean): Float64Array => {
    const factors = new Float64Array(7);
    for (let w = 0; w < 7; w++) {
      const bucket = weekBuckets[w]!;
      let count = 0;
      for (let b = 0; b < blocks.length && count < bucket.length; b++) {
        // w = (target - day) mod 7, and day = target - 7 * block - j with j in 1..7.
        const value = values[target - 7 * blocks[b]! - (w === 0 ? 7 : w)]!;
        const mean = means[b]!;
        bucket[count++] = multiplicative ? value / mean : value - mean;
      }
      factors[w] = medianInPlace(bucket, count);
    }
    let sum = 0;
    for (let w = 0; w < 7; w++) sum += factors[w]!;
    const mean = sum / 7;
    for (let w = 0; w < 7; w++) factors[w] = multiplicative ? factors[w]! / mean : factors[w]! - mean;
    return factors;
  };
  if (allPositive) {
    const factors = build(true);
    let smallest = Infinity;
    for (let w = 0; w < 7; w++) smallest = Math.min(smallest, factors[w]!);
    if (smallest >= MIN_SEASON_FACTOR) return { multiplicative: true, factors, weeks: blocks.length };
  }
  return { multiplicative: false, factors: build(false), weeks: blocks.length };
}

export const robustWeeklyModel: SeriesModel = {
  name: "robust-weekly",
  forecast(values, target, options) {
    const start = Math.max(0, target - options.historyDays);
    if (target <= start) return null;
    ensureCapacity(target - start + 1);
    const profile = weeklyProfile(values, start, target);
    const multiplicative = profile?.multiplicative ?? false;
    /** The profile's factor for a day: 1 (multiplicative) or 0 (additive, or no profile) is neutral. */
    const factorAt = (day: number): number =>
      profile ? profile.factors[(target - day) % 7]! : multiplicative ? 1 : 0;
    const deseason = (value: number, day: number): number =>
      multiplicative ? value / factorAt(day) : value - factorAt(day);

    let count = 0;
    for (let day = start; day < target; day++) {
      const value = values[day]!;
      if (Number.isNaN(value)) continue;
      deseasonalized[count] = deseason(value, day);
      positions[count] = day;
      count++;
    }
    if (count < Math.max(1, options.minObservations)) return null;

    const levelCount = Math.min(LEVEL_DAYS, count);
    for (let i = 0; i < levelCount; i++) scratch[i] = deseasonalized[count - levelCount + i]!;
    const level = medianInPlace(scratch, levelCount);

    const scaleFrom = target - SCALE_DAYS;
    let fitCount = 0;
    let diffCount = 0;
    for (let i = count - 1; i >= 0; i--) {
      if (positions[i]! >= scaleFrom) scratch[fitCount++] = Math.abs(deseasonalized[i]! - level);
      if (i > 0 && positions[i - 1] === positions[i]! - 1)
        scratch2[diffCount++] = Math.abs(deseasonalized[i]! - deseasonalized[i - 1]!);
    }
    const fitScale = fitCount > 0 ? trimmedScale(scratch, fitCount) : 0;
    const diffScale = diffCount >= 5 ? trimmedScale(scratch2, diffCount) / Math.SQRT2 : 0;
    const widening = Math.sqrt(
      1 + MEDIAN_VARIANCE / levelCount + (profile ? MEDIAN_VARIANCE / profile.weeks : 0),
    );
    const deseasonalizedScale = Math.max(fitScale, diffScale) * widening;

    const expectedAt = (day: number): number =>
      multiplicative ? level * factorAt(day) : level + factorAt(day);
    const scaleAt = (day: number, expected: number): number =>
      Math.max(
        multiplicative ? deseasonalizedScale * factorAt(day) : deseasonalizedScale,
        RELATIVE_SCALE_FLOOR * Math.abs(expected),
        ABSOLUTE_SCALE_FLOOR,
      );
    const expected = expectedAt(target);
    const scale = scaleAt(target, expected);

    let lastMonthScore: number | null = null;
    let lastMonthResidual: number | null = null;
    const monthAgo = options.sameDayLastMonth;
    if (monthAgo !== undefined && monthAgo >= start && monthAgo < target) {
      const value = values[monthAgo]!;
      if (!Number.isNaN(value)) {
        const then = expectedAt(monthAgo);
        lastMonthResidual = value - then;
        lastMonthScore = lastMonthResidual / scaleAt(monthAgo, then);
      }
    }
    return { expected, scale, observations: count, lastMonthScore, lastMonthResidual };
  },
};
