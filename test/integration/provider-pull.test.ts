/**
 * Provider pulls over the three real adapters (built by the factory from parsed credentials)
 * against the three simulators: failure isolation, whole-pull retries, the per-provider
 * concurrency limit measured at the simulator, cancellation, and the endpoint guard.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ProviderPulls, type PullOutcome } from "../../src/collection/provider-pull.js";
import { addDays, dayOfInstant } from "../../src/domain/dates.js";
import type { ProviderCostLine } from "../../src/domain/cost-record.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import type { CostProviderAdapter } from "../../src/providers/adapter.js";
import {
  maskCredentials,
  parseProviderCredentials,
  type ProviderCredentials,
} from "../../src/providers/credentials.js";
import { InvalidRequestError } from "../../src/providers/errors.js";
import { createProviderAdapter, CUSTOM_ENDPOINTS_DISABLED } from "../../src/providers/factory.js";
import { createBillingDataset, type BillingDataset } from "../../src/sandbox/billing-dataset.js";
import { startAwsSimulator, type AwsSimulator } from "../../src/sandbox/aws/aws-simulator.js";
import { startAzureSimulator, type AzureSimulator } from "../../src/sandbox/azure/azure-simulator.js";
import { startGcpSimulator, type GcpSimulator } from "../../src/sandbox/gcp/gcp-simulator.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import { capturedLogger } from "../support/logs.js";
import { FAST_RETRY } from "../support/fast-retry.js";

const TODAY = dayOfInstant(new Date());
const PERIOD = { start: addDays(TODAY, -6), end: TODAY };
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYMANAGER012";
const AZURE_SECRET = "Zq8~manager.secret-value_0123456789";
const RAW_CREDENTIALS = simulatorCredentials({
  awsAccessKeyId: "AKIAMANAGERTEST00001",
  awsSecretAccessKey: AWS_SECRET,
  gcpPrivateKeyId: "4f1c2d3e4b5a69788796a5b4c3d2e1f0deadbeef",
  azureClientSecret: AZURE_SECRET,
});

const datasets = {} as Record<CloudProvider, BillingDataset>;
let aws: AwsSimulator;
let gcp: GcpSimulator;
let azure: AzureSimulator;

function adapterFor(provider: CloudProvider, endpoint?: string): CostProviderAdapter {
  const simulators = { AWS: aws, GCP: gcp, AZURE: azure };
  return createProviderAdapter({
    provider,
    credentials: parseProviderCredentials(provider, RAW_CREDENTIALS[provider]),
    endpoint: endpoint ?? simulators[provider].endpoint,
    allowCustomEndpoints: true,
    retryPolicy: FAST_RETRY,
    trustedCertificates: [{ origin: azure.endpoint, ca: azure.ca }],
  });
}

const total = (lines: ProviderCostLine[]) => lines.reduce((sum, line) => sum + line.billedCost, 0);
const succeeded = (outcome: PullOutcome | undefined) => {
  if (outcome?.status !== "SUCCEEDED") throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return outcome;
};
const { logger, logs } = capturedLogger();
const running = new AbortController().signal;

beforeAll(async () => {
  for (const [provider, currency] of [
    ["AWS", "USD"],
    ["GCP", "USD"],
    ["AZURE", "EUR"],
  ] as const) {
    datasets[provider] = createBillingDataset({ provider, seed: 5, currency, today: TODAY, accounts: 2 });
  }
  [aws, gcp, azure] = await Promise.all([
    startAwsSimulator({ datasets: datasets.AWS, pageSize: 30 }),
    startGcpSimulator({ datasets: datasets.GCP }),
    startAzureSimulator({ datasets: datasets.AZURE }),
  ]);
});

afterAll(async () => {
  await Promise.all([aws.stop(), gcp.stop(), azure.stop()]);
});

beforeEach(() => {
  for (const simulator of [aws, gcp, azure]) simulator.faults.clear();
});

describe("ProviderPulls", () => {
  it("isolates a provider that is denied access: pulls of the others still succeed", async () => {
    gcp.faults.inject({ kind: "forbidden" });
    const pulls = new ProviderPulls({ retryPolicy: FAST_RETRY });
    const awsBefore = aws.requestCount();
    const providers = ["AWS", "GCP", "AZURE"] as const;
    const outcomes = await Promise.all(
      providers.map((provider) => pulls.pull(adapterFor(provider), PERIOD, running, logger)),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(["SUCCEEDED", "FAILED", "SUCCEEDED"]);
    expect(outcomes[1]).toMatchObject({ attempts: 1, error: { code: "AUTHORIZATION", retryable: false } });
    expect(logs.some((line) => line.includes("provider pull failed") && line.includes("AUTHORIZATION"))).toBe(
      true,
    );
    for (const index of [0, 2]) {
      const outcome = succeeded(outcomes[index]);
      expect(total(outcome.result.lines)).toBeCloseTo(
        datasets[providers[index]!].total(PERIOD.start, PERIOD.end),
        2,
      );
    }
    expect(succeeded(outcomes[0]).apiRequests).toBe(aws.requestCount() - awsBefore);
  });

  it("retries a whole pull whose final error is retryable, counting every request", async () => {
    const clean = await adapterFor("AWS").fetchDailyCosts(PERIOD);
    aws.faults.inject({ kind: "throttle", times: FAST_RETRY.maxAttempts });
    const before = aws.requestCount();
    const outcome = await new ProviderPulls({ retryPolicy: FAST_RETRY }).pull(
      adapterFor("AWS"),
      PERIOD,
      running,
      logger,
    );
    const success = succeeded(outcome);
    expect(success.attempts).toBe(2);
    expect(success.apiRequests).toBe(clean.apiRequests + FAST_RETRY.maxAttempts);
    expect(success.apiRequests).toBe(aws.requestCount() - before);
  });

  it("never runs two pulls against one provider at once, across concurrent jobs", async () => {
    const limited = await startAwsSimulator({ datasets: datasets.AWS, pageSize: 30 });
    const parallel = await startAwsSimulator({ datasets: datasets.AWS, pageSize: 30 });
    try {
      // Slow answers make overlapping pulls visible at the simulator.
      for (const simulator of [limited, parallel])
        simulator.faults.inject({ kind: "slow", delayMs: 40, times: 12 });
      const pullAll = (pulls: ProviderPulls, endpoint: string, count: number) =>
        Promise.all(
          Array.from({ length: count }, () =>
            pulls.pull(adapterFor("AWS", endpoint), PERIOD, running, logger),
          ),
        );
      // One instance serves every job of a process: two jobs of two pulls each share its slot.
      const shared = new ProviderPulls({ retryPolicy: FAST_RETRY });
      const limitedOutcomes = (
        await Promise.all([pullAll(shared, limited.endpoint, 2), pullAll(shared, limited.endpoint, 2)])
      ).flat();
      expect(limitedOutcomes.every((outcome) => outcome.status === "SUCCEEDED")).toBe(true);
      expect(limited.maxConcurrentRequests()).toBe(1);

      const wide = new ProviderPulls({ retryPolicy: FAST_RETRY, concurrencyPerProvider: 3 });
      const parallelOutcomes = await pullAll(wide, parallel.endpoint, 3);
      expect(parallelOutcomes.every((outcome) => outcome.status === "SUCCEEDED")).toBe(true);
      expect(parallel.maxConcurrentRequests()).toBeGreaterThan(1);
    } finally {
      await Promise.all([limited.stop(), parallel.stop()]);
    }
  });

  it("reports a cancelled pull without touching the provider", async () => {
    const before = aws.requestCount();
    const controller = new AbortController();
    controller.abort();
    const outcome = await new ProviderPulls().pull(adapterFor("AWS"), PERIOD, controller.signal, logger);
    expect(outcome).toMatchObject({ status: "FAILED", error: { code: "CANCELLED" }, apiRequests: 0 });
    expect(aws.requestCount()).toBe(before);
  });
});

describe("provider credentials and factory", () => {
  it("parses each cloud's credentials and masks them without secrets", () => {
    const parsed = (["AWS", "GCP", "AZURE"] as const).map((provider) =>
      parseProviderCredentials(provider, RAW_CREDENTIALS[provider]),
    );
    expect(parsed.map((credentials) => credentials.provider)).toEqual(["AWS", "GCP", "AZURE"]);
    const masked = parsed.map(maskCredentials).join("\n");
    expect(masked).toContain("AKIA****0001");
    for (const secret of [
      AWS_SECRET,
      AZURE_SECRET,
      RAW_CREDENTIALS.GCP.serviceAccountKey.private_key.split("\n")[3] ?? "",
    ]) {
      expect(masked).not.toContain(secret);
    }
  });

  it("names the bad field and never echoes a secret", () => {
    const secret = "short-but-secret-value";
    const attempt = () =>
      parseProviderCredentials("AWS", {
        method: "accessKey",
        accessKeyId: "AKIAMANAGERTEST00001",
        secretAccessKey: secret,
      });
    expect(attempt).toThrow(/secretAccessKey/);
    const message = (() => {
      try {
        attempt();
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message).toMatch(/^invalid AWS credentials: secretAccessKey: /);
    expect(message).not.toContain(secret);
    expect(() => parseProviderCredentials("ORACLE", {})).toThrow(/provider: must be AWS, GCP or AZURE/);
    expect(() => parseProviderCredentials("AZURE", "not an object")).toThrow(
      /credentials: must be an object/,
    );
  });

  it("refuses a custom endpoint unless custom endpoints are allowed", () => {
    const credentials: ProviderCredentials = parseProviderCredentials("AWS", RAW_CREDENTIALS.AWS);
    const build = (endpoint: string, allowCustomEndpoints: boolean) => () =>
      createProviderAdapter({ provider: "AWS", credentials, endpoint, allowCustomEndpoints });
    expect(build("http://169.254.169.254", false)).toThrow(InvalidRequestError);
    expect(build("http://169.254.169.254", false)).toThrow(CUSTOM_ENDPOINTS_DISABLED);
    expect(build("file:///etc/passwd", true)).toThrow(/endpoint: must be an absolute http\(s\) URL/);
    expect(build("http://127.0.0.1:4566", true)().provider).toBe("AWS");
    expect(
      createProviderAdapter({ provider: "AWS", credentials, allowCustomEndpoints: false }).provider,
    ).toBe("AWS");
    expect(() =>
      createProviderAdapter({ provider: "GCP", credentials, allowCustomEndpoints: false }),
    ).toThrow(/credentials\.provider/);
  });
});
