import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CostExplorerClient, GetCostAndUsageCommand } from "@aws-sdk/client-cost-explorer";
import { AwsCostExplorerAdapter, type AwsAdapterOptions } from "../../src/providers/aws/aws-adapter.js";
import { parseAwsCredentials, type AwsCredentials } from "../../src/providers/aws/aws-credentials.js";
import {
  AuthenticationError,
  AuthorizationError,
  DataUnavailableError,
  InvalidRequestError,
  RateLimitError,
  type ProviderError,
} from "../../src/providers/errors.js";
import type { ProviderCostLine } from "../../src/domain/cost-record.js";
import { daysInRange } from "../../src/domain/dates.js";
import { createLogger } from "../../src/observability/logger.js";
import { createBillingDataset, type BillingDataset } from "../../src/sandbox/billing-dataset.js";
import { startAwsSimulator, type AwsSimulator } from "../../src/sandbox/aws/aws-simulator.js";
import { FAST_RETRY } from "../support/fast-retry.js";
import { quarantineIssue, recordsOf, withExtraRows } from "../support/odd-rows.js";

const KEY: AwsCredentials = {
  method: "accessKey",
  accessKeyId: "AKIAIOSFODNN7SIMTEST",
  secretAccessKey: "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",
};
const ROLE_ARN = "arn:aws:iam::111122223333:role/cost-reader";
const EXTERNAL_ID = "tenant-7f3c-external-id";
const ROLE: AwsCredentials = { method: "assumeRole", roleArn: ROLE_ARN, externalId: EXTERNAL_ID };
const SOURCE = {
  accessKeyId: "AKIASOURCEIDENTITY01",
  secretAccessKey: "SourceSecretKeyThatMustNeverLeak00000000",
};
const TODAY = "2026-11-20";
const PERIOD = { start: "2026-09-01", end: TODAY };

let dataset: BillingDataset;
let simulator: AwsSimulator;

const adapter = (overrides: Partial<AwsAdapterOptions> = {}) =>
  new AwsCostExplorerAdapter({
    credentials: KEY,
    endpoint: simulator.endpoint,
    retryPolicy: FAST_RETRY,
    sourceCredentials: SOURCE,
    ...overrides,
  });

/** Runs a fetch and returns what it threw, with the Cost Explorer requests the simulator saw. */
async function failure(run: () => Promise<unknown>): Promise<{ error: ProviderError; requests: number }> {
  const before = simulator.requestCount("GetCostAndUsage");
  const error = await run().then(
    () => expect.unreachable("expected a failure"),
    (caught: unknown) => caught as ProviderError,
  );
  return { error, requests: simulator.requestCount("GetCostAndUsage") - before };
}

const sumByCurrency = (lines: ProviderCostLine[]) =>
  lines.reduce<Record<string, number>>((sums, line) => {
    sums[line.billingCurrency] = (sums[line.billingCurrency] ?? 0) + line.billedCost;
    return sums;
  }, {});

beforeAll(async () => {
  dataset = createBillingDataset({ provider: "AWS", seed: 11, currency: "USD", today: TODAY, regions: 3 });
  simulator = await startAwsSimulator({
    datasets: { [KEY.accessKeyId]: dataset, [ROLE_ARN]: dataset },
    pageSize: 40,
    externalIds: { [ROLE_ARN]: EXTERNAL_ID },
  });
});

afterAll(async () => {
  await simulator.stop();
});

beforeEach(() => simulator.faults.clear());

