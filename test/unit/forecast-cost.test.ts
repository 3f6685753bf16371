import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  daysBetween,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
} from "../../src/domain/dates.js";
import {
  breachProbability,
  forecastCost,
  INSUFFICIENT_HISTORY,
  MIN_HISTORY_DAYS,
  NO_HISTORY,
  NOTHING_LEFT,
  type ForecastRequest,
  type ForecastResult,
} from "../../src/insights/cost-forecast.js";
import { CANDIDATE_MODELS } from "../../src/insights/forecast-models.js";
import { DEFAULT_BACKTEST } from "../../src/insights/forecast-backtest.js";
import { normalDraws, seededRandom, syntheticSeries } from "./forecast-synthetic.js";

/** The request for the calendar month of the series' index `index`, with history up to that index. */
function monthRequest(values: Float64Array, start: string, index: number, confidence = 0.8): ForecastRequest {
  const lastDay = addDays(start, index);
  const month = monthOf(lastDay);
  return {
    history: values.subarray(0, index + 1),
    lastDay,
    periodStart: firstDayOfMonth(month),
    periodEnd: lastDayOfMonth(month),
    confidence,
  };
}

function sumOver(values: Float64Array, start: string, from: string, to: string): number {
  let sum = 0;
  for (let index = daysBetween(start, from); index <= daysBetween(start, to); index++)
    if (!Number.isNaN(values[index]!)) sum += values[index]!;
  return sum;
}

