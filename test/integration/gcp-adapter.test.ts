/**
 * The GCP adapter driving the official @google-cloud/bigquery client against the BigQuery simulator
 * over loopback: paging, pending jobs, credits/taxes, faults mapped into the taxonomy, and secrets
 * kept out of errors and logs.
 */
import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { BigQuery } from "@google-cloud/bigquery";
import { OAuth2Client } from "google-auth-library";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ProviderCostLine } from "../../src/domain/cost-record.js";
import {
  addDays,
  addMonths,
  dayOfInstant,
  daysInRange,
  firstDayOfMonth,
  monthOf,
} from "../../src/domain/dates.js";
import { createLogger } from "../../src/observability/logger.js";
import type { DateRange } from "../../src/providers/adapter.js";
import {
  AuthenticationError,
  AuthorizationError,
  InvalidRequestError,
  RateLimitError,
  TransientError,
} from "../../src/providers/errors.js";
import { dailyCostsSql } from "../../src/providers/gcp/billing-export-query.js";
import {
  GcpBillingExportAdapter,
  type GcpBillingExportAdapterOptions,
} from "../../src/providers/gcp/gcp-adapter.js";
import {
  maskGcpCredentials,
  parseGcpCredentials,
  type GcpCredentials,
} from "../../src/providers/gcp/gcp-credentials.js";
import { toProviderError } from "../../src/providers/gcp/gcp-errors.js";
import { createBillingDataset } from "../../src/sandbox/billing-dataset.js";
import {
  SANDBOX_GCP_BILLING_TABLE,
  startGcpSimulator,
  type GcpSimulator,
} from "../../src/sandbox/gcp/gcp-simulator.js";
import { FAST_RETRY } from "../support/fast-retry.js";

const PAGE_SIZE = 100;
const PROJECT = "cost-collector-prod";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs8", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});
/** A chunk of the key body: what must never surface in an error or a log line. */
const SECRET_FRAGMENT = privateKey.split("\n")[5]!;
const KEY_ID = "4f1c2d3e4b5a69788796a5b4c3d2e1f0deadbeef";

function rawCredentials(overrides: Record<string, unknown> = {}) {
  return {
    serviceAccountKey: {
      type: "service_account",
      project_id: PROJECT,
      private_key_id: KEY_ID,
      private_key: privateKey,
      client_email: `billing-reader@${PROJECT}.iam.gserviceaccount.com`,
      client_id: "104857600000000000000",
      token_uri: "https://oauth2.googleapis.com/token",
    },
    billingExportTable: SANDBOX_GCP_BILLING_TABLE,
    location: "US",
    ...overrides,
  };
}

const credentials: GcpCredentials = parseGcpCredentials(rawCredentials());

const today = dayOfInstant(new Date());
const dataset = createBillingDataset({ provider: "GCP", seed: 42, currency: "USD", today });
/** A full closed month and the first five days of the next one: two month windows, two tax rows. */
const fullMonth = addMonths(monthOf(today), -2);
const period: DateRange = {
  start: firstDayOfMonth(fullMonth),
  end: addDays(firstDayOfMonth(addMonths(fullMonth, 1)), 4),
};

function capturedLogs() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), lines };
}

function sumBy(lines: ProviderCostLine[], key: (line: ProviderCostLine) => string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of lines) sums.set(key(line), (sums.get(key(line)) ?? 0) + line.billedCost);
  return sums;
}

/** Pages the adapter must fetch for these lines: one query per month window, PAGE_SIZE rows a page. */
function expectedPages(lines: ProviderCostLine[]): number {
  const rowsPerMonth = [...new Set(lines.map((line) => monthOf(line.date)))].map(
    (month) => lines.filter((line) => monthOf(line.date) === month).length,
  );
  return rowsPerMonth.reduce((pages, rows) => pages + Math.max(1, Math.ceil(rows / PAGE_SIZE)), 0);
}

