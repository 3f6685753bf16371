/**
 * What the alarms read, gathered over one publishing interval and turned into CloudWatch MetricDatum
 * shapes. No I/O: the publisher sends what this produces.
 *
 * - GraphQL latency keeps a distribution (Values/Counts), because the dashboard shows percentiles
 *   and CloudWatch only computes those from values, not from statistic sets. Values are rounded to
 *   two significant digits (at most 5% off) so a busy minute fits in few data.
 * - Stream iterator age keeps a statistic set: the alarm reads its Maximum.
 * - Failed collections are a count.
 */
import { APP_METRIC_DIMENSION, APP_METRICS } from "./app-metrics.js";

/** CloudWatch accepts at most this many distinct values in one datum. */
export const MAX_VALUES_PER_DATUM = 150;

/** The recording side, for code that must not care whether anything is published. */
export interface AlarmMetrics {
  graphqlLatency(ms: number): void;
  streamIteratorAge(ms: number): void;
  collectionFailed(): void;
}

export const UNPUBLISHED_ALARM_METRICS: AlarmMetrics = {
  graphqlLatency: () => undefined,
  streamIteratorAge: () => undefined,
  collectionFailed: () => undefined,
};

/** The subset of CloudWatch's MetricDatum this service sends. */
export interface AlarmMetricDatum {
  MetricName: string;
  Dimensions: { Name: string; Value: string }[];
  Timestamp: Date;
  Unit: "Milliseconds" | "Count";
  StorageResolution: 60;
  Value?: number;
  Values?: number[];
  Counts?: number[];
  StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
}

const roundForDistribution = (ms: number): number => (ms <= 0 ? 0 : Number(ms.toPrecision(2)));

export class AlarmMetricWindow implements AlarmMetrics {
  private readonly latencies = new Map<number, number>();
  private age: { count: number; sum: number; min: number; max: number } | undefined;
  private failedCollections = 0;

  constructor(readonly startedAt: Date) {}

  graphqlLatency(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const value = roundForDistribution(ms);
    this.latencies.set(value, (this.latencies.get(value) ?? 0) + 1);
  }

  streamIteratorAge(ms: number): void {
    if (!Number.isFinite(ms)) return;
    const value = Math.max(0, ms);
    this.age = this.age
      ? {
          count: this.age.count + 1,
          sum: this.age.sum + value,
          min: Math.min(this.age.min, value),
          max: Math.max(this.age.max, value),
        }
      : { count: 1, sum: value, min: value, max: value };
  }

  collectionFailed(): void {
    this.failedCollections++;
  }

  isEmpty(): boolean {
    return this.latencies.size === 0 && !this.age && this.failedCollections === 0;
  }

  /** The window's data, all stamped with its start; nothing for what was not observed. */
  toMetricData(deployment: string): AlarmMetricDatum[] {
    const base = {
      Dimensions: [{ Name: APP_METRIC_DIMENSION, Value: deployment }],
      Timestamp: this.startedAt,
      StorageResolution: 60 as const,
    };
    const data: AlarmMetricDatum[] = [];
    const latencies = [...this.latencies].sort(([a], [b]) => a - b);
    for (let start = 0; start < latencies.length; start += MAX_VALUES_PER_DATUM) {
      const slice = latencies.slice(start, start + MAX_VALUES_PER_DATUM);
      data.push({
        ...base,
        MetricName: APP_METRICS.graphqlLatencyMs,
        Unit: "Milliseconds",
        Values: slice.map(([value]) => value),
        Counts: slice.map(([, count]) => count),
      });
    }
    if (this.age) {
      data.push({
        ...base,
        MetricName: APP_METRICS.streamIteratorAgeMs,
        Unit: "Milliseconds",
        StatisticValues: {
          SampleCount: this.age.count,
          Sum: this.age.sum,
          Minimum: this.age.min,
          Maximum: this.age.max,
        },
      });
    }
    if (this.failedCollections > 0) {
      data.push({
        ...base,
        MetricName: APP_METRICS.collectionsFailed,
        Unit: "Count",
        Value: this.failedCollections,
      });
    }
    return data;
  }
}