describe("forecastCost", () => {
  const { values, options } = syntheticSeries(7, { days: 500 });
  // Index 405 is 2026-02-10: day 10 of February 2026.
  const request = monthRequest(values, options.start, 405);

  it("forecasts the rest of the month: actual so far, expected total with bounds, daily points, accuracy", () => {
    expect(request.lastDay).toBe("2026-02-10");
    const result = forecastCost(request);
    expect(result.basedOnDataUntil).toBe("2026-02-10");
    expect(result.actual).toBeCloseTo(sumOver(values, options.start, "2026-02-01", "2026-02-10"), 6);
    expect(result.points.map((point) => point.date)).toEqual(
      Array.from({ length: 18 }, (_, i) => addDays("2026-02-11", i)),
    );
    const remaining = result.points.reduce((sum, point) => sum + point.expected, 0);
    expect(result.expected).toBeCloseTo(result.actual + remaining, 6);
    expect(result.lower).toBeLessThan(result.expected);
    expect(result.upper).toBeGreaterThan(result.expected);
    for (const point of result.points) {
      expect(point.lower).toBeLessThanOrEqual(point.expected);
      expect(point.upper).toBeGreaterThanOrEqual(point.expected);
    }
    expect(result.baseline).toBe("seasonal-naive-7");
    expect(result.method).not.toBe(result.baseline);
    expect(result.accuracy.backtestWindows).toBe(12);
    expect(result.accuracy.mase).toBeLessThan(1);
    expect(result.accuracy.mape).toBeLessThan(0.1);
    expect(result.accuracy.intervalCoverage).toBeGreaterThan(0.5);
    expect(Math.abs(result.accuracy.bias!)).toBeLessThan(0.1);
    const truth = sumOver(values, options.start, "2026-02-01", "2026-02-28");
    expect(Math.abs(result.expected - truth) / truth).toBeLessThan(0.05);
  });

  it("is deterministic", () => {
    expect(forecastCost(request)).toEqual(forecastCost(request));
  });

  it("changes when a past value is restated", () => {
    const before = forecastCost(request);
    const restated = values.slice(0, 406);
    restated[404] = restated[404]! * 2; // 2026-02-09, inside the period
    const inside = forecastCost({ ...request, history: restated });
    expect(inside.actual).toBeCloseTo(before.actual + values[404]!, 6);
    expect(inside.expected).not.toBe(before.expected);
    const earlier = values.slice(0, 406);
    earlier[390] = earlier[390]! * 3; // 2026-01-26, before the period: the model sees it
    const outside = forecastCost({ ...request, history: earlier });
    expect(outside.actual).toBe(before.actual);
    expect(outside.points.map((point) => point.expected)).not.toEqual(
      before.points.map((point) => point.expected),
    );
  });

  it("widens its intervals with the confidence asked and with the horizon", () => {
    const results = [0.5, 0.8, 0.95, 0.99].map((confidence) => forecastCost({ ...request, confidence }));
    for (let i = 1; i < results.length; i++) {
      const [narrow, wide] = [results[i - 1]!, results[i]!];
      expect(wide.upper - wide.lower).toBeGreaterThan(narrow.upper - narrow.lower);
      expect(wide.points[0]!.upper - wide.points[0]!.lower).toBeGreaterThan(
        narrow.points[0]!.upper - narrow.points[0]!.lower,
      );
      expect(wide.expected).toBe(narrow.expected);
    }
    const long = forecastCost({ ...request, periodEnd: "2026-04-30" });
    const width = (point: ForecastResult["points"][number]): number => point.upper - point.lower;
    // Same weekday, eight weeks apart.
    expect(width(long.points[56]!)).toBeGreaterThan(width(long.points[0]!));
  });

  it("gives a breach probability that falls with the amount, 0.5 at the expected total", () => {
    const result = forecastCost(request);
    expect(breachProbability(result, result.expected)).toBeCloseTo(0.5, 6);
    const amounts = Array.from({ length: 41 }, (_, i) => result.expected * (0.8 + 0.01 * i));
    const probabilities = amounts.map((amount) => breachProbability(result, amount));
    for (let i = 1; i < probabilities.length; i++)
      expect(probabilities[i]!).toBeLessThanOrEqual(probabilities[i - 1]!);
    expect(probabilities[0]).toBeGreaterThan(0.99);
    expect(probabilities[40]).toBeLessThan(0.01);
    // Already spent: certain.
    expect(breachProbability(result, result.actual - 1)).toBe(1);
    expect(breachProbability(result, result.lower)).toBeCloseTo(0.9, 1);
  });

  it("bounds the model fits per forecast (12 windows of 5 models and the forecast), whatever the history's length", () => {
    const bound = DEFAULT_BACKTEST.maxWindows * CANDIDATE_MODELS.length + 1;
    const fits = [200, 400, 500].map(
      (days) => forecastCost(monthRequest(values, options.start, days - 1)).diagnostics.modelFits,
    );
    for (const count of fits) expect(count).toBeLessThanOrEqual(bound);
    expect(fits[1]).toBe(fits[2]);
  });

  it("measures the time of one forecast over 400 days (printed, not asserted)", () => {
    const timed = monthRequest(values, options.start, 399);
    for (let i = 0; i < 50; i++) forecastCost(timed);
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const started = performance.now();
      forecastCost(timed);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    console.log(
      `forecastCost over 400 days: p50 ${times[50]!.toFixed(2)} ms, p90 ${times[90]!.toFixed(2)} ms, ${forecastCost(timed).diagnostics.modelFits} model fits`,
    );
    expect(times.length).toBe(100);
  });
});

