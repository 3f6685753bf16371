/**
 * Publishes the alarm metrics (app-metrics.ts) to CloudWatch with PutMetricData: one window per
 * interval, sent when it closes. A window that cannot be sent (throttling, outage, expired
 * credentials) stays queued, keeps its own timestamp and goes out with the next flush, so an outage
 * delays data instead of losing it; past `maxQueuedWindows` the oldest are dropped, counted and
 * logged. Data CloudWatch rejects as invalid is dropped the same way (sending it again cannot help).
 * stop() sends what is left.
 */
import {
  CloudWatchClient,
  CloudWatchServiceException,
  PutMetricDataCommand,
  type CloudWatchClientConfig,
} from "@aws-sdk/client-cloudwatch";
import { Counter, type Registry } from "prom-client";
import { APP_METRIC_NAMESPACE } from "./app-metrics.js";
import { AlarmMetricWindow, type AlarmMetricDatum, type AlarmMetrics } from "./alarm-metric-window.js";
import { awsErrorSummary } from "../shared/aws-error-summary.js";
import type { Logger } from "./logger.js";

/** PutMetricData takes at most 1,000 data and 1 MB per call; half the size leaves room for encoding. */
const MAX_DATA_PER_CALL = 1000;
const MAX_CALL_BYTES = 512 * 1024;

/** Answers that mean the data itself is wrong: re-sending it would be refused again. */
const REJECTED_DATA = new Set([
  "InvalidParameterValueException",
  "InvalidParameterCombinationException",
  "MissingRequiredParameterException",
]);

export interface CloudWatchClientOptions {
  region: string;
  /** A CloudWatch-compatible endpoint (a VPC endpoint, or a simulator in tests). */
  endpoint?: string;
  /** Default: the SDK's credential chain (the task role in AWS). */
  credentials?: CloudWatchClientConfig["credentials"];
}

export function createCloudWatchClient(options: CloudWatchClientOptions): CloudWatchClient {
  return new CloudWatchClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestHandler: { requestTimeout: 10_000 },
  });
}

export interface CloudWatchPublisherOptions {
  cloudWatch: CloudWatchClient;
  /** The Deployment dimension's value (deploymentName(tablePrefix)). */
  deployment: string;
  intervalMs: number;
  logger: Logger;
  /** Its own counters are registered here, next to the service's other series. */
  registry: Registry;
  /** Windows kept while CloudWatch cannot be reached (default 60: an hour at the default interval). */
  maxQueuedWindows?: number;
  now?: () => Date;
}

interface QueuedWindow {
  startedAt: Date;
  data: AlarmMetricDatum[];
}

export class CloudWatchMetricsPublisher implements AlarmMetrics {
  private window: AlarmMetricWindow;
  private queue: QueuedWindow[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly now: () => Date;
  private readonly maxQueuedWindows: number;
  private readonly requests: Counter<"outcome">;
  private readonly droppedWindows: Counter<"reason">;

  constructor(private readonly options: CloudWatchPublisherOptions) {
    this.now = options.now ?? (() => new Date());
    this.maxQueuedWindows = options.maxQueuedWindows ?? 60;
    this.window = new AlarmMetricWindow(this.now());
    this.requests = new Counter({
      name: "cloudwatch_put_metric_data_requests_total",
      help: "PutMetricData calls for the alarm metrics, by outcome (ok, error).",
      labelNames: ["outcome"] as const,
      registers: [options.registry],
    });
    this.droppedWindows = new Counter({
      name: "cloudwatch_metric_windows_dropped_total",
      help: "Alarm-metric windows given up: backlog (CloudWatch unreachable too long) or rejected (invalid data).",
      labelNames: ["reason"] as const,
      registers: [options.registry],
    });
  }

  graphqlLatency(ms: number): void {
    this.window.graphqlLatency(ms);
  }

  streamIteratorAge(ms: number): void {
    this.window.streamIteratorAge(ms);
  }

  collectionFailed(): void {
    this.window.collectionFailed();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.options.intervalMs);
    this.timer.unref();
  }

  /** Closes the current window and sends every queued one; one flush at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.sendQueued().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  /** Stops the timer and sends what is left (a failure stays logged; nothing is retried after this). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flushing;
    await this.flush();
    if (this.queue.length > 0) {
      this.options.logger.warn({ windows: this.queue.length }, "alarm metrics not published before shutdown");
    }
    this.options.cloudWatch.destroy();
  }

  private closeWindow(): void {
    const closed = this.window;
    this.window = new AlarmMetricWindow(this.now());
    if (!closed.isEmpty()) {
      this.queue.push({ startedAt: closed.startedAt, data: closed.toMetricData(this.options.deployment) });
    }
    const excess = this.queue.length - this.maxQueuedWindows;
    if (excess > 0) {
      this.queue.splice(0, excess);
      this.droppedWindows.inc({ reason: "backlog" }, excess);
      this.options.logger.warn(
        { dropped: excess, kept: this.queue.length },
        "alarm metrics dropped: CloudWatch has not accepted them for too long",
      );
    }
  }

  private async sendQueued(): Promise<void> {
    this.closeWindow();
    while (this.queue.length > 0) {
      const batch = this.nextBatch();
      try {
        await this.options.cloudWatch.send(
          new PutMetricDataCommand({
            Namespace: APP_METRIC_NAMESPACE,
            MetricData: batch.flatMap((window) => window.data),
          }),
        );
        this.requests.inc({ outcome: "ok" });
      } catch (error) {
        this.requests.inc({ outcome: "error" });
        const reason = awsErrorSummary(error);
        if (!(error instanceof CloudWatchServiceException && REJECTED_DATA.has(error.name))) {
          this.options.logger.warn(
            { error: reason, queued: this.queue.length },
            "alarm metrics not published; kept for the next flush",
          );
          return;
        }
        this.droppedWindows.inc({ reason: "rejected" }, batch.length);
        this.options.logger.error(
          { error: reason, dropped: batch.length },
          "CloudWatch rejected alarm metrics as invalid",
        );
      }
      this.queue.splice(0, batch.length);
    }
  }

  /** The oldest windows that fit in one call (always at least one). */
  private nextBatch(): QueuedWindow[] {
    const batch: QueuedWindow[] = [];
    let data = 0;
    let bytes = 0;
    for (const window of this.queue) {
      const size = Buffer.byteLength(JSON.stringify(window.data));
      if (
        batch.length > 0 &&
        (data + window.data.length > MAX_DATA_PER_CALL || bytes + size > MAX_CALL_BYTES)
      )
        break;
      batch.push(window);
      data += window.data.length;
      bytes += size;
    }
    return batch;
  }
}
