import { request as httpsRequest } from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import { CostManagementClient } from "@azure/arm-costmanagement";
import type { ProviderCostLine } from "../../src/domain/cost-record.js";
import { daysInRange } from "../../src/domain/dates.js";
import { quarantineIssue, recordsOf, withExtraRows } from "../support/odd-rows.js";
import { createLogger } from "../../src/observability/logger.js";
import {
  AzureCostManagementAdapter,
  type AzureAdapterOptions,
} from "../../src/providers/azure/azure-adapter.js";
import {
  SANDBOX_ACCESS_TOKEN,
  maskAzureCredentials,
  parseAzureCredentials,
  sandboxTokenCredential,
  type AzureCredentials,
} from "../../src/providers/azure/azure-credentials.js";
import { providerErrorFrom } from "../../src/providers/azure/azure-errors.js";
import {
  AuthenticationError,
  AuthorizationError,
  InvalidRequestError,
  ProviderError,
  RateLimitError,
} from "../../src/providers/errors.js";
import { createBillingDataset, type BillingDataset } from "../../src/sandbox/billing-dataset.js";
import {
  startAzureSimulator,
  type AzureSimulator,
  type AzureSimulatorOptions,
} from "../../src/sandbox/azure/azure-simulator.js";
import type { FaultKind } from "../../src/sandbox/faults.js";
import { FAST_RETRY } from "../support/fast-retry.js";

const SUBSCRIPTION = "3f1c2a9e-5b7d-4e21-9c0a-7d2e4b6f8a10";
const SUBSCRIPTION_SCOPE = `subscriptions/${SUBSCRIPTION}`;
const BILLING_SCOPE = "providers/Microsoft.Billing/billingAccounts/8608480";
const CLIENT_SECRET = "Zq8~super.secret-value_0123456789abcdef";
const TODAY = "2026-03-15";
/** Azure advertises Retry-After on its 429s: its throttling tests wait several of them out. */
const AZURE_RETRY = { ...FAST_RETRY, maxAttempts: 6, maxDelayMs: 50, maxTotalMs: 30_000 };

const credentials = (scope = SUBSCRIPTION_SCOPE): AzureCredentials =>
  parseAzureCredentials({
    method: "clientSecret",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    clientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    clientSecret: CLIENT_SECRET,
    scope,
  });

const azureDataset = (overrides: { today?: string; accounts?: number } = {}): BillingDataset =>
  createBillingDataset({
    provider: "AZURE",
    currency: "EUR",
    seed: 11,
    today: TODAY,
    accounts: 1,
    ...overrides,
  });

const running: AzureSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.stop()));
});

async function simulator(options: Partial<AzureSimulatorOptions> = {}): Promise<AzureSimulator> {
  const started = await startAzureSimulator({ datasets: azureDataset(), pageSize: 40, ...options });
  running.push(started);
  return started;
}

const adapterFor = (sim: AzureSimulator, options: Partial<AzureAdapterOptions> = {}) =>
  new AzureCostManagementAdapter({
    credentials: credentials(),
    endpoint: sim.endpoint,
    tlsCa: sim.ca,
    retryPolicy: AZURE_RETRY,
    now: () => new Date(`${TODAY}T12:00:00Z`),
    ...options,
  });

const total = (lines: ProviderCostLine[], currency = "EUR") =>
  lines.filter((line) => line.billingCurrency === currency).reduce((sum, line) => sum + line.billedCost, 0);

/** Equal to the cent: the figure the provider's console shows. */
const expectSameCents = (actual: number, expected: number) =>
  expect(Math.abs(actual - expected)).toBeLessThan(0.005);

const firstPages = (sim: AzureSimulator) =>
  sim.received().filter((r) => r.status === 200 && r.skipToken === undefined);