describe("forecastCost edge cases", () => {
  const { values, options } = syntheticSeries(3, { days: 420 });

  it("with fewer than 28 stored days says so, with null accuracy and a wide interval", () => {
    const short = forecastCost(monthRequest(values, options.start, MIN_HISTORY_DAYS - 2)); // 2025-01-27
    expect(short.method).toBe(INSUFFICIENT_HISTORY);
    expect(short.accuracy).toEqual({
      mape: null,
      mase: null,
      bias: null,
      intervalCoverage: null,
      backtestWindows: 0,
    });
    expect(short.points).toHaveLength(4);
    // Nine days later, the same month: measured, and far narrower relative to the days left.
    const measured = forecastCost(monthRequest(values, options.start, 400 - 1));
    const relative = (result: ForecastResult): number =>
      (result.upper - result.lower) / (result.expected - result.actual);
    expect(relative(short)).toBeGreaterThan(2 * relative(measured));
    // Honest: each of the short forecast's days lies in its interval.
    for (const point of short.points) {
      const actual = values[daysBetween(options.start, point.date)]!;
      expect(actual).toBeGreaterThanOrEqual(point.lower);
      expect(actual).toBeLessThanOrEqual(point.upper);
    }
    const sparse = values.slice(0, 300).fill(NaN, 0, 280);
    expect(forecastCost(monthRequest(sparse, options.start, 299)).method).toBe(INSUFFICIENT_HISTORY);
  });

  it("forecasts the days not yet delivered: the series ends at its last stored day", () => {
    const late = values.slice(0, 406);
    late[405] = NaN;
    late[404] = NaN;
    late[395] = NaN; // a gap inside the period counts as nothing
    const result = forecastCost(monthRequest(late, options.start, 405));
    expect(result.basedOnDataUntil).toBe(addDays(options.start, 403));
    expect(result.points[0]!.date).toBe(addDays(options.start, 404));
    expect(result.actual).toBeCloseTo(
      sumOver(late, options.start, "2026-02-01", addDays(options.start, 403)),
      6,
    );
  });

  it("forecasts a future period without the days before it", () => {
    const result = forecastCost({
      history: values.subarray(0, 400),
      lastDay: addDays(options.start, 399), // 2026-02-04
      periodStart: "2026-03-01",
      periodEnd: "2026-03-31",
      confidence: 0.8,
    });
    expect(result.actual).toBe(0);
    expect(result.points).toHaveLength(31);
    expect(result.points[0]!.date).toBe("2026-03-01");
    expect(result.expected).toBeCloseTo(
      result.points.reduce((sum, point) => sum + point.expected, 0),
      6,
    );
    // The charge of every 1st is expected again on March 1st.
    const sunday = result.points[7]!.expected; // 2026-03-08, the same weekday
    expect(result.points[0]!.expected - sunday).toBeGreaterThan(0.7 * options.monthlyCharge);
  });

  it("has nothing to forecast for a period that is over", () => {
    const result = forecastCost({ ...monthRequest(values, options.start, 399), periodEnd: "2026-02-03" });
    expect(result.method).toBe(NOTHING_LEFT);
    expect(result.points).toEqual([]);
    expect(result.expected).toBe(result.actual);
    expect(breachProbability(result, result.actual - 1)).toBe(1);
    expect(breachProbability(result, result.actual + 1)).toBe(0);
  });

  it("has no forecast without a stored day", () => {
    const result = forecastCost(monthRequest(new Float64Array(40).fill(NaN), options.start, 39));
    expect(result.method).toBe(NO_HISTORY);
    expect(result.expected).toBe(0);
    expect(result.basedOnDataUntil).toBe(addDays(options.start, 39));
    expect(result.points[0]!.date).toBe(addDays(options.start, 40));
    const empty = forecastCost({ ...monthRequest(values, options.start, 39), history: [] });
    expect(empty.basedOnDataUntil).toBe(addDays(options.start, 39));
  });

  it("forecasts a series of zeros, and a constant one, exactly", () => {
    const zeros = forecastCost(monthRequest(new Float64Array(110), options.start, 109));
    expect([zeros.expected, zeros.lower, zeros.upper]).toEqual([0, 0, 0]);
    expect(zeros.accuracy.backtestWindows).toBe(12);
    const constant = forecastCost(monthRequest(new Float64Array(110).fill(50), options.start, 109));
    expect(constant.method).toBe("seasonal-naive-7");
    expect(constant.points.every((point) => point.expected === 50 && point.lower === 50)).toBe(true);
    expect(constant.upper).toBe(constant.expected);
    // No seasonal-naive error to scale by.
    expect(constant.accuracy.mase).toBeNull();
  });

  it("refuses a confidence outside (0, 1) and a reversed period", () => {
    const request = monthRequest(values, options.start, 399);
    expect(() => forecastCost({ ...request, confidence: 1 })).toThrow(RangeError);
    expect(() => forecastCost({ ...request, periodEnd: "2026-01-01" })).toThrow(RangeError);
  });
});