describe("AwsCostExplorerAdapter against the Cost Explorer simulator", () => {
  it("fetches a period over several pages, counting every request, and reconciles to the cent", async () => {
    const before = simulator.requestCount("GetCostAndUsage");
    const result = await adapter().fetchDailyCosts(PERIOD);
    const spent = simulator.requestCount("GetCostAndUsage") - before;

    expect(result.apiRequests).toBe(spent);
    expect(result.sourceApi).toBe("aws:ce:GetCostAndUsage");
    expect(result.daysCovered).toEqual(daysInRange(PERIOD.start, PERIOD.end));
    expect(Object.keys(sumByCurrency(result.lines))).toEqual(["USD"]);
    expect(sumByCurrency(result.lines).USD).toBeCloseTo(dataset.total(PERIOD.start, PERIOD.end), 2);
    for (const day of ["2026-09-01", "2026-10-15", "2026-11-20"]) {
      const dayTotal = result.lines
        .filter((line) => line.date === day)
        .reduce((sum, l) => sum + l.billedCost, 0);
      expect(dayTotal).toBeCloseTo(dataset.total(day, day), 2);
    }

    // Pages of 40 groups: a big simulator page answers the same lines with fewer requests.
    const wide = await startAwsSimulator({ datasets: dataset, pageSize: 100_000 });
    try {
      const unpaged = await adapter({ endpoint: wide.endpoint }).fetchDailyCosts(PERIOD);
      expect(unpaged.apiRequests).toBe(wide.requestCount());
      expect(result.apiRequests).toBeGreaterThan(unpaged.apiRequests);
      const key = (l: ProviderCostLine) =>
        `${l.date}|${l.serviceName}|${l.accountId}|${l.region}|${l.chargeCategory}|${l.billedCost}`;
      expect(result.lines.map(key).sort()).toEqual(unpaged.lines.map(key).sort());
    } finally {
      await wide.stop();
    }
  });

  it("keeps credits, refunds, taxes and purchases as their own charge categories", async () => {
    const { lines } = await adapter().fetchDailyCosts({ start: "2026-10-01", end: "2026-10-31" });
    const categories = new Set(lines.map((line) => line.chargeCategory));
    expect(categories).toEqual(new Set(["Usage", "Credit", "Tax", "Purchase", "Adjustment"]));
    expect(lines.filter((l) => l.chargeCategory === "Credit").every((l) => l.billedCost < 0)).toBe(true);
    expect(lines.filter((l) => l.chargeCategory === "Adjustment").every((l) => l.billedCost < 0)).toBe(true);
    const taxes = lines.filter((line) => line.chargeCategory === "Tax");
    expect(taxes.every((line) => line.date === "2026-10-01" && line.region === "")).toBe(true);
    expect(taxes.every((line) => /^\d{12}$/.test(line.accountId) && line.accountName !== undefined)).toBe(
      true,
    );
    expect(lines.some((line) => line.billedCost > 0 && line.billedCost < 0.00001)).toBe(true);
  });

  it("marks current-month days estimated and reports no days after the provider's today", async () => {
    const result = await adapter().fetchDailyCosts({ start: "2026-10-30", end: "2026-11-30" });
    expect(result.daysCovered).toEqual(daysInRange("2026-10-30", TODAY));
    expect(result.lines.filter((l) => l.date < "2026-11-01").every((l) => !l.estimated)).toBe(true);
    expect(result.lines.filter((l) => l.date >= "2026-11-01").every((l) => l.estimated)).toBe(true);
  });

  it("retries throttling, server errors, dropped connections and timeouts, counting each attempt", async () => {
    const small = { start: "2026-11-02", end: "2026-11-03" };
    const clean = await adapter().fetchDailyCosts(small);
    const cases = [
      { kind: "throttle", times: 2 },
      { kind: "server-error", times: 2 },
      { kind: "drop", times: 1 },
      { kind: "slow", times: 1, delayMs: 1_500 },
    ] as const;
    for (const fault of cases) {
      simulator.faults.inject(fault);
      const before = simulator.requestCount("GetCostAndUsage");
      const result = await adapter({ requestTimeoutMs: 300 }).fetchDailyCosts(small);
      expect(result.apiRequests, fault.kind).toBe(clean.apiRequests + fault.times);
      expect(result.apiRequests, fault.kind).toBe(simulator.requestCount("GetCostAndUsage") - before);
      expect(sumByCurrency(result.lines).USD, fault.kind).toBeCloseTo(
        dataset.total(small.start, small.end),
        2,
      );
    }
  });

  it("gives up on throttling after the policy's attempts with a RateLimitError", async () => {
    simulator.faults.inject({ kind: "throttle", times: 10 });
    const { error, requests } = await failure(() =>
      adapter().fetchDailyCosts({ start: "2026-11-02", end: "2026-11-03" }),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.message).toMatch(/LimitExceededException/);
    expect(requests).toBe(FAST_RETRY.maxAttempts);
    expect(error.apiRequests).toBe(requests);
  });

  it("fails at once on expired credentials, access denied, unknown keys and too-old data", async () => {
    simulator.faults.inject({ kind: "auth" });
    const expired = await failure(() => adapter().fetchDailyCosts(PERIOD));
    expect(expired.error).toBeInstanceOf(AuthenticationError);
    expect(expired.requests).toBe(1);

    simulator.faults.inject({ kind: "forbidden" });
    const denied = await failure(() => adapter().fetchDailyCosts(PERIOD));
    expect(denied.error).toBeInstanceOf(AuthorizationError);
    expect(denied.requests).toBe(1);

    const stranger = { ...KEY, accessKeyId: "AKIAUNKNOWNCALLER000" } as AwsCredentials;
    const unknown = await failure(() => adapter({ credentials: stranger }).fetchDailyCosts(PERIOD));
    expect(unknown.error).toBeInstanceOf(AuthenticationError);
    expect(unknown.requests).toBe(1);

    const old = await failure(() => adapter().fetchDailyCosts({ start: "2025-09-30", end: "2025-10-02" }));
    expect(old.error).toBeInstanceOf(DataUnavailableError);
    expect(old.requests).toBe(1);
  });

  it("rejects an impossible period before any request, naming the field", async () => {
    const reversed = await failure(() =>
      adapter().fetchDailyCosts({ start: "2026-11-05", end: "2026-11-01" }),
    );
    expect(reversed.error).toBeInstanceOf(InvalidRequestError);
    expect(reversed.error.message).toMatch(/period\.end/);
    const impossible = await failure(() =>
      adapter().fetchDailyCosts({ start: "2026-02-30", end: "2026-03-01" }),
    );
    expect(impossible.error.message).toMatch(/period\.start/);
    expect(reversed.requests + impossible.requests).toBe(0);
  });

  it("assumes a role through STS with the external id, and refuses a wrong external id", async () => {
    const result = await adapter({ credentials: ROLE }).fetchDailyCosts({
      start: "2026-11-02",
      end: "2026-11-02",
    });
    expect(sumByCurrency(result.lines).USD).toBeCloseTo(dataset.total("2026-11-02", "2026-11-02"), 2);
    expect(simulator.requestCount("AssumeRole")).toBeGreaterThanOrEqual(1);

    const wrong = { ...ROLE, externalId: "someone-elses-external-id" } as AwsCredentials;
    const refused = await failure(() => adapter({ credentials: wrong }).fetchDailyCosts(PERIOD));
    expect(refused.error).toBeInstanceOf(AuthorizationError);
    expect(refused.error.message).toMatch(/STS AssumeRole/);
    expect(refused.error.message).not.toContain("someone-elses-external-id");
    expect(refused.requests).toBe(0);
  });

  it("reports health with one request, and unhealthy on access denied", async () => {
    const healthy = await adapter().healthCheck();
    expect(healthy).toMatchObject({ healthy: true, apiRequests: 1 });
    expect(healthy.message).toContain("AKIA****TEST");
    simulator.faults.inject({ kind: "forbidden" });
    const denied = await adapter().healthCheck();
    expect(denied.healthy).toBe(false);
    expect(denied.message).toMatch(/AccessDenied/);
  });

  it("never puts a secret in an error message or a log line", async () => {
    const logged: string[] = [];
    const logger = createLogger({
      level: "debug",
      destination: { write: (line: string) => logged.push(line) },
    });
    const temporary = {
      ...KEY,
      accessKeyId: "ASIAIOSFODNN7SIMTEST",
      sessionToken: "FwoGZXIvYXdzEBsessiontokenSECRET",
    } as AwsCredentials;
    const messages: string[] = [];
    simulator.faults.inject({ kind: "throttle", times: 2 });
    await adapter({ logger }).fetchDailyCosts({ start: "2026-11-02", end: "2026-11-02" });
    for (const kind of ["auth", "forbidden", "server-error"] as const) {
      simulator.faults.inject({ kind, times: 10 });
      messages.push((await failure(() => adapter({ logger }).fetchDailyCosts(PERIOD))).error.message);
      simulator.faults.clear();
    }
    messages.push(
      (await failure(() => adapter({ logger, credentials: temporary }).fetchDailyCosts(PERIOD))).error
        .message,
    );
    const wrongRole = { ...ROLE, externalId: "another-secret-external-id" } as AwsCredentials;
    messages.push(
      (await failure(() => adapter({ logger, credentials: wrongRole }).fetchDailyCosts(PERIOD))).error
        .message,
    );

    expect(logged.length).toBeGreaterThan(5);
    const text = [...messages, ...logged].join("\n");
    for (const secret of [
      KEY.method === "accessKey" ? KEY.secretAccessKey : "",
      "FwoGZXIvYXdzEBsessiontokenSECRET",
      EXTERNAL_ID,
      "another-secret-external-id",
      SOURCE.secretAccessKey,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("AWS credentials", () => {
  it("rejects bad fields by name without echoing the secret", () => {
    const secret = "not-forty-characters-but-still-secret";
    expect(() =>
      parseAwsCredentials({ method: "accessKey", accessKeyId: "AKIA123", secretAccessKey: secret }),
    ).toThrow(/accessKeyId: .*secretAccessKey: /);
    try {
      parseAwsCredentials({ method: "accessKey", accessKeyId: "AKIA123", secretAccessKey: secret });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
    expect(() =>
      parseAwsCredentials({ method: "assumeRole", roleArn: "arn:aws:iam::12:role/x", externalId: "ok-id" }),
    ).toThrow(/roleArn/);
    expect(() => parseAwsCredentials({ method: "password" })).toThrow(
      /method: must be "accessKey" or "assumeRole"/,
    );
    expect(parseAwsCredentials({ method: "assumeRole", roleArn: ROLE_ARN, externalId: EXTERNAL_ID })).toEqual(
      ROLE,
    );
  });
});

describe("Cost Explorer simulator paging, through the official client", () => {
  it("binds NextPageToken to the request and rejects forged tokens", async () => {
    const client = new CostExplorerClient({
      region: "us-east-1",
      endpoint: simulator.endpoint,
      maxAttempts: 1,
      credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: "x".repeat(40) },
    });
    const input = {
      TimePeriod: { Start: "2026-10-01", End: "2026-10-08" },
      Granularity: "DAILY" as const,
      Metrics: ["UnblendedCost"],
      GroupBy: [
        { Type: "DIMENSION" as const, Key: "SERVICE" },
        { Type: "DIMENSION" as const, Key: "LINKED_ACCOUNT" },
      ],
    };
    const first = await client.send(new GetCostAndUsageCommand(input));
    expect(first.NextPageToken).toBeTruthy();
    expect(first.ResultsByTime?.[0]?.Groups?.[0]?.Metrics?.UnblendedCost?.Amount).toMatch(
      /^-?\d+(\.\d{1,10})?$/,
    );
    const second = await client.send(
      new GetCostAndUsageCommand({ ...input, NextPageToken: first.NextPageToken }),
    );
    expect(second.ResultsByTime?.length).toBeGreaterThan(0);
    await expect(
      client.send(
        new GetCostAndUsageCommand({
          ...input,
          Metrics: ["AmortizedCost"],
          NextPageToken: first.NextPageToken,
        }),
      ),
    ).rejects.toMatchObject({ name: "RequestChangedException" });
    await expect(
      client.send(new GetCostAndUsageCommand({ ...input, NextPageToken: "forged" })),
    ).rejects.toMatchObject({
      name: "InvalidNextTokenException",
    });
    await expect(
      client.send(
        new GetCostAndUsageCommand({
          ...input,
          GroupBy: [...input.GroupBy, { Type: "DIMENSION", Key: "REGION" }],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationException" });
    client.destroy();
  });
});

describe("odd Cost Explorer rows", () => {
  it("keeps a group without a service under Unassigned and quarantines a non-numeric Amount; the month succeeds", async () => {
    const day = "2026-10-14";
    const odd = withExtraRows(dataset, day, (lines) => {
      const usage = lines.find((line) => line.chargeCategory === "Usage")!;
      return [
        { ...usage, serviceName: "", cost: 7.25 },
        { ...usage, serviceName: "Amazon Odd Service", cost: Number.NaN },
      ];
    });
    const own = await startAwsSimulator({ datasets: { [KEY.accessKeyId]: odd }, pageSize: 40 });
    try {
      const month = { start: "2026-10-01", end: "2026-10-31" };
      const result = await adapter({ endpoint: own.endpoint }).fetchDailyCosts(month);
      const records = recordsOf("AWS", "USD", result, new Date(`${TODAY}T12:00:00Z`));
      expect(records.map((record) => record.date)).toEqual(daysInRange(month.start, month.end));
      const record = records.find((r) => r.date === day);
      expect(record?.lines.filter((line) => line.serviceName === "Unassigned")).toEqual([
        expect.objectContaining({ billedCost: 7.25, cost: 7.25 }),
      ]);
      expect(record?.total).toBeCloseTo(dataset.total(day, day) + 7.25, 2);
      expect(quarantineIssue(record)).toMatch(
        /^1 of \d+ lines could not be read and is quarantined, left out of the total: billedCost NaN is not a finite amount \(Amazon Odd Service\)$/,
      );
    } finally {
      await own.stop();
    }
  });
});
