import { describe, expect, it } from "vitest";
import { toEpochDay } from "../../src/domain/dates.js";
import {
  backtestOrigins,
  calibrate,
  chooseModel,
  intervalCoverage,
  normalCdf,
  normalQuantile,
  runBacktest,
  seasonalNaiveScale,
  studentWidening,
  type BacktestWindow,
  type ModelBacktest,
} from "../../src/insights/forecast-backtest.js";
import {
  CANDIDATE_MODELS,
  seasonalNaive7,
  SeriesContext,
  weeklyProfileModel,
  type ForecastModel,
} from "../../src/insights/forecast-models.js";
import { normalDraws, seededRandom, syntheticSeries } from "./forecast-synthetic.js";

function fakeBacktest(name: string, mae: number): ModelBacktest {
  const model: ForecastModel = { name, recurringCharges: false, forecast: () => null };
  return { model, windows: [], mae, mase: mae / 10, mape: null, bias: null, pairs: 10 };
}

describe("rolling origins", () => {
  it("steps back 7 days at a time, at most 12 windows, each with 21 days and 14 stored days before it", () => {
    const values = new Float64Array(400).fill(1);
    expect(backtestOrigins(values, 400)).toEqual(Array.from({ length: 12 }, (_, j) => 400 - 7 * (j + 1)));
    expect(backtestOrigins(values, 35)).toEqual([28, 21]);
    const sparse = new Float64Array(40).fill(NaN);
    for (let day = 20; day < 40; day++) sparse[day] = 1;
    expect(backtestOrigins(sparse, 40)).toEqual([]);
  });

  it("scales by the in-sample seasonal-naive MAE over stored pairs", () => {
    const values = Float64Array.from({ length: 21 }, (_, day) => day);
    values[10] = NaN;
    // Every stored pair differs by 7; the pairs touching day 10 are skipped.
    expect(seasonalNaiveScale(values, 21)).toBe(7);
  });
});

describe("metrics", () => {
  it("give seasonal-naive-7 a MASE near 1 when its horizon is one season, and report totals' MAPE and bias", () => {
    const values = Float64Array.from({ length: 120 }, (_, day) => 100 + 10 * (day % 7) + (day % 3));
    const context = new SeriesContext(values, toEpochDay("2025-01-01"), 160);
    const scale = seasonalNaiveScale(values, 120);
    const origins = backtestOrigins(values, 120);
    const backtest = runBacktest(seasonalNaive7, context, 120, origins, 7, scale)!;
    expect(backtest.windows).toHaveLength(12);
    expect(backtest.pairs).toBe(84);
    // Horizon 7 from origins 7 apart: the same one-step-per-week errors as the scale, on the last 84 days.
    expect(backtest.mase).toBeGreaterThan(0.8);
    expect(backtest.mase).toBeLessThan(1.2);
    expect(backtest.mape).toBeGreaterThanOrEqual(0);
    expect(Math.abs(backtest.bias!)).toBeLessThan(0.05);
  });

  it("judge a model on every window or not at all", () => {
    const values = new Float64Array(100).fill(5);
    const context = new SeriesContext(values, toEpochDay("2025-01-01"), 140);
    let calls = 0;
    const flaky: ForecastModel = {
      name: "flaky",
      recurringCharges: false,
      forecast: (_context, _origin, horizon) => (++calls === 3 ? null : new Float64Array(horizon).fill(5)),
    };
    expect(runBacktest(flaky, context, 100, backtestOrigins(values, 100), 7, 1)).toBeNull();
  });
});

describe("model choice", () => {
  it("serves the best backtest", () => {
    const choice = chooseModel([
      fakeBacktest("seasonal-naive-7", 10),
      fakeBacktest("a", 8),
      fakeBacktest("b", 6),
      null,
    ])!;
    expect(choice.served.model.name).toBe("b");
    expect(choice.judged).toHaveLength(3);
  });

  it("never serves a model that does not beat the baseline: the baseline serves", () => {
    const choice = chooseModel([
      fakeBacktest("seasonal-naive-7", 10),
      fakeBacktest("a", 10),
      fakeBacktest("b", 12),
    ])!;
    expect(choice.served.model.name).toBe("seasonal-naive-7");
  });

  it("has no choice without a baseline backtest", () => {
    expect(chooseModel([null, fakeBacktest("a", 1)])).toBeNull();
  });

  it("serves the baseline on a series where last week is the best forecast (a seasonal random walk)", () => {
    const normal = normalDraws(seededRandom(5));
    const values = new Float64Array(300);
    for (let day = 0; day < 300; day++)
      values[day] = day < 7 ? 1000 + 100 * day : values[day - 7]! * Math.exp(0.12 * normal());
    const context = new SeriesContext(values, toEpochDay("2025-01-01"), 340);
    const origins = backtestOrigins(values, 300);
    const scale = seasonalNaiveScale(values, 300);
    const choice = chooseModel(
      CANDIDATE_MODELS.map((model) => runBacktest(model, context, 300, origins, 21, scale)),
    )!;
    expect(choice.judged.length).toBe(CANDIDATE_MODELS.length);
    expect(choice.served.model.name).toBe("seasonal-naive-7");
    for (const backtest of choice.judged) expect(backtest.mae).toBeGreaterThanOrEqual(choice.baseline.mae);
  });
});