describe("forecast quality on synthetic series", () => {
  it("covers about 80% of days and of totals with its 80% intervals on a noisy weekly series", () => {
    let daysInside = 0;
    let days = 0;
    let totalsInside = 0;
    let totals = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const { values, options } = syntheticSeries(100 + seed, {
        days: 520,
        noise: 0.15,
        walk: 0.003,
        trend: 0,
        monthlyCharge: 0,
        spikeRate: 0.01,
      });
      for (let index = 150; index + 28 < 520; index += 9) {
        const lastDay = addDays(options.start, index);
        const result = forecastCost({
          history: values.subarray(0, index + 1),
          lastDay,
          periodStart: addDays(lastDay, 1),
          periodEnd: addDays(lastDay, 28),
          confidence: 0.8,
        });
        for (const point of result.points) {
          const actual = values[daysBetween(options.start, point.date)]!;
          if (actual >= point.lower && actual <= point.upper) daysInside++;
          days++;
        }
        const truth = sumOver(values, options.start, addDays(lastDay, 1), addDays(lastDay, 28));
        if (truth >= result.lower && truth <= result.upper) totalsInside++;
        totals++;
      }
    }
    console.log(
      `80% intervals: ${((100 * daysInside) / days).toFixed(1)}% of ${days} days, ${((100 * totalsInside) / totals).toFixed(1)}% of ${totals} 28-day totals`,
    );
    expect(daysInside / days).toBeGreaterThan(0.75);
    expect(daysInside / days).toBeLessThan(0.85);
    expect(totalsInside / totals).toBeGreaterThan(0.7);
    expect(totalsInside / totals).toBeLessThan(0.9);
  });

  it("forecasts month ends from day 10 within 5% MAPE, and beats the run-rate rule's breach calls by far", () => {
    const errors: number[] = [];
    const mases: number[] = [];
    let brierModel = 0;
    let brierRunRate = 0;
    const random = seededRandom(99);
    for (let seed = 1; seed <= 8; seed++) {
      const { values, options } = syntheticSeries(seed, { days: 500 });
      for (let m = 2; m <= 15; m++) {
        const month = addMonths(monthOf(options.start), m);
        const start = firstDayOfMonth(month);
        const end = lastDayOfMonth(month);
        if (daysBetween(options.start, end) >= values.length) continue;
        const index = daysBetween(options.start, start) + 9;
        const result = forecastCost(monthRequest(values, options.start, index));
        const truth = sumOver(values, options.start, start, end);
        errors.push(Math.abs(result.expected - truth) / truth);
        if (result.accuracy.mase !== null) mases.push(result.accuracy.mase);
        // A budget near last month's total.
        const previous = sumOver(values, options.start, addDays(start, -30), addDays(start, -1));
        const amount = previous * (0.85 + 0.35 * random());
        const breached = truth > amount ? 1 : 0;
        const runRate = (result.actual / 10) * (daysBetween(start, end) + 1);
        brierModel += (breachProbability(result, amount) - breached) ** 2;
        brierRunRate += ((runRate > amount ? 1 : 0) - breached) ** 2;
      }
    }
    const mape = errors.reduce((sum, error) => sum + error, 0) / errors.length;
    const belowOne = mases.filter((mase) => mase < 1).length / mases.length;
    const improvement = 1 - brierModel / brierRunRate;
    console.log(
      `month-end from day 10: MAPE ${(100 * mape).toFixed(2)}% over ${errors.length} months; MASE < 1 on ${(100 * belowOne).toFixed(0)}%; Brier ${(brierModel / errors.length).toFixed(3)} vs run-rate ${(brierRunRate / errors.length).toFixed(3)} (${(100 * improvement).toFixed(0)}% better)`,
    );
    expect(mape).toBeLessThanOrEqual(0.05);
    expect(belowOne).toBeGreaterThanOrEqual(0.8);
    expect(improvement).toBeGreaterThanOrEqual(0.3);
  });

  it("serves seasonal-naive-7 on a series where it is the best model, and says so", () => {
    const normal = normalDraws(seededRandom(5));
    const values = new Float64Array(300);
    for (let day = 0; day < 300; day++)
      values[day] = day < 7 ? 1000 + 100 * day : values[day - 7]! * Math.exp(0.12 * normal());
    const result = forecastCost(monthRequest(values, "2025-01-01", 299));
    expect(result.method).toBe("seasonal-naive-7");
    expect(result.method).toBe(result.baseline);
    const baseline = result.diagnostics.candidates.find((candidate) => candidate.name === result.baseline)!;
    expect(result.accuracy.mase).toBe(baseline.mase);
    for (const candidate of result.diagnostics.candidates)
      expect(candidate.mae).toBeGreaterThanOrEqual(baseline.mae);
  });
});
