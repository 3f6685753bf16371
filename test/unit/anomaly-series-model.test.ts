import { describe, expect, it } from "vitest";
import { judge, robustWeeklyModel } from "../../src/insights/series-model.js";
import { mulberry32 } from "../../src/sandbox/seeded-random.js";
import { gaussian } from "../support/anomaly-headers.js";

const WEEK = [1.1, 1.15, 1.15, 1.1, 1.05, 0.75, 0.7];
const options = { historyDays: 56, minObservations: 14 };

/** `days` values of a weekly-seasonal series around `level` with relative noise. */
function series(days: number, level: number, noise: number, seed = 1): Float64Array {
  const normal = gaussian(mulberry32(seed));
  return Float64Array.from({ length: days }, (_, i) => level * WEEK[i % 7]! * (1 + noise * normal()));
}

describe("robustWeeklyModel", () => {
  it("forecasts a weekly-seasonal series at its weekday level, with its noise as scale", () => {
    const values = series(57, 1000, 0.05);
    for (const [target, weekday] of [
      [56, 0],
      [55, 6],
    ] as const) {
      const forecast = robustWeeklyModel.forecast(values, target, { ...options, historyDays: target })!;
      expect(forecast.expected / (1000 * WEEK[weekday]!)).toBeGreaterThan(0.95);
      expect(forecast.expected / (1000 * WEEK[weekday]!)).toBeLessThan(1.05);
      const relative = forecast.scale / forecast.expected;
      expect(relative).toBeGreaterThan(0.03);
      expect(relative).toBeLessThan(0.09);
    }
  });

  it("keeps its scores calibrated on noise: few beyond 3.5 over many days", () => {
    let beyond = 0;
    let judged = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const values = series(120, 500, 0.05, seed);
      for (let target = 60; target < 120; target++) {
        const forecast = robustWeeklyModel.forecast(values, target, options)!;
        if (Math.abs(judge(forecast, values[target]!, 3.5).score) >= 3.5) beyond++;
        judged++;
      }
    }
    // Normal tails would give 0.05%; estimated scales fatten them a little.
    expect(beyond / judged).toBeLessThan(0.004);
  });

  it("scores a spike in robust standard deviations and gives the band of the threshold", () => {
    const values = series(57, 1000, 0.05);
    const forecast = robustWeeklyModel.forecast(values, 56, options)!;
    const verdict = judge(forecast, forecast.expected + 8 * forecast.scale, 3.5);
    expect(verdict.score).toBeCloseTo(8, 6);
    expect(verdict.impact).toBeCloseTo(8 * forecast.scale, 6);
    expect(verdict.upper).toBeCloseTo(forecast.expected + 3.5 * forecast.scale, 6);
    expect(verdict.lower).toBeCloseTo(forecast.expected - 3.5 * forecast.scale, 6);
  });

  it("is not moved by spikes of the history, nor by a shift of a few days", () => {
    const clean = series(57, 1000, 0.03);
    const spiked = clean.slice();
    for (const day of [20, 33, 41]) spiked[day] = spiked[day]! * 3;
    for (const day of [53, 54, 55]) spiked[day] = spiked[day]! * 1.5;
    const a = robustWeeklyModel.forecast(clean, 56, options)!;
    const b = robustWeeklyModel.forecast(spiked, 56, options)!;
    expect(Math.abs(b.expected - a.expected) / a.expected).toBeLessThan(0.05);
    expect(b.scale / a.scale).toBeLessThan(1.6);
  });

  it("absorbs a lasting level shift after a week or so", () => {
    const values = series(80, 1000, 0.03);
    for (let day = 50; day < 80; day++) values[day] = values[day]! * 1.5;
    const early = robustWeeklyModel.forecast(values, 52, options)!;
    const late = robustWeeklyModel.forecast(values, 79, options)!;
    expect(Math.abs(judge(early, values[52]!, 3.5).score)).toBeGreaterThan(5);
    expect(Math.abs(judge(late, values[79]!, 3.5).score)).toBeLessThan(2);
  });

  it("skips unobserved days (NaN) instead of reading them as zeros", () => {
    const values = series(57, 1000, 0.03);
    const gappy = values.slice();
    for (const day of [10, 11, 12, 30, 44, 45, 52]) gappy[day] = NaN;
    const a = robustWeeklyModel.forecast(values, 56, options)!;
    const b = robustWeeklyModel.forecast(gappy, 56, options)!;
    expect(Math.abs(b.expected - a.expected) / a.expected).toBeLessThan(0.03);
    expect(b.observations).toBe(a.observations - 7);
  });

  it("gives no verdict before minObservations observed days", () => {
    const values = series(57, 1000, 0.03);
    const sparse = values.map((value, day) => (day % 5 === 0 || day === 56 ? value : NaN));
    expect(robustWeeklyModel.forecast(sparse, 56, options)).toBeNull();
    expect(robustWeeklyModel.forecast(values, 10, options)).toBeNull();
  });

  it("switches to an additive profile when a weekday costs nothing", () => {
    const values = Float64Array.from({ length: 57 }, (_, i) => (i % 7 >= 5 ? 0 : 100 + (i % 3)));
    const weekend = robustWeeklyModel.forecast(values, 54, { ...options, historyDays: 54 })!;
    const weekday = robustWeeklyModel.forecast(values, 56, options)!;
    expect(Math.abs(weekend.expected)).toBeLessThan(3);
    expect(weekday.expected).toBeGreaterThan(97);
    expect(weekday.expected).toBeLessThan(104);
  });

  it("reports the residual of the same day last month (a monthly charge)", () => {
    const values = series(57, 1000, 0.02);
    values[25] = values[25]! + 800;
    const forecast = robustWeeklyModel.forecast(values, 56, { ...options, sameDayLastMonth: 25 })!;
    expect(forecast.lastMonthResidual!).toBeGreaterThan(700);
    expect(forecast.lastMonthScore!).toBeGreaterThan(10);
    expect(robustWeeklyModel.forecast(values, 56, options)!.lastMonthScore).toBeNull();
  });
});
