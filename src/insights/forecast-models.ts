/**
 * Candidate models for cost forecasts: each forecasts the days origin .. origin + horizon - 1 of a
 * daily series from the days before origin only (multi-step, no peeking), so the same call serves the
 * rolling-origin backtests and the forecast itself. A series is an array of days, index 0 the oldest,
 * NaN where no record was stored (a missing day is not a zero), as in series-model.ts.
 *
 * - seasonal-naive-7 (the baseline): each day repeats the last observed value of its weekday (eight
 *   weeks back at most).
 * - weekly-profile: robustWeeklyModel of series-model.ts (the anomaly detector's model: a median
 *   weekly profile of the last weeks times the median deseasonalized level of the last 14 days),
 *   asked once per weekday with the days from origin on hidden, repeated over the horizon.
 * - weekly-profile-trend: the same with a damped trend: a Theil-Sen slope of the last eight complete
 *   weekly means, applied from the middle of the level's 14 days on (the median lags a trend by about
 *   a week) and damped by 0.95 a day ahead.
 * - holt-winters-additive / holt-winters-multiplicative: damped-trend exponential smoothing with a
 *   weekly season, robust (errors beyond 2.5 running scales are clipped before they update the state,
 *   so spikes and monthly charges do not leak into level and season), NaN days only propagate the
 *   state. Smoothing parameters are chosen at each origin from a small grid by the in-sample one-step
 *   and seven-step absolute errors (clipped at 3 robust week-over-week scales) over the last 16 weeks
 *   before it (alpha 0.05, 0.15, 0.3; beta 0, 0.05; gamma 0.05, 0.2; damping 0.95).
 *
 * Every model but the baseline adds recurring monthly charges (a support plan or a tax on the 1st, a
 * reservation on the last day): a day of the month whose residual against the same weekdays around
 * it was large, and of one sign, in each of the last two or three months gets their median residual.
 */
import { daysInMonth, fromEpochDay } from "../domain/dates.js";
import { robustWeeklyModel } from "./series-model.js";

/** The series, its calendar (day of month per index, past its end too) and a count of model fits. */
export class SeriesContext {
  readonly values: ArrayLike<number>;
  /** Day of the month (1..31) of each index. */
  readonly dayOfMonth: Uint8Array;
  /** 1 when the index is the last day of its month. */
  readonly monthEnd: Uint8Array;
  /** Model forecasts made with this context (each is one fit at one origin). */
  fits = 0;
  private readonly residualCache = new Map<number, Float64Array>();
  private readonly weeklyCache = new Map<number, Float64Array | null>();

  /** firstEpochDay: the day of index 0 (days since 1970-01-01); calendarLength: indices to cover. */
  constructor(values: ArrayLike<number>, firstEpochDay: number, calendarLength: number) {
    this.values = values;
    const length = Math.max(calendarLength, values.length);
    this.dayOfMonth = new Uint8Array(length);
    this.monthEnd = new Uint8Array(length);
    const first = fromEpochDay(firstEpochDay);
    let year = Number(first.slice(0, 4));
    let month = Number(first.slice(5, 7));
    let day = Number(first.slice(8, 10));
    let monthLength = daysInMonth(year, month);
    for (let index = 0; index < length; index++) {
      this.dayOfMonth[index] = day;
      this.monthEnd[index] = day === monthLength ? 1 : 0;
      if (++day > monthLength) {
        day = 1;
        if (++month > 12) {
          month = 1;
          year++;
        }
        monthLength = daysInMonth(year, month);
      }
    }
  }

  /** robustWeeklyModel's expected values for the weekdays of origin .. origin + 6 (shared by the two profile models). */
  weeklyExpectations(origin: number): Float64Array | null {
    let expected = this.weeklyCache.get(origin);
    if (expected === undefined) {
      expected = weeklyExpectations(this.values, origin);
      this.weeklyCache.set(origin, expected);
    }
    return expected;
  }

  /** Residuals x[t] - median of the same weekday's observed values at t -/+ 7 and 14, before origin. */
  residualsBefore(origin: number): Float64Array {
    const cached = this.residualCache.get(origin);
    if (cached) return cached;
    const values = this.values;
    const from = Math.max(0, origin - RESIDUAL_DAYS);
    const residuals = new Float64Array(origin - from).fill(NaN);
    const around = new Float64Array(4);
    for (let day = from; day < origin; day++) {
      const value = values[day]!;
      if (Number.isNaN(value)) continue;
      let count = 0;
      for (const offset of NEIGHBOURS) {
        const other = day + offset;
        if (other < 0 || other >= origin) continue;
        const neighbour = values[other]!;
        if (!Number.isNaN(neighbour)) around[count++] = neighbour;
      }
      if (count >= 2) residuals[day - from] = value - median(around, count);
    }
    this.residualCache.set(origin, residuals);
    return residuals;
  }
}

