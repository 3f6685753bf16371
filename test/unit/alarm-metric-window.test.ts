import { describe, expect, it } from "vitest";
import { AlarmMetricWindow, MAX_VALUES_PER_DATUM } from "../../src/observability/alarm-metric-window.js";
import { APP_METRIC_DIMENSION, APP_METRICS } from "../../src/observability/app-metrics.js";

const STARTED = new Date("2026-11-26T10:00:00.000Z");
const DEPLOYMENT = "prod-cost-analytics";

describe("AlarmMetricWindow", () => {
  it("produces nothing when nothing was observed", () => {
    const window = new AlarmMetricWindow(STARTED);
    expect(window.isEmpty()).toBe(true);
    expect(window.toMetricData(DEPLOYMENT)).toEqual([]);
  });

  it("keeps latencies as a distribution rounded to two significant digits, counting repeats", () => {
    const window = new AlarmMetricWindow(STARTED);
    for (const ms of [12.34, 12.01, 7.449, 1234, 0, -1, Number.NaN]) window.graphqlLatency(ms);
    const [datum, ...rest] = window.toMetricData(DEPLOYMENT);
    expect(rest).toEqual([]);
    expect(datum).toEqual({
      MetricName: APP_METRICS.graphqlLatencyMs,
      Dimensions: [{ Name: APP_METRIC_DIMENSION, Value: DEPLOYMENT }],
      Timestamp: STARTED,
      Unit: "Milliseconds",
      StorageResolution: 60,
      // NaN is not an observation; a negative duration (clock step) counts as 0.
      Values: [0, 7.4, 12, 1200],
      Counts: [2, 1, 2, 1],
    });
  });

  it("splits more distinct latencies than CloudWatch takes per datum over several data, losing none", () => {
    const window = new AlarmMetricWindow(STARTED);
    const observations = 400;
    for (let i = 0; i < observations; i++) window.graphqlLatency(0.001 * 1.04 ** i);
    const data = window.toMetricData(DEPLOYMENT);
    expect(data.length).toBeGreaterThan(1);
    for (const datum of data) {
      expect(datum.Values!.length).toBeLessThanOrEqual(MAX_VALUES_PER_DATUM);
      expect(datum.Counts).toHaveLength(datum.Values!.length);
    }
    const counted = data.flatMap((datum) => datum.Counts!).reduce((a, b) => a + b, 0);
    expect(counted).toBe(observations);
    const values = data.flatMap((datum) => datum.Values!);
    expect(new Set(values).size).toBe(values.length);
  });

  it("keeps the stream iterator age as a statistic set whose maximum the alarm reads", () => {
    const window = new AlarmMetricWindow(STARTED);
    for (const ms of [120, 80, 4_000, 15]) window.streamIteratorAge(ms);
    expect(window.toMetricData(DEPLOYMENT)).toEqual([
      expect.objectContaining({
        MetricName: APP_METRICS.streamIteratorAgeMs,
        Unit: "Milliseconds",
        StatisticValues: { SampleCount: 4, Sum: 4_215, Minimum: 15, Maximum: 4_000 },
      }),
    ]);
  });

  it("counts failed collections", () => {
    const window = new AlarmMetricWindow(STARTED);
    window.collectionFailed();
    window.collectionFailed();
    expect(window.isEmpty()).toBe(false);
    expect(window.toMetricData(DEPLOYMENT)).toEqual([
      expect.objectContaining({ MetricName: APP_METRICS.collectionsFailed, Unit: "Count", Value: 2 }),
    ]);
  });
});
