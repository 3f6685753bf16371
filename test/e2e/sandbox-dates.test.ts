/**
 * The sandbox's backfill and restart on the dates that bite (a month's first and last day, 29
 * February, New Year's Eve and Day) and on the real today: the demo job is SUCCEEDED on each,
 * Cost Explorer's history limit shows as skipped days instead of a failure, and a restart on the
 * same tables finds every provider's days at once. The sandbox's clock starts on SANDBOX_TODAY.
 */
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CollectionJob } from "../../src/domain/collection-job.js";
import { addDays, addMonths, dayOfInstant, firstDayOfMonth, monthOf } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { MAX_COLLECTION_DAYS } from "../../src/collection/collection-request.js";
import { DEMO_CLIENT_ID, startSandbox, type Sandbox } from "../../src/sandbox/sandbox.js";
import type { DemoCloudOptions } from "../../src/sandbox/demo-tenant.js";
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";
import { capturedLogger } from "../support/logs.js";
import { TEST_DYNAMO_TIMEOUT_MS } from "../support/dynamo.js";
import { storedCosts } from "../support/stored-costs.js";

/**
 * 400-day backfills are the heaviest writes of the run: each date gets a fresh DynamoDB Local of its
 * own, so the run's shared one stays responsive for the other test files, and no date slows down
 * under the tables and streams the dates before it left.
 */
let dynamo: EmbeddedDynamoDb;
beforeEach(async () => {
  dynamo = await startEmbeddedDynamoDb();
});
afterEach(async () => {
  await dynamo?.stop();
});

const TEST_TIMEOUT_MS = 180_000;
const SMALL_TENANT = { services: 2, accounts: 1, regions: 1 };
const RESTART_BACKFILL_DAYS = 3;

function startOn(
  today: string,
  tablePrefix: string,
  options: { clouds?: DemoCloudOptions; backfillDays?: number } = {},
): Promise<Sandbox> {
  return startSandbox({
    env: {
      PORT: "0",
      TABLE_PREFIX: tablePrefix,
      SANDBOX_TODAY: today,
      SANDBOX_REFRESH_SECONDS: "0",
      STREAM_CONSUMER: "off",
      DYNAMODB_TIMEOUT_MS: String(TEST_DYNAMO_TIMEOUT_MS),
    },
    logger: capturedLogger().logger,
    dynamoEndpoint: dynamo.endpoint,
    clouds: { size: SMALL_TENANT, ...options.clouds },
    ...(options.backfillDays ? { backfillDays: options.backfillDays } : {}),
  });
}

async function finished(sandbox: Sandbox): Promise<CollectionJob> {
  const job = await sandbox.runtime.services.collections.waitForJob(sandbox.backfill.id);
  if (!job) throw new Error("the backfill is not running in this process");
  return job;
}

function storedHeaders(sandbox: Sandbox, start: string, end: string) {
  const tables = { doc: sandbox.runtime.dynamo.doc, names: tableNames(sandbox.config.dynamo.tablePrefix) };
  return storedCosts(tables).headersOfClient(DEMO_CLIENT_ID, start, end);
}

async function storedDays(sandbox: Sandbox, start: string, end: string) {
  return (await storedHeaders(sandbox, start, end)).map((header) => `${header.provider} ${header.date}`);
}

const REAL_TODAY = dayOfInstant(new Date());
const DATES = [
  ["the first day of a month", "2027-03-01"],
  ["the last day of a month", "2027-04-30"],
  ["29 February", "2028-02-29"],
  ["31 December", "2026-12-31"],
  ["1 January", "2027-01-01"],
  [`the real today (${REAL_TODAY})`, REAL_TODAY],
] as const;

describe("the sandbox backfill and restart", () => {
  it.each(DATES)(
    "on %s (%s): SUCCEEDED, Cost Explorer's older days skipped with the reason, data found on restart",
    async (_label, today) => {
      const prefix = `t${randomUUID().slice(0, 8)}-`;
      const start = addDays(today, 1 - MAX_COLLECTION_DAYS);
      const awsEarliest = firstDayOfMonth(addMonths(monthOf(today), -13));

      const first = await startOn(today, prefix);
      let job: CollectionJob;
      try {
        job = await finished(first);
      } finally {
        await first.stop();
      }
      expect(job.period).toEqual({ start, end: today });
      expect(job.status).toBe("SUCCEEDED");
      const byProvider = Object.fromEntries(job.providers.map((p) => [p.provider, p]));
      for (const provider of CLOUD_PROVIDERS) {
        expect(byProvider[provider]?.status, provider).toBe("SUCCEEDED");
        expect(byProvider[provider]?.error, provider).toBeUndefined();
      }
      if (start < awsEarliest) {
        expect(byProvider.AWS?.skipped).toEqual({
          start,
          end: addDays(awsEarliest, -1),
          reason: expect.stringContaining(`from ${awsEarliest}`) as string,
        });
      } else {
        expect(byProvider.AWS?.skipped).toBeUndefined();
      }
      // Azure reaches back 37 months and the demo exports three years: neither skips a day here.
      expect(byProvider.AZURE?.skipped).toBeUndefined();
      expect(byProvider.GCP?.skipped).toBeUndefined();

      // The restart's own backfill is kept short: what matters is what it finds already stored.
      const second = await startOn(today, prefix, { backfillDays: RESTART_BACKFILL_DAYS });
      try {
        // The first run's days are there before the second backfill could have stored anything.
        const edges = [awsEarliest > start ? awsEarliest : start, today];
        const found = await storedDays(second, edges[0]!, edges[0]!);
        const last = await storedDays(second, today, today);
        expect(found.sort()).toEqual(CLOUD_PROVIDERS.map((p) => `${p} ${edges[0]}`).sort());
        expect(last.sort()).toEqual(CLOUD_PROVIDERS.map((p) => `${p} ${today}`).sort());
        // Azure bills in EUR: the sandbox has a rate for its month whatever the date, so none is missing.
        const [azure] = (await storedHeaders(second, today, today)).filter((h) => h.provider === "AZURE");
        expect(azure?.exchangeRates.map((rate) => `${rate.from}->${rate.to} ${rate.source}`)).toEqual([
          "EUR->USD sandbox-fixed",
        ]);
        const rerun = await finished(second);
        expect(rerun.status).toBe("SUCCEEDED");
        // The same data again: nothing to write.
        expect(rerun.providers.map((p) => p.recordsWritten)).toEqual([0, 0, 0]);
      } finally {
        await second.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "skips the days before a GCP billing export began, and stores none of them",
    async () => {
      const today = "2027-06-15";
      const backfillDays = 60;
      const exportBegan = "2027-05-10";
      const sandbox = await startOn(today, `t${randomUUID().slice(0, 8)}-`, {
        clouds: { firstDays: { GCP: exportBegan } },
        backfillDays,
      });
      try {
        const job = await finished(sandbox);
        expect(job.status).toBe("SUCCEEDED");
        const gcp = job.providers.find((p) => p.provider === "GCP");
        expect(gcp?.skipped).toEqual({
          start: addDays(today, 1 - backfillDays),
          end: addDays(exportBegan, -1),
          reason: expect.stringContaining(exportBegan) as string,
        });
        expect(gcp?.apiRequests).toBeGreaterThan(0);
        const around = await storedDays(sandbox, addDays(exportBegan, -1), exportBegan);
        expect(around.filter((day) => day.startsWith("GCP"))).toEqual([`GCP ${exportBegan}`]);
      } finally {
        await sandbox.stop();
      }
    },
    TEST_TIMEOUT_MS,
  );
});