/** A model: expected values of days origin .. origin + horizon - 1 from values[0 .. origin) only. */
export interface ForecastModel {
  readonly name: string;
  /** Whether recurring monthly charges are added to its forecasts (all but the baseline). */
  readonly recurringCharges: boolean;
  /** null when the days before origin are too few for it. */
  forecast(context: SeriesContext, origin: number, horizon: number): Float64Array | null;
}

const RESIDUAL_DAYS = 100;
const NEIGHBOURS = [-14, -7, 7, 14] as const;
const CHARGE_NOISE_DAYS = 56;
const CHARGE_SCORE = 4;
const CHARGE_MIN_SHARE = 0.03;
const CHARGE_MONTHS = 3;

/** Median of buffer[0 .. count) (sorts that part in place). */
export function median(buffer: Float64Array, count: number): number {
  if (count === 0) return NaN;
  const part = buffer.subarray(0, count).sort();
  const middle = count >> 1;
  return count % 2 === 1 ? part[middle]! : (part[middle - 1]! + part[middle]!) / 2;
}

/** A robust standard deviation: the mean of the 80% smallest absolute values over its normal expectation. */
export function robustScale(absolute: Float64Array, count: number): number {
  if (count === 0) return NaN;
  const part = absolute.subarray(0, count).sort();
  const kept = Math.max(1, Math.floor(0.8 * count));
  let sum = 0;
  for (let i = 0; i < kept; i++) sum += part[i]!;
  return sum / kept / 0.5586;
}

/**
 * Recurring monthly charges expected over the horizon (0 on other days), or null when there are none:
 * a day of the month (or the month's last day) whose residual in each of its last two or three
 * occurrences before origin exceeded 4 robust scales of the residuals and 3% of the typical day, all
 * of one sign; the charge is their median.
 */
export function recurringCharges(
  context: SeriesContext,
  origin: number,
  horizon: number,
): Float64Array | null {
  const residuals = context.residualsBefore(origin);
  const from = origin - residuals.length;
  const noiseFrom = Math.max(0, residuals.length - CHARGE_NOISE_DAYS);
  const buffer = new Float64Array(residuals.length);
  let count = 0;
  for (let i = noiseFrom; i < residuals.length; i++)
    if (!Number.isNaN(residuals[i]!)) buffer[count++] = Math.abs(residuals[i]!);
  if (count < 14) return null;
  const noise = robustScale(buffer, count);
  count = 0;
  for (let day = Math.max(0, origin - 28); day < origin; day++) {
    const value = context.values[day]!;
    if (!Number.isNaN(value)) buffer[count++] = Math.abs(value);
  }
  const typical = median(buffer, count);
  const threshold = Math.max(CHARGE_SCORE * noise, CHARGE_MIN_SHARE * typical, 1e-9);

  let charges: Float64Array | null = null;
  const found = new Float64Array(CHARGE_MONTHS);
  for (let h = 0; h < horizon; h++) {
    const target = origin + h;
    const monthEnd = context.monthEnd[target] === 1;
    const dayOfMonth = context.dayOfMonth[target]!;
    let occurrences = 0;
    let positive = 0;
    let consistent = true;
    for (let day = origin - 1; day >= from && occurrences < CHARGE_MONTHS; day--) {
      const same = monthEnd ? context.monthEnd[day] === 1 : context.dayOfMonth[day] === dayOfMonth;
      if (!same) continue;
      const residual = residuals[day - from]!;
      if (Number.isNaN(residual) || Math.abs(residual) < threshold) {
        consistent = false;
        break;
      }
      if (residual > 0) positive++;
      found[occurrences++] = residual;
    }
    if (!consistent || occurrences < 2 || (positive !== 0 && positive !== occurrences)) continue;
    charges ??= new Float64Array(horizon);
    charges[h] = median(found, occurrences);
  }
  return charges;
}