describe("GCP billing export adapter against the BigQuery simulator", () => {
  let simulator: GcpSimulator;

  beforeAll(async () => {
    simulator = await startGcpSimulator({ datasets: { [PROJECT]: dataset } });
  });
  afterAll(() => simulator.stop());
  afterEach(() => simulator.faults.clear());

  const adapter = (options: Partial<GcpBillingExportAdapterOptions> = {}) =>
    new GcpBillingExportAdapter({
      credentials,
      endpoint: simulator.endpoint,
      retryPolicy: FAST_RETRY,
      pageSize: PAGE_SIZE,
      ...options,
    });

  /** Runs `work` and returns how many requests the simulator saw meanwhile. */
  async function counted<T>(work: () => Promise<T>): Promise<{ value: T; requests: number }> {
    const before = simulator.requestCount();
    const value = await work();
    return { value, requests: simulator.requestCount() - before };
  }

  it("reads a period across two months page by page, counting every request, totals to the cent", async () => {
    const { value: result, requests } = await counted(() => adapter().fetchDailyCosts(period));

    expect(result.sourceApi).toBe("gcp:bigquery:billing-export");
    expect(result.daysCovered).toEqual(daysInRange(period.start, period.end));
    expect(new Set(result.lines.map((line) => line.date))).toEqual(new Set(result.daysCovered));
    expect(result.apiRequests).toBe(requests);
    expect(result.apiRequests).toBe(expectedPages(result.lines));
    expect(result.apiRequests).toBeGreaterThanOrEqual(5);

    const byCurrency = sumBy(result.lines, (line) => line.billingCurrency);
    expect([...byCurrency.keys()]).toEqual(["USD"]);
    expect(byCurrency.get("USD")).toBeCloseTo(dataset.total(period.start, period.end), 2);
    for (const day of [period.start, period.end]) {
      const dayTotal = result.lines
        .filter((line) => line.date === day)
        .reduce((sum, line) => sum + line.billedCost, 0);
      expect(dayTotal).toBeCloseTo(dataset.total(day, day), 2);
    }
    expect(result.lines.every((line) => line.estimated === false)).toBe(true);
  });

  it("keeps credits, taxes and refunds as their own charge categories", async () => {
    const { lines } = await adapter().fetchDailyCosts(period);
    const byCategory = sumBy(lines, (line) => line.chargeCategory);
    expect([...byCategory.keys()].sort()).toEqual(["Adjustment", "Credit", "Tax", "Usage"]);
    expect(byCategory.get("Credit")).toBeLessThan(0);

    const expectedCredits = daysInRange(period.start, period.end)
      .flatMap((day) => dataset.linesForDay(day))
      .flatMap((line) => line.credits ?? [])
      .reduce((sum, credit) => sum + credit.amount, 0);
    expect(byCategory.get("Credit")).toBeCloseTo(expectedCredits, 2);
    // Net = usage and the rest + credits: without the credits the total would not reconcile.
    expect(
      (byCategory.get("Usage") ?? 0) + (byCategory.get("Tax") ?? 0) + (byCategory.get("Adjustment") ?? 0),
    ).not.toBeCloseTo(dataset.total(period.start, period.end), 0);

    const credits = lines.filter((line) => line.chargeCategory === "Credit");
    expect(new Set(credits.map((line) => line.usageType))).toEqual(
      new Set(["SUSTAINED_USAGE_DISCOUNT", "PROMOTION"]),
    );
    expect(credits.every((line) => line.serviceName !== "" && line.accountId !== "")).toBe(true);

    const taxes = lines.filter((line) => line.chargeCategory === "Tax");
    expect(taxes.map((line) => line.date).sort()).toEqual([
      period.start,
      firstDayOfMonth(monthOf(period.end)),
    ]);
    for (const tax of taxes) {
      expect(tax).toMatchObject({ accountId: "", region: "", serviceName: "Invoice" });
      expect(tax.accountName).toBeUndefined();
    }
  });

  it("marks days of the current, unclosed month estimated", async () => {
    const current = { start: firstDayOfMonth(monthOf(today)), end: today };
    const { lines } = await adapter().fetchDailyCosts(current);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((line) => line.estimated)).toBe(true);
  });

  it("polls a job that is not complete yet, then pages through its results", async () => {
    const slowJobs = await startGcpSimulator({ datasets: dataset, incompleteReplies: 2 });
    try {
      const month = { start: firstDayOfMonth(fullMonth), end: addDays(firstDayOfMonth(fullMonth), 9) };
      const result = await adapter({ endpoint: slowJobs.endpoint }).fetchDailyCosts(month);
      // POST (jobComplete:false), GET (still running), then one GET per page.
      expect(result.apiRequests).toBe(slowJobs.requestCount());
      expect(result.apiRequests).toBe(2 + Math.ceil(result.lines.length / PAGE_SIZE));
      expect(Math.ceil(result.lines.length / PAGE_SIZE)).toBeGreaterThanOrEqual(3);
      expect(sumBy(result.lines, () => "all").get("all")).toBeCloseTo(
        dataset.total(month.start, month.end),
        2,
      );
    } finally {
      await slowJobs.stop();
    }
  });

  it("health check decodes int64-microsecond timestamps of the export", async () => {
    const { value: health, requests } = await counted(() => adapter().healthCheck());
    expect(health.healthy).toBe(true);
    expect(health.apiRequests).toBe(requests);
    const lastExport = /last export at (\S+)/.exec(health.message)?.[1];
    // Rows of a (Pacific) day are exported at 10:00:00.123456 UTC the next day: microseconds survive decoding.
    expect(lastExport).toMatch(/^\d{4}-\d{2}-\d{2}T10:00:00\.123456(000)?Z$/);
    const ageMs = Date.now() - Date.parse(lastExport!);
    expect(ageMs).toBeGreaterThanOrEqual(0);
    expect(ageMs).toBeLessThan(3 * 86_400_000);
  });

  it("health check reports an unusable connection instead of throwing", async () => {
    simulator.faults.inject({ kind: "forbidden" });
    const health = await adapter().healthCheck();
    expect(health).toMatchObject({ healthy: false, apiRequests: 1 });
    expect(health.message).toMatch(/^AUTHORIZATION: BigQuery answered 403 accessDenied/);
  });

  describe("faults", () => {
    const oneDay: DateRange = { start: period.start, end: period.start };

    it.each([
      ["throttle", RateLimitError],
      ["server-error", TransientError],
      ["drop", TransientError],
    ] as const)("retries %s and still returns the full day", async (kind, errorClass) => {
      const { logger, lines: logLines } = capturedLogs();
      simulator.faults.inject({ kind, times: 2 });
      const { value: result, requests } = await counted(() => adapter({ logger }).fetchDailyCosts(oneDay));
      expect(result.apiRequests).toBe(requests);
      expect(result.apiRequests).toBe(2 + expectedPages(result.lines));
      expect(sumBy(result.lines, () => "all").get("all")).toBeCloseTo(
        dataset.total(oneDay.start, oneDay.end),
        2,
      );
      const retries = logLines.map((line) => JSON.parse(line) as { msg: string; code?: string });
      expect(
        retries.filter((line) => line.msg === "GCP request failed, retrying").map((line) => line.code),
      ).toEqual([new errorClass("").code, new errorClass("").code]);
    });

    it("gives up on a slow request at the request timeout and retries it", async () => {
      simulator.faults.inject({ kind: "slow", delayMs: 1_500 });
      const { value: result, requests } = await counted(() =>
        adapter({ requestTimeoutMs: 300 }).fetchDailyCosts(oneDay),
      );
      expect(result.apiRequests).toBe(requests);
      expect(result.apiRequests).toBe(1 + expectedPages(result.lines));
    });

    it.each([
      ["auth", AuthenticationError, /BigQuery answered 401/],
      ["forbidden", AuthorizationError, /403 accessDenied/],
    ] as const)("fails %s at once, without retrying", async (kind, errorClass, message) => {
      simulator.faults.inject({ kind, times: 3 });
      const before = simulator.requestCount();
      const failure = await adapter()
        .fetchDailyCosts(oneDay)
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(errorClass);
      expect((failure as Error).message).toMatch(message);
      expect(simulator.requestCount() - before).toBe(1);
    });

    it("stops after the policy's attempts when throttling persists", async () => {
      simulator.faults.inject({ kind: "throttle", times: 10 });
      const before = simulator.requestCount();
      const failure = await adapter()
        .fetchDailyCosts(oneDay)
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RateLimitError);
      expect(simulator.requestCount() - before).toBe(FAST_RETRY.maxAttempts);
    });

    it("stops waiting when the caller aborts", async () => {
      simulator.faults.inject({ kind: "slow", delayMs: 2_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error("collection cancelled")), 50);
      const before = simulator.requestCount();
      const startedAt = Date.now();
      const failure = await adapter()
        .fetchDailyCosts(oneDay, controller.signal)
        .catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TransientError);
      expect(Date.now() - startedAt).toBeLessThan(1_500);
      expect(simulator.requestCount() - before).toBe(1);
    });
  });

  it("reports an unknown table or a wrong location as an invalid request naming the table", async () => {
    const otherTable = `${PROJECT}.billing.gcp_billing_export_v1_0000AA_BBBB11_CCCC22`;
    const wrongTable = adapter({
      credentials: parseGcpCredentials(rawCredentials({ billingExportTable: otherTable })),
    });
    const failure = await wrongTable.fetchDailyCosts(period).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidRequestError);
    expect((failure as Error).message).toContain(
      `billing export table ${otherTable} was not found in location US`,
    );

    const wrongLocation = adapter({
      credentials: parseGcpCredentials(rawCredentials({ location: "europe-west1" })),
    });
    const elsewhere = await wrongLocation.fetchDailyCosts(period).catch((error: unknown) => error);
    expect(elsewhere).toBeInstanceOf(InvalidRequestError);
    expect((elsewhere as Error).message).toMatch(
      /404 notFound: Not found: Dataset .* in location europe-west1/,
    );
  });

  it("serves each project its own dataset and denies a project it does not know", async () => {
    const stranger = parseGcpCredentials(
      rawCredentials({
        serviceAccountKey: { ...rawCredentials().serviceAccountKey, project_id: "someone-else" },
      }),
    );
    const failure = await adapter({ credentials: stranger })
      .fetchDailyCosts(period)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AuthorizationError);
    expect((failure as Error).message).toContain("Project someone-else");
  });

  it("rejects an impossible period naming the field, before any request", async () => {
    const before = simulator.requestCount();
    await expect(adapter().fetchDailyCosts({ start: "2026-02-10", end: "2026-02-01" })).rejects.toThrow(
      /^period\.end: 2026-02-01 is before period\.start 2026-02-10$/,
    );
    await expect(adapter().fetchDailyCosts({ start: "2026-02-30", end: "2026-03-01" })).rejects.toThrow(
      /^period\.start:/,
    );
    expect(simulator.requestCount()).toBe(before);
  });

  it("never puts the private key or the access token in errors or log lines", async () => {
    const { logger, lines } = capturedLogs();
    const messages: string[] = [];
    for (const kind of ["auth", "forbidden", "throttle", "server-error", "drop"] as const) {
      simulator.faults.inject({ kind, times: 10 });
      const failure = await adapter({ logger })
        .fetchDailyCosts(period)
        .catch((error: unknown) => error);
      simulator.faults.clear();
      messages.push(String(failure), JSON.stringify(failure), (failure as Error).stack ?? "");
    }
    messages.push(maskGcpCredentials(credentials));
    const text = [...messages, ...lines].join("\n");
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(text).toContain("billing-reader@");
    for (const secret of [SECRET_FRAGMENT, "PRIVATE KEY", "sandbox-token", "Bearer "]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("GCP credentials", () => {
  it("accepts the key file as an object or as its JSON text, and drops unknown key fields", () => {
    const fromText = parseGcpCredentials(
      rawCredentials({ serviceAccountKey: JSON.stringify(rawCredentials().serviceAccountKey) }),
    );
    expect(fromText).toEqual(credentials);
    expect(Object.keys(credentials.serviceAccountKey).sort()).toEqual([
      "client_email",
      "private_key",
      "private_key_id",
      "project_id",
      "type",
    ]);
  });

  it.each([
    [
      { billingExportTable: "proj-123.billing.costs" },
      /billingExportTable: must be project\.dataset\.gcp_billing_export_v1_/,
    ],
    [{ billingExportTable: "proj-123.billing.gcp_billing_export_v1_X`; DROP" }, /billingExportTable:/],
    [{ location: "mars-central" }, /location: must be a BigQuery location/],
    [{ serviceAccountKey: "{not json" }, /serviceAccountKey: is not valid JSON/],
  ])("names the bad field %#", (override, message) => {
    expect(() => parseGcpCredentials(rawCredentials(override))).toThrow(message);
  });

  it("names a bad key field without echoing the secret", () => {
    const key = {
      ...rawCredentials().serviceAccountKey,
      private_key: `not a key ${SECRET_FRAGMENT}`,
      type: "user",
    };
    let message = "";
    try {
      parseGcpCredentials(rawCredentials({ serviceAccountKey: key }));
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('serviceAccountKey.type: must be "service_account"');
    expect(message).toContain("serviceAccountKey.private_key: must be a PEM private key");
    expect(message).not.toContain(SECRET_FRAGMENT);
  });

  it("masks to the service account, the key id's last four characters and the table", () => {
    expect(maskGcpCredentials(credentials)).toBe(
      `service account billing-reader@${PROJECT}.iam.gserviceaccount.com (key …beef), export ${SANDBOX_GCP_BILLING_TABLE} in US`,
    );
  });
});

describe("GCP error mapping", () => {
  const context = { billingExportTable: SANDBOX_GCP_BILLING_TABLE, location: "US" };
  const apiError = (code: number, reason: string) => ({
    code,
    errors: [{ reason }],
    message: "Quota exceeded",
  });

  it.each([
    [apiError(403, "quotaExceeded"), RateLimitError],
    [apiError(403, "userRateLimitExceeded"), RateLimitError],
    [apiError(429, "tooManyRequests"), RateLimitError],
    [apiError(500, "backendError"), TransientError],
    [apiError(400, "invalidQuery"), InvalidRequestError],
    [{ response: { status: 400, data: { error: "invalid_grant" } } }, AuthenticationError],
    [
      Object.assign(new Error("DECODER routines::unsupported"), { code: "ERR_OSSL_UNSUPPORTED" }),
      AuthenticationError,
    ],
    [Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), TransientError],
  ])("maps %j", (error, errorClass) => {
    expect(toProviderError(error, context)).toBeInstanceOf(errorClass);
  });
});

describe("BigQuery simulator, driven by the client directly", () => {
  let simulator: GcpSimulator;
  beforeAll(async () => {
    simulator = await startGcpSimulator({ datasets: dataset, maxRowsPerPage: 10 });
  });
  afterAll(() => simulator.stop());

  const client = (apiEndpoint?: string) => {
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: "test-token", expiry_date: Date.now() + 3_600_000 });
    return new BigQuery({
      projectId: PROJECT,
      authClient,
      autoRetry: false,
      ...(apiEndpoint ? { apiEndpoint } : {}),
    });
  };
  const day = period.start;
  const params = { start: BigQuery.date(day), end: BigQuery.date(day) };

  it("serves jobs.query with auto-pagination and null project on tax rows", async () => {
    const before = simulator.requestCount();
    const [rows] = await client(simulator.endpoint).query({
      query: dailyCostsSql(SANDBOX_GCP_BILLING_TABLE),
      params,
    });
    expect(rows.length).toBeGreaterThan(20);
    expect(simulator.requestCount() - before).toBe(Math.ceil(rows.length / 10));
    const tax = rows.filter((row: { cost_type: string }) => row.cost_type === "tax");
    expect(tax).toHaveLength(1);
    expect(tax[0]).toMatchObject({
      project_id: null,
      project_name: null,
      region: null,
      usage_date: { value: day },
    });
    expect(typeof tax[0].cost).toBe("number");
  });

  it("serves jobs.insert + getQueryResults, and the emulator-host base path without /bigquery/v2", async () => {
    process.env.BIGQUERY_EMULATOR_HOST = simulator.endpoint;
    const emulatorClient = client();
    delete process.env.BIGQUERY_EMULATOR_HOST;
    const [job] = await emulatorClient.createQueryJob({
      query: dailyCostsSql(SANDBOX_GCP_BILLING_TABLE),
      params,
    });
    const [rows] = await job.getQueryResults();
    const [viaQuery] = await client(simulator.endpoint).query({
      query: dailyCostsSql(SANDBOX_GCP_BILLING_TABLE),
      params,
    });
    expect(rows).toEqual(viaQuery);
  });

  it.each([
    [
      `SELECT * FROM \`${SANDBOX_GCP_BILLING_TABLE}\` WHERE DATE(usage_start_time) = '${day}'`,
      400,
      "invalidQuery",
      /query parameters/,
    ],
    [
      dailyCostsSql(SANDBOX_GCP_BILLING_TABLE).replaceAll("@start", `DATE '${day}'`),
      400,
      "invalidQuery",
      /query parameters/,
    ],
    [
      dailyCostsSql(`${PROJECT}.other.gcp_billing_export_v1_AAAAAA_BBBBBB_CCCCCC`),
      404,
      "notFound",
      /Not found: Table/,
    ],
    ["SELECT 1", 400, "invalidQuery", /billing export table/],
  ])("refuses a query the collector does not send (%#)", async (query, code, reason, message) => {
    const failure = await client(simulator.endpoint)
      .query({ query, params })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code, errors: [{ reason }] });
    expect((failure as Error).message).toMatch(message);
  });

  it("refuses missing parameters and requests without a bearer token", async () => {
    const failure = await client(simulator.endpoint)
      .query({ query: dailyCostsSql(SANDBOX_GCP_BILLING_TABLE), params: { start: BigQuery.date(day) } })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 400, errors: [{ reason: "invalidQuery" }] });
    expect((failure as Error).message).toContain("Query parameter 'end' not found");

    const response = await fetch(`${simulator.endpoint}/bigquery/v2/projects/${PROJECT}/queries`, {
      method: "POST",
      body: JSON.stringify({ query: "SELECT 1", useLegacySql: false }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 401, status: "UNAUTHENTICATED" } });
  });
});
