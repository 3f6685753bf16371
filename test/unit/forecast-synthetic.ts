/**
 * Seeded synthetic daily cost series for the forecast tests: a level with a slow trend and a random
 * walk, a weekly profile (weekdays vs weekends), multiplicative noise, a charge on the 1st of every
 * month, occasional spikes, an optional level shift and missing days.
 */
import type { IsoDay } from "../../src/domain/cost-record.js";
import { addDays, isoWeekday } from "../../src/domain/dates.js";

import { mulberry32 } from "../../src/sandbox/seeded-random.js";

/** The sandbox's seeded generator of uniforms in [0, 1), under the name these tests use. */
export const seededRandom = mulberry32;

/** Standard normal draws (Box-Muller). */
export function normalDraws(random: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

export interface SyntheticOptions {
  /** The day of index 0. */
  start: IsoDay;
  days: number;
  /** Mean daily cost at the start. */
  level: number;
  /** Factor per ISO weekday (index 0 = Monday). */
  weekly: readonly number[];
  /** Relative growth per day. */
  trend: number;
  /** Relative sd of the day's multiplicative noise. */
  noise: number;
  /** Relative sd of the level's daily random walk step. */
  walk: number;
  /** Amount charged on the 1st of every month (0: none). */
  monthlyCharge: number;
  /** Probability of a spike on a day, and its size relative to the day. */
  spikeRate: number;
  spikeSize: number;
  /** Index from which the level is multiplied by shiftFactor. */
  shiftAt: number;
  shiftFactor: number;
  /** Probability that a day has no record (NaN). */
  missingRate: number;
}

export const REALISTIC: SyntheticOptions = {
  start: "2025-01-01",
  days: 400,
  level: 1000,
  weekly: [1.12, 1.15, 1.14, 1.12, 1.05, 0.72, 0.7],
  trend: 0.0006,
  noise: 0.06,
  walk: 0.004,
  monthlyCharge: 1500,
  spikeRate: 0.01,
  spikeSize: 1.5,
  shiftAt: -1,
  shiftFactor: 1,
  missingRate: 0,
};

/** The series' values (NaN for missing days) and the true expected value of each day (without noise, spikes or charges). */
export function syntheticSeries(
  seed: number,
  overrides: Partial<SyntheticOptions> = {},
): { values: Float64Array; lastDay: IsoDay; options: SyntheticOptions } {
  const options = { ...REALISTIC, ...overrides };
  const random = seededRandom(seed);
  const normal = normalDraws(random);
  const values = new Float64Array(options.days);
  let walk = 0;
  for (let index = 0; index < options.days; index++) {
    const day = addDays(options.start, index);
    walk += options.walk * normal();
    let level = options.level * Math.exp(walk) * (1 + options.trend) ** index;
    if (options.shiftAt >= 0 && index >= options.shiftAt) level *= options.shiftFactor;
    let value = level * options.weekly[isoWeekday(day) - 1]! * Math.exp(options.noise * normal());
    if (random() < options.spikeRate) value *= 1 + options.spikeSize;
    if (day.endsWith("-01")) value += options.monthlyCharge;
    values[index] = random() < options.missingRate ? NaN : value;
  }
  return { values, lastDay: addDays(options.start, options.days - 1), options };
}