function captureLogs() {
  const lines: string[] = [];
  return {
    lines,
    logger: createLogger({ level: "debug", destination: { write: (line: string) => void lines.push(line) } }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ProviderError);
  return caught as ProviderError;
}

describe("AzureCostManagementAdapter against the simulator (official SDK over HTTPS)", () => {
  it("pulls a period page by page and reconciles with the provider's total to the cent", async () => {
    const sim = await simulator();
    const dataset = azureDataset();
    const result = await adapterFor(sim).fetchDailyCosts({ start: "2026-01-01", end: "2026-02-28" });

    expect(result.apiRequests).toBe(sim.requestCount());
    expect(result.sourceApi).toBe("azure:costmanagement:query");
    // Several nextLink pages per month and query; each POSTs the first page's body again.
    const followUps = sim.received().filter((r) => r.skipToken !== undefined);
    const pagesPerQuery = new Map<string, number>();
    for (const r of sim.received())
      pagesPerQuery.set(JSON.stringify(r.body), (pagesPerQuery.get(JSON.stringify(r.body)) ?? 0) + 1);
    expect(pagesPerQuery.size).toBe(4);
    expect(Math.min(...pagesPerQuery.values())).toBeGreaterThanOrEqual(3);
    for (const page of followUps) {
      const first = firstPages(sim).find(
        (r) => r.path === page.path && JSON.stringify(r.body) === JSON.stringify(page.body),
      );
      expect(first).toBeDefined();
    }
    expectSameCents(total(result.lines), dataset.total("2026-01-01", "2026-02-28"));
    expect(result.daysCovered).toEqual(daysInRange("2026-01-01", "2026-02-28"));
    expect(new Set(result.lines.map((line) => line.accountId))).toEqual(new Set([SUBSCRIPTION]));
    expect(result.lines.every((line) => !line.estimated)).toBe(true);
  });

  it("books refunds (negative rows) as their own charge category, never as usage", async () => {
    const sim = await simulator();
    const dataset = azureDataset();
    const days = daysInRange("2026-01-01", "2026-02-28");
    const refunds = days
      .flatMap((day) => dataset.linesForDay(day))
      .filter((line) => line.chargeCategory === "Adjustment");
    expect(refunds.length).toBeGreaterThan(0);

    const { lines } = await adapterFor(sim).fetchDailyCosts({ start: days[0]!, end: days.at(-1)! });
    const adjustments = lines.filter((line) => line.chargeCategory === "Adjustment");
    expect(adjustments.length).toBe(refunds.length);
    expect(adjustments.every((line) => line.billedCost < 0)).toBe(true);
    expectSameCents(
      total(adjustments),
      refunds.reduce((sum, line) => sum + line.cost, 0),
    );
    expect(
      lines.filter((line) => line.chargeCategory === "Usage").every((line) => line.billedCost >= 0),
    ).toBe(true);
  });

  it("splits a period across months into one call per month and query, never querying the future", async () => {
    const sim = await simulator({ pageSize: 5000 });
    const result = await adapterFor(sim).fetchDailyCosts({ start: "2026-01-25", end: "2026-03-31" });

    const periods = sim
      .received()
      .map((r) => (r.body as { timePeriod: { from: string; to: string } }).timePeriod);
    expect(periods).toEqual(
      [
        ["2026-01-25", "2026-01-31"],
        ["2026-02-01", "2026-02-28"],
        ["2026-03-01", TODAY],
      ].flatMap(([from, to]) => Array(2).fill({ from: `${from}T00:00:00.000Z`, to: `${to}T23:59:59.000Z` })),
    );
    expect(result.apiRequests).toBe(6);
    expect(result.daysCovered.at(-1)).toBe(TODAY);
    expect(result.daysCovered).toHaveLength(7 + 28 + 15);
    // Azure costs stay estimated until the month is invoiced.
    const estimatedDays = new Set(
      result.lines.filter((line) => line.estimated).map((line) => line.date.slice(0, 7)),
    );
    expect(estimatedDays).toEqual(new Set(["2026-03"]));
  });

  it("maps columns by name, whatever order the reply lists them in", async () => {
    const standard = await simulator();
    const reversed = await simulator({ columnOrder: "reversed" });
    const period = { start: "2026-02-01", end: "2026-02-10" };
    const expected = (await adapterFor(standard).fetchDailyCosts(period)).lines;
    const actual = (await adapterFor(reversed).fetchDailyCosts(period)).lines;
    expect(reversed.received()[0]?.status).toBe(200);
    expect(actual).toEqual(expected);
    expect(actual.length).toBeGreaterThan(0);
  });

  it("treats 204 No Content as no rows while still covering the days", async () => {
    const sim = await simulator({ datasets: azureDataset({ today: "2025-12-31" }) });
    const result = await adapterFor(sim).fetchDailyCosts({ start: "2026-01-01", end: "2026-01-31" });
    expect(sim.received().map((r) => r.status)).toEqual([204, 204]);
    expect(result.lines).toEqual([]);
    expect(result.daysCovered).toHaveLength(31);
    expect(result.apiRequests).toBe(2);
  });

  it("at a billing-account scope reports each subscription and reconciles", async () => {
    const dataset = azureDataset({ accounts: 3 });
    const sim = await simulator({ datasets: { [BILLING_SCOPE]: dataset } });
    const adapter = adapterFor(sim, { credentials: credentials(`/${BILLING_SCOPE}`) });
    const { lines } = await adapter.fetchDailyCosts({ start: "2026-02-01", end: "2026-02-28" });

    const subscriptions = new Set(dataset.linesForDay("2026-02-02").map((line) => line.accountId));
    expect(subscriptions.size).toBe(3);
    expect(new Set(lines.filter((l) => l.chargeCategory === "Usage").map((l) => l.accountId))).toEqual(
      subscriptions,
    );
    expectSameCents(total(lines), dataset.total("2026-02-01", "2026-02-28"));
    const grouping = (sim.received()[0]?.body as { dataset: { grouping: { name: string }[] } }).dataset
      .grouping;
    expect(grouping.map((g) => g.name)).toEqual(["ServiceName", "SubscriptionId"]);

    // A scope the simulator holds no data for is one the identity may not read.
    const elsewhere = adapterFor(sim, { credentials: credentials(SUBSCRIPTION_SCOPE) });
    const error = await rejection(elsewhere.fetchDailyCosts({ start: "2026-02-01", end: "2026-02-01" }));
    expect(error).toBeInstanceOf(AuthorizationError);
  });
});

describe("Azure throttling and faults", () => {
  const oneDay = { start: "2026-02-03", end: "2026-02-03" };

  it("rides out a 429 storm, waiting at least the advertised retry-after each time", async () => {
    const sim = await simulator();
    sim.faults.inject({ kind: "throttle", times: 3, delayMs: 1000 });
    const { lines: logLines, logger } = captureLogs();
    const startedAt = Date.now();
    const result = await adapterFor(sim, { logger }).fetchDailyCosts(oneDay);
    const elapsed = Date.now() - startedAt;

    const pages = sim.received().filter((r) => r.status === 200).length;
    expect(sim.received().filter((r) => r.status === 429)).toHaveLength(3);
    expect(result.apiRequests).toBe(3 + pages);
    expect(result.apiRequests).toBe(sim.requestCount());
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    const retries = logLines.map((line) => JSON.parse(line) as { retryAfterMs?: number; msg: string });
    expect(
      retries.filter((line) => line.retryAfterMs === 1000 && line.msg.includes("retrying")),
    ).toHaveLength(3);
    expectSameCents(total(result.lines), azureDataset().total(oneDay.start, oneDay.end));
  });

  it("throttles on its own beyond the configured rate per scope, and the adapter still completes", async () => {
    const sim = await simulator({ pageSize: 5000, rateLimit: { requests: 3, windowMs: 1000 } });
    const result = await adapterFor(sim).fetchDailyCosts({ start: "2026-01-01", end: "2026-02-28" });
    expect(sim.received().filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(sim.received().filter((r) => r.status === 200)).toHaveLength(4);
    expect(result.apiRequests).toBe(sim.requestCount());
    expectSameCents(total(result.lines), azureDataset().total("2026-01-01", "2026-02-28"));
  });

  it.each<[FaultKind, number]>([
    ["server-error", 0],
    ["drop", 0],
    ["slow", 1500],
  ])("retries a %s and counts the failed attempt", async (kind, delayMs) => {
    const sim = await simulator();
    sim.faults.inject({ kind, delayMs });
    const result = await adapterFor(sim, { requestTimeoutMs: 400 }).fetchDailyCosts(oneDay);
    const answered = sim.received().filter((r) => r.status === 200 || r.status === 204).length;
    expect(result.apiRequests).toBe(answered + 1);
    expect(result.apiRequests).toBe(sim.requestCount());
    expectSameCents(total(result.lines), azureDataset().total(oneDay.start, oneDay.end));
  });

  it.each<[FaultKind, new (...args: never[]) => ProviderError, number]>([
    ["auth", AuthenticationError, 401],
    ["forbidden", AuthorizationError, 403],
  ])("fails a %s fault at once with the right error class", async (kind, errorClass, status) => {
    const sim = await simulator();
    sim.faults.inject({ kind, times: 5 });
    const error = await rejection(adapterFor(sim).fetchDailyCosts(oneDay));
    expect(error).toBeInstanceOf(errorClass);
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(String(status));
    expect(sim.requestCount()).toBe(1);
  });

  it("gives up on endless throttling with a RateLimitError carrying the retry-after", async () => {
    const sim = await simulator();
    sim.faults.inject({ kind: "throttle", times: 10, delayMs: 1000 });
    const error = await rejection(
      adapterFor(sim, { retryPolicy: { ...AZURE_RETRY, maxAttempts: 2 } }).fetchDailyCosts(oneDay),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.retryAfterMs).toBe(1000);
    expect(sim.requestCount()).toBe(2);
  });

  it("reports health: healthy with one request, unhealthy with a safe message on 403", async () => {
    const sim = await simulator();
    const adapter = adapterFor(sim);
    expect(await adapter.healthCheck()).toMatchObject({ healthy: true, apiRequests: 1 });
    sim.faults.inject({ kind: "forbidden" });
    const unhealthy = await adapter.healthCheck();
    expect(unhealthy).toMatchObject({ healthy: false, apiRequests: 1 });
    expect(unhealthy.message).toContain("AuthorizationFailed");
  });

  it("rejects an impossible period before spending a request", async () => {
    const sim = await simulator();
    const adapter = adapterFor(sim);
    const reversed = await rejection(adapter.fetchDailyCosts({ start: "2026-02-10", end: "2026-02-01" }));
    expect(reversed).toBeInstanceOf(InvalidRequestError);
    expect(reversed.message).toContain("period.end");
    const impossible = await rejection(adapter.fetchDailyCosts({ start: "2026-02-30", end: "2026-03-01" }));
    expect(impossible.message).toContain("period.start");
    expect(sim.requestCount()).toBe(0);
  });
});

describe("Azure simulator wire behaviour, through the official client", () => {
  const clientFor = (sim: AzureSimulator) =>
    new CostManagementClient(sandboxTokenCredential, {
      endpoint: sim.endpoint,
      tlsOptions: { ca: sim.ca },
      retryOptions: { maxRetries: 0 },
    });
  const body = (grouping: string[], from = "2026-02-01T00:00:00Z", to = "2026-02-02T23:59:59Z") => ({
    type: "ActualCost",
    timeframe: "Custom",
    timePeriod: { from: new Date(from), to: new Date(to) },
    dataset: {
      granularity: "Daily",
      aggregation: { totalCost: { name: "PreTaxCost", function: "Sum" } },
      grouping: grouping.map((name) => ({ type: "Dimension", name })),
    },
  });
  const failure = (caught: unknown) =>
    providerErrorFrom(caught, { timedOut: false, timeoutMs: 1, identity: "test" });

  it("collapses the double slash of a leading-slash scope and names the column after the measure", async () => {
    const sim = await simulator();
    const reply = await clientFor(sim).query.usage(`/${SUBSCRIPTION_SCOPE}`, body(["ServiceName"]));
    expect(reply.columns?.map((c) => c.name)).toEqual(["PreTaxCost", "UsageDate", "ServiceName", "Currency"]);
    expect(typeof reply.rows?.[0]?.[0]).toBe("number");
    expect(reply.rows?.[0]?.[1]).toBe(20260201);
  });

  it.each([
    ["more than two groupings", body(["ServiceName", "ResourceLocation", "ChargeType"]), "group by"],
    ["from after to", body([], "2026-02-05T00:00:00Z", "2026-02-01T00:00:00Z"), "from"],
    ["a period over one year", body([], "2025-01-01T00:00:00Z", "2026-01-01T00:00:00Z"), "1 year"],
  ])("answers %s with 400 BadRequest in Azure's error JSON", async (_case, query, words) => {
    const sim = await simulator();
    const caught = await clientFor(sim)
      .query.usage(SUBSCRIPTION_SCOPE, query)
      .catch((error: unknown) => error);
    expect((caught as { statusCode?: number }).statusCode).toBe(400);
    expect((caught as { code?: string }).code).toBe("BadRequest");
    const mapped = failure(caught);
    expect(mapped).toBeInstanceOf(InvalidRequestError);
    expect(mapped.message).toContain(words);
  });

  it("requires a bearer token", async () => {
    const sim = await simulator();
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const url = new URL(
        `${sim.endpoint}/${SUBSCRIPTION_SCOPE}/providers/Microsoft.CostManagement/query?api-version=2023-11-01`,
      );
      const req = httpsRequest(
        url,
        { method: "POST", ca: sim.ca, headers: { "content-type": "application/json" } },
        (res) => {
          let data = "";
          res.on("data", (chunk: Buffer) => (data += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text: data }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body([])));
    });
    expect(status).toBe(401);
    expect(JSON.parse(text)).toMatchObject({ error: { code: "AuthenticationFailed" } });
  });
});

describe("Azure credentials", () => {
  const valid = {
    method: "clientSecret",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    clientId: "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
    clientSecret: CLIENT_SECRET,
    scope: SUBSCRIPTION_SCOPE,
  };

  it.each([
    ["tenantId", { tenantId: `not-a-guid-${CLIENT_SECRET}` }],
    ["clientSecret", { clientSecret: "" }],
    ["scope", { scope: `resourceGroups/${CLIENT_SECRET}` }],
    ["method", { method: "password" }],
  ])("rejects a bad %s, naming it and never echoing a value", (field, change) => {
    expect(() => parseAzureCredentials({ ...valid, ...change })).toThrow(new RegExp(`\\b${field}\\b`));
    try {
      parseAzureCredentials({ ...valid, ...change });
    } catch (error) {
      expect((error as Error).message).not.toContain(CLIENT_SECRET);
    }
  });

  it("normalizes the scope and accepts a managed identity", () => {
    expect(parseAzureCredentials({ ...valid, scope: `//${SUBSCRIPTION_SCOPE.toUpperCase()}/` }).scope).toBe(
      SUBSCRIPTION_SCOPE,
    );
    const managed = parseAzureCredentials({ method: "managedIdentity", scope: `/${BILLING_SCOPE}` });
    expect(managed).toEqual({ method: "managedIdentity", scope: BILLING_SCOPE });
    expect(maskAzureCredentials(managed)).toContain("system-assigned");
  });

  it("masks to the last characters of the ids, never the secret", () => {
    const masked = maskAzureCredentials(credentials());
    expect(masked).toContain("3c4d");
    expect(masked).not.toContain(CLIENT_SECRET);
    expect(masked).not.toContain(valid.clientId);
  });

  it("keeps the secret and the token out of every error message and log line", async () => {
    const sim = await simulator();
    const { lines, logger } = captureLogs();
    const adapter = adapterFor(sim, { logger, retryPolicy: { ...AZURE_RETRY, maxAttempts: 2 } });
    const messages: string[] = [];
    for (const kind of ["auth", "forbidden", "server-error", "drop"] as const) {
      sim.faults.clear();
      sim.faults.inject({ kind, times: 2 });
      messages.push(
        (await rejection(adapter.fetchDailyCosts({ start: "2026-02-03", end: "2026-02-03" }))).message,
      );
    }
    sim.faults.clear();
    messages.push((await adapter.healthCheck()).message);
    await adapter.fetchDailyCosts({ start: "2026-02-03", end: "2026-02-03" });

    expect(lines.length).toBeGreaterThan(5);
    for (const text of [...messages, ...lines]) {
      expect(text).not.toContain(CLIENT_SECRET);
      expect(text).not.toContain(SANDBOX_ACCESS_TOKEN);
    }
  });
});

describe("odd Cost Management rows", () => {
  it("keeps a row without ServiceName under Unassigned and quarantines a null Cost or a missing Currency; the month succeeds", async () => {
    const day = "2026-02-11";
    const dataset = azureDataset();
    const odd = withExtraRows(dataset, day, (lines) => {
      const usage = lines.find((line) => line.chargeCategory === "Usage")!;
      return [
        { ...usage, serviceName: "", cost: 3.5 },
        // JSON has no NaN: the reply carries null, as the service does for an amount it has not got.
        { ...usage, serviceName: "Odd Meter", cost: Number.NaN },
        { ...usage, serviceName: "Foreign Meter", currency: "" },
      ];
    });
    const sim = await simulator({ datasets: odd });
    const month = { start: "2026-02-01", end: "2026-02-28" };
    const result = await adapterFor(sim).fetchDailyCosts(month);
    const records = recordsOf("AZURE", "EUR", result, new Date(`${TODAY}T12:00:00Z`));
    expect(records.map((record) => record.date)).toEqual(daysInRange(month.start, month.end));
    const record = records.find((r) => r.date === day);
    expect(record?.lines.filter((line) => line.serviceName === "Unassigned")).toEqual([
      expect.objectContaining({ billedCost: 3.5, cost: 3.5 }),
    ]);
    expectSameCents(record?.total ?? 0, dataset.total(day, day) + 3.5);
    expect(quarantineIssue(record)).toMatch(
      /^2 of \d+ lines could not be read and are quarantined, left out of the total: billingCurrency "" is not an active ISO 4217 currency code \(Foreign Meter\), billedCost NaN is not a finite amount \(Odd Meter\)$/,
    );
  });
});
