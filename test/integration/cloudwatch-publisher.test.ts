/**
 * The alarm-metric publisher: @aws-sdk/client-cloudwatch against the CloudWatch simulator over
 * loopback. Windows are closed by explicit flushes (the interval timer is not started), so every
 * count is exact.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Registry } from "prom-client";
import {
  CloudWatchMetricsPublisher,
  createCloudWatchClient,
} from "../../src/observability/cloudwatch-publisher.js";
import {
  APP_METRIC_DIMENSION,
  APP_METRIC_NAMESPACE,
  APP_METRICS,
} from "../../src/observability/app-metrics.js";
import {
  startCloudWatchSimulator,
  type CloudWatchSimulator,
  type ReceivedDatum,
} from "../../src/sandbox/aws/cloudwatch-simulator.js";
import { capturedLogger } from "../support/logs.js";

const CALLER = {
  accessKeyId: "AKIAMETRICS000000001",
  secretAccessKey: "metricsCallerSecretNeverLogged000000000",
};
const DEPLOYMENT = "test-cost-analytics";

let cloudwatch: CloudWatchSimulator;
let seen = 0;

/** What the simulator accepted since the last call. */
function newlyReceived(): ReceivedDatum[] {
  const all = cloudwatch.received();
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh;
}

function startPublisher(
  options: { credentials?: typeof CALLER; deployment?: string; maxQueuedWindows?: number } = {},
) {
  const { logger, logs } = capturedLogger();
  const registry = new Registry();
  let clock = Date.now() - 10 * 60_000;
  const publisher = new CloudWatchMetricsPublisher({
    cloudWatch: createCloudWatchClient({
      region: "us-east-1",
      endpoint: cloudwatch.endpoint,
      credentials: options.credentials ?? CALLER,
    }),
    deployment: options.deployment ?? DEPLOYMENT,
    intervalMs: 60_000,
    logger,
    registry,
    ...(options.maxQueuedWindows ? { maxQueuedWindows: options.maxQueuedWindows } : {}),
    // Each window starts a minute after the previous one, so timestamps tell windows apart.
    now: () => new Date((clock += 60_000)),
  });
  const counter = async (name: string, labels: Record<string, string>) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
    return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value ?? 0;
  };
  return { publisher, logs, counter };
}

beforeAll(async () => {
  cloudwatch = await startCloudWatchSimulator({ accessKeyIds: [CALLER.accessKeyId] });
});

afterAll(async () => {
  await cloudwatch?.stop();
});

beforeEach(() => {
  cloudwatch.faults.clear();
  newlyReceived();
});