/** A model's forecast with the recurring monthly charges added (when it takes them); counts the fit. */
export function forecastWith(
  model: ForecastModel,
  context: SeriesContext,
  origin: number,
  horizon: number,
): Float64Array | null {
  context.fits++;
  const forecast = model.forecast(context, origin, horizon);
  if (!forecast || !model.recurringCharges) return forecast;
  const charges = recurringCharges(context, origin, horizon);
  if (charges) for (let h = 0; h < horizon; h++) forecast[h] = forecast[h]! + charges[h]!;
  return forecast;
}

const NAIVE_WEEKS = 8;

/** The baseline: each day repeats the last observed value of its weekday before origin. */
export const seasonalNaive7: ForecastModel = {
  name: "seasonal-naive-7",
  recurringCharges: false,
  forecast(context, origin, horizon) {
    const values = context.values;
    const slots = new Float64Array(7).fill(NaN);
    let found = 0;
    let sum = 0;
    for (let slot = 0; slot < 7; slot++) {
      for (let day = origin - 7 + slot, weeks = 0; day >= 0 && weeks < NAIVE_WEEKS; day -= 7, weeks++) {
        const value = values[day]!;
        if (Number.isNaN(value)) continue;
        slots[slot] = value;
        found++;
        sum += value;
        break;
      }
    }
    if (found === 0) return null;
    // A weekday not observed in eight weeks gets the mean of the others.
    for (let slot = 0; slot < 7; slot++) if (Number.isNaN(slots[slot]!)) slots[slot] = sum / found;
    const forecast = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) forecast[h] = slots[h % 7]!;
    return forecast;
  },
};

const PROFILE_HISTORY_DAYS = 70;
const PROFILE_MIN_OBSERVATIONS = 14;

/** robustWeeklyModel's expected value for the weekdays of origin .. origin + 6, from days before origin. */
function weeklyExpectations(values: ArrayLike<number>, origin: number): Float64Array | null {
  const from = Math.max(0, origin - PROFILE_HISTORY_DAYS);
  const view = new Float64Array(origin - from + 7).fill(NaN);
  for (let day = from; day < origin; day++) view[day - from] = values[day]!;
  const expected = new Float64Array(7);
  for (let slot = 0; slot < 7; slot++) {
    const forecast = robustWeeklyModel.forecast(view, origin - from + slot, {
      historyDays: PROFILE_HISTORY_DAYS,
      minObservations: PROFILE_MIN_OBSERVATIONS,
    });
    if (!forecast) return null;
    expected[slot] = forecast.expected;
  }
  return expected;
}

export const weeklyProfileModel: ForecastModel = {
  name: "weekly-profile",
  recurringCharges: true,
  forecast(context, origin, horizon) {
    const expected = context.weeklyExpectations(origin);
    if (!expected) return null;
    const forecast = new Float64Array(horizon);
    for (let h = 0; h < horizon; h++) forecast[h] = expected[h % 7]!;
    return forecast;
  },
};

const TREND_WEEKS = 8;
const MIN_TREND_WEEKS = 4;
const PROFILE_TREND_DAMPING = 0.95;
/** Days between the middle of the level's 14 days and the origin. */
const LEVEL_LAG = 7;

/** Theil-Sen slope per day of the complete weekly means of the last eight weeks before origin (0 with fewer than four). */
export function weeklySlope(values: ArrayLike<number>, origin: number): number {
  const means: number[] = [];
  const weeks: number[] = [];
  for (let week = 0; week < TREND_WEEKS; week++) {
    let sum = 0;
    let complete = true;
    for (let j = 1; j <= 7; j++) {
      const day = origin - 7 * week - j;
      const value = day >= 0 ? values[day]! : NaN;
      if (Number.isNaN(value)) {
        complete = false;
        break;
      }
      sum += value;
    }
    if (!complete) continue;
    means.push(sum / 7);
    weeks.push(-week);
  }
  if (means.length < MIN_TREND_WEEKS) return 0;
  const slopes = new Float64Array((means.length * (means.length - 1)) / 2);
  let count = 0;
  for (let i = 0; i < means.length; i++)
    for (let j = i + 1; j < means.length; j++)
      slopes[count++] = (means[i]! - means[j]!) / (weeks[i]! - weeks[j]!);
  return median(slopes, count) / 7;
}