describe("interval calibration", () => {
  function noisyWindows(seed: number, count: number, horizon: number, growth: number): BacktestWindow[] {
    const normal = normalDraws(seededRandom(seed));
    return Array.from({ length: count }, (_, k) => {
      const forecast = new Float64Array(horizon).fill(100);
      const actual = Float64Array.from({ length: horizon }, (_, h) => 100 + (5 + growth * h) * normal());
      return { origin: 7 * k, forecast, actual, level: 100 };
    });
  }

  it("widens with the confidence asked and with the horizon", () => {
    const windows = noisyWindows(1, 12, 31, 0.3);
    const widths = [0.5, 0.8, 0.95, 0.99].map((confidence) => {
      const calibration = calibrate(windows, confidence)!;
      return calibration.upper - calibration.lower;
    });
    for (let i = 1; i < widths.length; i++) expect(widths[i]!).toBeGreaterThan(widths[i - 1]!);
    const calibration = calibrate(windows, 0.8)!;
    expect(calibration.scaleAt(30)).toBeGreaterThan(1.5 * calibration.scaleAt(0));
    expect(calibration.lower).toBeLessThanOrEqual(0);
    expect(calibration.upper).toBeGreaterThanOrEqual(0);
  });

  it("measures the correlation of a window's errors instead of assuming independence", () => {
    const normal = normalDraws(seededRandom(2));
    const shared: BacktestWindow[] = Array.from({ length: 12 }, (_, k) => {
      const offset = 5 * normal();
      return {
        origin: 7 * k,
        forecast: new Float64Array(21).fill(100),
        actual: Float64Array.from({ length: 21 }, () => 100 + offset + normal()),
        level: 100,
      };
    });
    expect(calibrate(shared, 0.8)!.correlation(21)).toBeGreaterThan(0.8);
    expect(calibrate(noisyWindows(3, 12, 21, 0), 0.8)!.correlation(21)).toBeLessThan(0.1);
  });

  it("estimates coverage out of sample, near the confidence on independent noise", () => {
    const coverage = intervalCoverage(noisyWindows(4, 12, 31, 0), 0.8)!;
    expect(coverage).toBeGreaterThan(0.74);
    expect(coverage).toBeLessThan(0.9);
    expect(intervalCoverage(noisyWindows(4, 1, 31, 0), 0.8)).toBeNull();
  });

  it("widens for few windows", () => {
    expect(studentWidening(0.9, 1)).toBeGreaterThan(studentWidening(0.9, 12));
    expect(studentWidening(0.9, 1000)).toBeCloseTo(1, 2);
  });
});

describe("normal distribution helpers", () => {
  it("invert each other", () => {
    expect(normalQuantile(0.9)).toBeCloseTo(1.2816, 4);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.96, 3);
    for (const p of [0.001, 0.1, 0.5, 0.8, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe("backtests on a realistic series", () => {
  it("beat the baseline with some model", () => {
    const { values, lastDay } = syntheticSeries(21, { days: 300 });
    const first = toEpochDay(lastDay) - 299;
    const context = new SeriesContext(values, first, 340);
    const origins = backtestOrigins(values, 300);
    const scale = seasonalNaiveScale(values, 300);
    const choice = chooseModel(
      CANDIDATE_MODELS.map((model) => runBacktest(model, context, 300, origins, 31, scale)),
    )!;
    expect(choice.served.model.name).not.toBe(seasonalNaive7.name);
    expect(choice.served.mase!).toBeLessThan(1);
    expect(choice.judged.find((b) => b.model === weeklyProfileModel)!.mase!).toBeLessThan(1);
  });
});