describe("CloudWatchMetricsPublisher", () => {
  it("publishes one window of the three alarm metrics under the stack's namespace, names and dimension", async () => {
    const { publisher } = startPublisher();
    for (const ms of [10, 12, 11.9, 250]) publisher.graphqlLatency(ms);
    publisher.streamIteratorAge(900);
    publisher.streamIteratorAge(3_100);
    publisher.collectionFailed();
    const requests = cloudwatch.requestCount("PutMetricData");
    await publisher.flush();
    expect(cloudwatch.requestCount("PutMetricData") - requests).toBe(1);

    const data = newlyReceived();
    expect(new Set(data.map((d) => d.namespace))).toEqual(new Set([APP_METRIC_NAMESPACE]));
    for (const datum of data) expect(datum.dimensions).toEqual({ [APP_METRIC_DIMENSION]: DEPLOYMENT });
    const byName = Object.fromEntries(data.map((d) => [d.metricName, d]));
    expect(byName[APP_METRICS.graphqlLatencyMs]).toMatchObject({
      unit: "Milliseconds",
      samples: [
        { value: 10, count: 1 },
        { value: 12, count: 2 },
        { value: 250, count: 1 },
      ],
    });
    expect(byName[APP_METRICS.streamIteratorAgeMs]?.statistics).toEqual({
      sampleCount: 2,
      sum: 4_000,
      minimum: 900,
      maximum: 3_100,
    });
    expect(byName[APP_METRICS.collectionsFailed]).toMatchObject({
      unit: "Count",
      samples: [{ value: 1, count: 1 }],
    });

    await publisher.flush();
    expect(cloudwatch.requestCount("PutMetricData") - requests).toBe(1);
    await publisher.stop();
  });

  it("sends nothing for a quiet window", async () => {
    const { publisher } = startPublisher();
    const requests = cloudwatch.requestCount("PutMetricData");
    await publisher.flush();
    await publisher.stop();
    expect(cloudwatch.requestCount("PutMetricData")).toBe(requests);
  });

  it("sends a busy window's distribution gzip-compressed, as the SDK does for large bodies, losing no observation", async () => {
    const { publisher } = startPublisher();
    const observations = 3_000;
    for (let i = 0; i < observations; i++) publisher.graphqlLatency(0.000_001 * 1.01 ** i);
    const compressed = cloudwatch.compressedRequests();
    await publisher.stop();
    const data = newlyReceived();
    expect(data.length).toBeGreaterThan(1);
    expect(data.flatMap((d) => d.samples ?? []).reduce((sum, s) => sum + s.count, 0)).toBe(observations);
    expect(cloudwatch.compressedRequests() - compressed).toBe(1);
  });

  it("rides out throttling with the SDK's retries", async () => {
    const { publisher, counter } = startPublisher();
    publisher.collectionFailed();
    cloudwatch.faults.inject({ kind: "throttle", times: 2 });
    const requests = cloudwatch.requestCount("PutMetricData");
    await publisher.flush();
    expect(cloudwatch.requestCount("PutMetricData") - requests).toBe(3);
    expect(newlyReceived()).toHaveLength(1);
    expect(await counter("cloudwatch_put_metric_data_requests_total", { outcome: "ok" })).toBe(1);
    await publisher.stop();
  });

  it("keeps windows through an outage and sends them, each with its own timestamp, when CloudWatch is back", async () => {
    const { publisher, logs, counter } = startPublisher();
    cloudwatch.faults.inject({ kind: "server-error", times: 6 });
    publisher.collectionFailed();
    await publisher.flush();
    publisher.collectionFailed();
    publisher.collectionFailed();
    await publisher.flush();
    expect(newlyReceived()).toEqual([]);
    expect(await counter("cloudwatch_put_metric_data_requests_total", { outcome: "error" })).toBe(2);
    expect(logs.filter((line) => line.includes("kept for the next flush"))).toHaveLength(2);
    expect(logs.join("\n")).toContain("InternalServiceFault (HTTP 500)");

    await publisher.flush();
    const data = newlyReceived();
    expect(data.map((d) => d.samples?.[0]?.value)).toEqual([1, 2]);
    const [first, second] = data.map((d) => d.timestamp.getTime());
    expect(second! - first!).toBe(60_000);
    expect(await counter("cloudwatch_metric_windows_dropped_total", { reason: "backlog" })).toBe(0);
    await publisher.stop();
  });

  it("drops the oldest windows past the backlog limit, counting and logging them", async () => {
    const { publisher, logs, counter } = startPublisher({ maxQueuedWindows: 2 });
    cloudwatch.faults.inject({ kind: "server-error", times: 12 });
    for (let window = 1; window <= 4; window++) {
      for (let i = 0; i < window; i++) publisher.collectionFailed();
      await publisher.flush();
    }
    expect(await counter("cloudwatch_metric_windows_dropped_total", { reason: "backlog" })).toBe(2);
    expect(
      logs.filter((line) => line.includes("CloudWatch has not accepted them for too long")),
    ).toHaveLength(2);
    await publisher.stop();
    expect(newlyReceived().map((d) => d.samples?.[0]?.value)).toEqual([3, 4]);
  });

  it("keeps data while its credentials are refused, and never logs them", async () => {
    const stranger = {
      accessKeyId: "AKIASTRANGER00000002",
      secretAccessKey: "strangerMetricsSecretNeverLogged00000000",
    };
    const { publisher, logs } = startPublisher({ credentials: stranger });
    publisher.collectionFailed();
    await publisher.stop();
    expect(newlyReceived()).toEqual([]);
    const text = logs.join("\n");
    expect(text).toContain("InvalidClientTokenId (HTTP 403)");
    expect(text).toContain("alarm metrics not published before shutdown");
    expect(text).not.toContain(stranger.secretAccessKey);
    expect(text).not.toContain(stranger.accessKeyId);
  });

  it("drops data CloudWatch rejects as invalid instead of sending it forever", async () => {
    const { publisher, logs, counter } = startPublisher({ deployment: "x".repeat(1025) });
    publisher.collectionFailed();
    await publisher.flush();
    expect(await counter("cloudwatch_metric_windows_dropped_total", { reason: "rejected" })).toBe(1);
    expect(logs.join("\n")).toContain("InvalidParameterValueException (HTTP 400)");
    const requests = cloudwatch.requestCount("PutMetricData");
    await publisher.stop();
    expect(cloudwatch.requestCount("PutMetricData")).toBe(requests);
  });
});