export const weeklyProfileTrendModel: ForecastModel = {
  name: "weekly-profile-trend",
  recurringCharges: true,
  forecast(context, origin, horizon) {
    const expected = context.weeklyExpectations(origin);
    if (!expected) return null;
    const slope = weeklySlope(context.values, origin);
    let level = 0;
    let nonNegative = true;
    for (let slot = 0; slot < 7; slot++) {
      level += expected[slot]! / 7;
      if (expected[slot]! < 0) nonNegative = false;
    }
    const ratio = nonNegative && level > 0;
    const forecast = new Float64Array(horizon);
    let damped = 0;
    let weight = 1;
    for (let h = 0; h < horizon; h++) {
      weight *= PROFILE_TREND_DAMPING;
      damped += weight;
      const shift = slope * (LEVEL_LAG + damped);
      const base = expected[h % 7]!;
      forecast[h] = ratio ? base * Math.max(0, 1 + shift / level) : base + shift;
    }
    return forecast;
  },
};

interface SmoothingParameters {
  alpha: number;
  beta: number;
  gamma: number;
}

const HW_TRAINING_DAYS = 112;
const HW_MIN_TRAINING = 21;
const HW_DAMPING = 0.95;
const HW_CLIP = 2.5;
const HW_SCALE_RATE = 0.1;
const HW_WARM_UP = 14;
const HW_GRID: readonly SmoothingParameters[] = [0.05, 0.15, 0.3].flatMap((alpha) =>
  [0, 0.05].flatMap((beta) => [0.05, 0.2].map((gamma) => ({ alpha, beta, gamma }))),
);
/** A seasonal factor below this carries no information about the level (a day nothing runs). */
const MIN_FACTOR = 0.2;
/** Normal expectation of |e| is 0.7979 sd. */
const ABS_TO_SD = 1.2533;

interface SmoothingState {
  level: number;
  trend: number;
  season: Float64Array;
}

/**
 * Runs robust damped Holt-Winters over values[from .. origin) from an initial state; returns the
 * loss (clipped absolute one-step and seven-step errors after the warm-up) and leaves the final state
 * in `state`.
 */
function smooth(
  values: ArrayLike<number>,
  from: number,
  origin: number,
  parameters: SmoothingParameters,
  multiplicative: boolean,
  state: SmoothingState,
  initialScale: number,
  lossClip: number,
): number {
  const { alpha, beta, gamma } = parameters;
  const season = state.season;
  let level = state.level;
  let trend = state.trend;
  let scale = initialScale;
  let loss = 0;
  const ahead = new Float64Array(7).fill(NaN);
  const damped7 = dampedSum(7);
  for (let day = from; day < origin; day++) {
    const slot = day % 7;
    const seasonal = season[slot]!;
    const base = level + HW_DAMPING * trend;
    const expected = multiplicative ? base * seasonal : base + seasonal;
    const value = values[day]!;
    const pending = ahead[slot]!;
    if (Number.isNaN(value)) {
      level = base;
      trend *= HW_DAMPING;
      ahead[slot] = NaN;
      continue;
    }
    const error = value - expected;
    if (day - from >= HW_WARM_UP) {
      loss += Math.min(Math.abs(error), lossClip);
      if (!Number.isNaN(pending)) loss += Math.min(Math.abs(value - pending), lossClip);
    }
    const limit = HW_CLIP * scale;
    const clipped = error > limit ? limit : error < -limit ? -limit : error;
    scale = (1 - HW_SCALE_RATE) * scale + HW_SCALE_RATE * ABS_TO_SD * Math.min(Math.abs(error), limit);
    const adjusted = expected + clipped;
    let newLevel: number;
    if (multiplicative) {
      newLevel = seasonal >= MIN_FACTOR ? alpha * (adjusted / seasonal) + (1 - alpha) * base : base;
      if (newLevel > 0) season[slot] = gamma * (adjusted / newLevel) + (1 - gamma) * seasonal;
    } else {
      newLevel = alpha * (adjusted - seasonal) + (1 - alpha) * base;
      season[slot] = gamma * (adjusted - newLevel) + (1 - gamma) * seasonal;
    }
    trend = beta * (newLevel - level) + (1 - beta) * HW_DAMPING * trend;
    level = newLevel;
    // The forecast of the same weekday next week, held until it arrives.
    const next = level + damped7 * trend;
    ahead[slot] = multiplicative ? next * season[slot]! : next + season[slot]!;
  }
  state.level = level;
  state.trend = trend;
  return loss;
}

