/**
 * The service as deployed in AWS, against simulators of the two AWS services it calls for itself:
 * provider credentials sealed with a KMS key (by alias) and the alarm metrics published to
 * CloudWatch under the names the stack's alarms read. Real HTTP, real DynamoDB Local and Streams.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { startDemoClouds, type DemoClouds } from "../../src/sandbox/demo-tenant.js";
import { startKmsSimulator, type KmsSimulator } from "../../src/sandbox/aws/kms-simulator.js";
import {
  startCloudWatchSimulator,
  type CloudWatchSimulator,
  type ReceivedDatum,
} from "../../src/sandbox/aws/cloudwatch-simulator.js";
import {
  APP_METRIC_DIMENSION,
  APP_METRIC_NAMESPACE,
  APP_METRICS,
  deploymentName,
} from "../../src/observability/app-metrics.js";
import type { SecretEnvelope } from "../../src/security/secret-box.js";
import { addDays } from "../../src/domain/dates.js";
import { OverviewDocument } from "./generated/graphql.js";
import {
  collect,
  connectedClient,
  distinctiveProviderInputs,
  type FinishedJob,
} from "./collections-fixture.js";

const CLIENT = "kms-tenant";
const ALIAS = "cost-analytics-credentials";
const SERVICE_CREDENTIALS = {
  accessKeyId: "AKIASERVICEROLE00001",
  secretAccessKey: "serviceRoleSecretNeverInAnyOutput0000000",
};

let clouds: DemoClouds;
let kms: KmsSimulator;
let cloudwatch: CloudWatchSimulator;
let server: TestServer;
let editor: string;
let viewer: string;
let graphqlOperations = 0;
let published: ReceivedDatum[] = [];
let failedJob: FinishedJob;
let succeededJob: FinishedJob;

beforeAll(async () => {
  clouds = await startDemoClouds({ size: { services: 3, accounts: 1, regions: 1 } });
  kms = await startKmsSimulator({ accessKeyIds: [SERVICE_CREDENTIALS.accessKeyId], aliases: [ALIAS] });
  cloudwatch = await startCloudWatchSimulator({ accessKeyIds: [SERVICE_CREDENTIALS.accessKeyId] });
  server = await startTestServer({
    streamConsumer: true,
    awsCredentials: SERVICE_CREDENTIALS,
    env: {
      // KMS only: no local key to fall back on.
      CREDENTIALS_ENCRYPTION_KEY: undefined,
      CREDENTIALS_KMS_KEY_ID: `alias/${ALIAS}`,
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      CLOUDWATCH_METRICS: "on",
      // Nothing is sent before stop(), which sends the last window: every count below is exact.
      CLOUDWATCH_METRICS_INTERVAL_SECONDS: "3600",
      AWS_ENDPOINT_URL_CLOUDWATCH: cloudwatch.endpoint,
      ALLOW_CUSTOM_PROVIDER_ENDPOINTS: "1",
    },
  });
  const call: typeof server.graphql = async (query, variables, token) => {
    graphqlOperations++;
    return server.graphql(query, variables, token);
  };
  const admin = await server.token({ roles: ["admin"] });
  editor = await server.token({ roles: ["editor"], clientIds: [CLIENT] });
  viewer = await server.token({ roles: ["viewer"], clientIds: [CLIENT] });
  const { inputs } = distinctiveProviderInputs(clouds);
  await connectedClient(call, admin, CLIENT, inputs, ["AWS"]);

  const today = clouds.datasets.AWS.today;
  const period = { start: addDays(today, -3), end: today };
  succeededJob = await collect(call, editor, { clientId: CLIENT, period });
  const overview = await call(OverviewDocument, { clientId: CLIENT, period }, viewer);
  expect(overview.body.errors).toBeUndefined();

  kms.setKeyDisabled(kms.keyArns[ALIAS]!, true);
  try {
    failedJob = await collect(call, editor, { clientId: CLIENT, period });
  } finally {
    kms.setKeyDisabled(kms.keyArns[ALIAS]!, false);
  }
  await server.stop();
  published = cloudwatch.received();
}, 180_000);

afterAll(async () => {
  await Promise.all([clouds?.stop(), kms?.stop(), cloudwatch?.stop()]);
});

describe("provider credentials under KMS", () => {
  it("stores the connection's secret sealed by the KMS key the alias names, with one GenerateDataKey", async () => {
    const envelope = await server.stores.connections.getSecretEnvelope(CLIENT, "AWS");
    expect((JSON.parse(envelope!) as SecretEnvelope).keyId).toBe(kms.keyArns[ALIAS]);
    expect(kms.requestCount("GenerateDataKey")).toBe(1);
  });

  it("decrypts it through KMS to collect", () => {
    expect(succeededJob.status).toBe("SUCCEEDED");
    expect(succeededJob.providers[0]).toMatchObject({ provider: "AWS", status: "SUCCEEDED" });
    expect(kms.requestCount("Decrypt")).toBeGreaterThanOrEqual(1);
  });

  it("fails a collection whose key is disabled with an error that says so and is not worth retrying", () => {
    expect(failedJob.status).toBe("FAILED");
    expect(failedJob.providers[0]).toMatchObject({
      provider: "AWS",
      status: "FAILED",
      recordsWritten: 0,
      apiRequests: 0,
      error: {
        code: "CREDENTIALS_KEY_UNAVAILABLE",
        message:
          "the AWS credentials could not be decrypted: KMS Decrypt failed: DisabledException (HTTP 400)",
        retryable: false,
      },
    });
  });

  it("never lets the service's own AWS secret into a log line", () => {
    expect(server.logs.join("\n")).not.toContain(SERVICE_CREDENTIALS.secretAccessKey);
  });
});

describe("alarm metrics in CloudWatch", () => {
  const named = (name: string) => published.filter((datum) => datum.metricName === name);

  it("arrive under the namespace and Deployment dimension the stack's alarms read", () => {
    expect(published.length).toBeGreaterThanOrEqual(3);
    for (const datum of published) {
      expect(datum.namespace).toBe(APP_METRIC_NAMESPACE);
      expect(datum.dimensions).toEqual({ [APP_METRIC_DIMENSION]: deploymentName(server.store.prefix) });
    }
  });

  it("count every GraphQL operation once in the latency distribution", () => {
    const observations = named(APP_METRICS.graphqlLatencyMs)
      .flatMap((datum) => datum.samples ?? [])
      .reduce((sum, sample) => sum + sample.count, 0);
    expect(observations).toBe(graphqlOperations);
  });

  it("count the one failed collection", () => {
    const failed = named(APP_METRICS.collectionsFailed).flatMap((datum) => datum.samples ?? []);
    expect(failed.reduce((sum, sample) => sum + sample.value * sample.count, 0)).toBe(1);
  });

  it("carry the stream consumer's iterator age from the records the collections wrote", () => {
    const ages = named(APP_METRICS.streamIteratorAgeMs).map((datum) => datum.statistics!);
    expect(ages.length).toBeGreaterThan(0);
    expect(ages.reduce((sum, age) => sum + age.sampleCount, 0)).toBeGreaterThan(0);
    for (const age of ages) {
      expect(age.maximum).toBeGreaterThanOrEqual(age.minimum);
      expect(age.maximum).toBeLessThan(10 * 60_000);
    }
  });

  it("go out in one PutMetricData call at shutdown", () => {
    expect(cloudwatch.requestCount("PutMetricData")).toBe(1);
  });
});
