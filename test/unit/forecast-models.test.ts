import { describe, expect, it } from "vitest";
import { toEpochDay } from "../../src/domain/dates.js";
import {
  CANDIDATE_MODELS,
  forecastWith,
  holtWintersAdditive,
  holtWintersMultiplicative,
  recurringCharges,
  seasonalNaive7,
  SeriesContext,
  weeklyProfileModel,
  weeklyProfileTrendModel,
  weeklySlope,
} from "../../src/insights/forecast-models.js";
import { syntheticSeries } from "./forecast-synthetic.js";

const START = "2025-01-06"; // a Monday
const WEEK = [100, 110, 105, 108, 95, 40, 30];

function weekly(days: number, scale = (_index: number) => 1): Float64Array {
  return Float64Array.from({ length: days }, (_, index) => WEEK[index % 7]! * scale(index));
}

function context(values: Float64Array, extra = 62): SeriesContext {
  return new SeriesContext(values, toEpochDay(START), values.length + extra);
}

describe("SeriesContext calendar", () => {
  it("knows each index's day of the month and the months' last days, past the series' end too", () => {
    const ctx = new SeriesContext(new Float64Array(3), toEpochDay("2024-02-27"), 5);
    expect(Array.from(ctx.dayOfMonth)).toEqual([27, 28, 29, 1, 2]);
    expect(Array.from(ctx.monthEnd)).toEqual([0, 0, 1, 0, 0]);
  });
});

describe("seasonal-naive-7", () => {
  it("repeats the last observed value of each weekday", () => {
    const values = weekly(28);
    values[27] = NaN; // last Sunday missing: the one before it stands in
    values[26] = 50;
    const forecast = seasonalNaive7.forecast(context(values), 28, 10)!;
    expect(Array.from(forecast)).toEqual([100, 110, 105, 108, 95, 50, 30, 100, 110, 105]);
  });

  it("has no forecast without any observed day", () => {
    expect(seasonalNaive7.forecast(context(new Float64Array(14).fill(NaN)), 14, 7)).toBeNull();
  });
});

describe("candidate models", () => {
  it.each([weeklyProfileModel, weeklyProfileTrendModel, holtWintersAdditive, holtWintersMultiplicative])(
    "%s forecasts a clean weekly series almost exactly, also with missing days",
    (model) => {
      const values = weekly(140);
      for (const day of [30, 61, 62, 100, 133]) values[day] = NaN;
      const forecast = model.forecast(context(values), 140, 21)!;
      expect(forecast).toHaveLength(21);
      for (let h = 0; h < 21; h++) expect(forecast[h]!).toBeCloseTo(WEEK[(140 + h) % 7]!, -0.3);
    },
  );

  it("never reads the days from the origin on", () => {
    const { values } = syntheticSeries(11, { days: 200 });
    const changed = values.slice();
    for (let day = 150; day < 200; day++) changed[day] = day % 2 === 0 ? 0 : 1e6;
    for (const model of CANDIDATE_MODELS) {
      const before = forecastWith(model, context(values), 150, 31);
      const after = forecastWith(model, context(changed), 150, 31);
      expect(after, model.name).toEqual(before);
    }
  });

  it("follows a trend with the trend models", () => {
    const values = weekly(140, (index) => 1 + 0.01 * index);
    const slope = weeklySlope(values, 140);
    // The weekly mean grows by 1% of 84 a day.
    expect(slope).toBeCloseTo(0.84, 1);
    const truth = WEEK[(140 + 20) % 7]! * (1 + 0.01 * 160);
    const flat = weeklyProfileModel.forecast(context(values), 140, 21)![20]!;
    const trended = weeklyProfileTrendModel.forecast(context(values), 140, 21)![20]!;
    const holt = holtWintersMultiplicative.forecast(context(values), 140, 21)![20]!;
    expect(Math.abs(trended - truth)).toBeLessThan(Math.abs(flat - truth));
    expect(Math.abs(holt - truth)).toBeLessThan(Math.abs(flat - truth));
  });

  it("are not thrown by a spike: robust Holt-Winters clips it", () => {
    const values = weekly(140);
    values[138] = 5000;
    const forecast = holtWintersAdditive.forecast(context(values), 140, 7)!;
    for (let h = 0; h < 7; h++) expect(Math.abs(forecast[h]! - WEEK[(140 + h) % 7]!)).toBeLessThan(10);
  });

  it("multiplicative Holt-Winters refuses a series with negative days (credits)", () => {
    const values = weekly(60);
    values[40] = -20;
    expect(holtWintersMultiplicative.forecast(context(values), 60, 7)).toBeNull();
    expect(holtWintersAdditive.forecast(context(values), 60, 7)).not.toBeNull();
  });
});

describe("recurring monthly charges", () => {
  // START is 2025-01-06: index 26 is 2025-02-01, 54 is 2025-03-01, 85 is 2025-04-01, 115 is 2025-05-01.
  it("adds a charge seen on the same day of each of the last months, to every model but the baseline", () => {
    const values = weekly(110, (index) => 1 + 0.002 * Math.sin(index));
    for (const first of [26, 54, 85]) values[first] = values[first]! + 500;
    const ctx = context(values);
    const charges = recurringCharges(ctx, 110, 10)!;
    expect(charges[5]).toBeCloseTo(500, -1); // index 115, May 1st
    expect(charges.filter((charge) => charge !== 0)).toHaveLength(1);
    const profile = forecastWith(weeklyProfileModel, ctx, 110, 10)!;
    expect(profile[5]! - WEEK[115 % 7]!).toBeCloseTo(500, -1);
    const naive = forecastWith(seasonalNaive7, ctx, 110, 10)!;
    expect(naive[5]).toBe(values[108]);
  });

  it("ignores a one-off charge", () => {
    const values = weekly(110, (index) => 1 + 0.002 * Math.sin(index));
    values[85] = values[85]! + 500;
    expect(recurringCharges(context(values), 110, 10)).toBeNull();
  });
});