/** phi + phi^2 + ... + phi^h. */
function dampedSum(h: number): number {
  return (HW_DAMPING * (1 - HW_DAMPING ** h)) / (1 - HW_DAMPING);
}

/** Initial state from the first three weeks: per weekday the median, level their mean, no trend. */
function initialState(
  values: ArrayLike<number>,
  from: number,
  multiplicative: boolean,
): { state: SmoothingState; scale: number } | null {
  const slots = new Float64Array(7);
  const buffer = new Float64Array(3);
  let levelSum = 0;
  let slotsFound = 0;
  for (let slot = 0; slot < 7; slot++) {
    let count = 0;
    for (let week = 0; week < 3; week++) {
      const value = values[from + slot + 7 * week]!;
      if (!Number.isNaN(value)) buffer[count++] = value;
    }
    slots[slot] = count > 0 ? median(buffer, count) : NaN;
    if (count > 0) {
      levelSum += slots[slot]!;
      slotsFound++;
    }
  }
  if (slotsFound < 5) return null;
  const level = levelSum / slotsFound;
  if (multiplicative && !(level > 0)) return null;
  const season = new Float64Array(7);
  let deviation = 0;
  let deviations = 0;
  for (let slot = 0; slot < 7; slot++) {
    const day = from + slot;
    const value = Number.isNaN(slots[slot]!) ? level : slots[slot]!;
    season[day % 7] = multiplicative ? value / level : value - level;
    for (let week = 0; week < 3; week++) {
      const observed = values[day + 7 * week]!;
      if (Number.isNaN(observed)) continue;
      deviation += Math.abs(observed - value);
      deviations++;
    }
  }
  const scale = Math.max((ABS_TO_SD * deviation) / Math.max(1, deviations), 0.01 * Math.abs(level), 1e-9);
  return { state: { level, trend: 0, season }, scale };
}

/** Robust scale of the week-over-week differences before origin (the loss clip's unit). */
function weeklyDifferenceScale(values: ArrayLike<number>, from: number, origin: number): number {
  const buffer = new Float64Array(Math.max(0, origin - from));
  let count = 0;
  for (let day = from + 7; day < origin; day++) {
    const difference = values[day]! - values[day - 7]!;
    if (!Number.isNaN(difference)) buffer[count++] = Math.abs(difference);
  }
  return count > 0 ? robustScale(buffer, count) / Math.SQRT2 : NaN;
}

function holtWinters(name: string, multiplicative: boolean): ForecastModel {
  return {
    name,
    recurringCharges: true,
    forecast(context, origin, horizon) {
      const values = context.values;
      const from = Math.max(0, origin - HW_TRAINING_DAYS);
      if (origin - from < HW_MIN_TRAINING) return null;
      if (multiplicative) for (let day = from; day < origin; day++) if (values[day]! < 0) return null;
      const initial = initialState(values, from, multiplicative);
      if (!initial) return null;
      const scale = weeklyDifferenceScale(values, from, origin);
      const lossClip = 3 * (Number.isNaN(scale) || scale <= 0 ? initial.scale : scale);
      let best: SmoothingState | null = null;
      let bestLoss = Infinity;
      for (const parameters of HW_GRID) {
        const state: SmoothingState = {
          level: initial.state.level,
          trend: 0,
          season: initial.state.season.slice(),
        };
        const loss = smooth(values, from, origin, parameters, multiplicative, state, initial.scale, lossClip);
        if (loss < bestLoss) {
          bestLoss = loss;
          best = state;
        }
      }
      if (!best) return null;
      const forecast = new Float64Array(horizon);
      for (let h = 0; h < horizon; h++) {
        const base = best.level + dampedSum(h + 1) * best.trend;
        const seasonal = best.season[(origin + h) % 7]!;
        forecast[h] = multiplicative ? Math.max(0, base) * seasonal : base + seasonal;
      }
      return forecast;
    },
  };
}

export const holtWintersAdditive = holtWinters("holt-winters-additive", false);
export const holtWintersMultiplicative = holtWinters("holt-winters-multiplicative", true);

/** The baseline every other candidate must beat. */
export const BASELINE_MODEL = seasonalNaive7;

/** Every model backtested on a series, the baseline first. */
export const CANDIDATE_MODELS: readonly ForecastModel[] = [
  seasonalNaive7,
  weeklyProfileModel,
  weeklyProfileTrendModel,
  holtWintersAdditive,
  holtWintersMultiplicative,
];
