/**
 * DynamoDB misbehaving under the service, through a TCP proxy in front of DynamoDB Local: stalled
 * (connections open, no byte moves) or cut (every connection reset). During reads the caller gets
 * a masked error with a request id, in bounded time, never a 500 or a stack, and /readyz says 503;
 * during a collection the job reports the failure and a re-run after recovery stores every day
 * exactly once; under the stream consumer, events written during the outage still arrive.
 */
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { addDays, dayOfInstant, daysInRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { costRecords } from "../support/records.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import {
  bearer,
  connectLive,
  waitForOpenSubscriptions,
  type LiveConnection,
} from "../support/live-client.js";
import { CostRecordChangedDocument } from "../e2e/generated/graphql.js";
import { collect, pollJob, trigger } from "../e2e/collections-fixture.js";
import { checkErrors } from "./error-checks.js";
import { storedCosts } from "../support/stored-costs.js";
import { FULL, startReliabilityStack, type ReliabilityStack } from "./stack.js";

type Fault = "stall" | "blackhole" | "cut";
const TENANT = "acme";
const TODAY = dayOfInstant(new Date());
/** Two calendar-month windows at least, so a cut can land between them. */
const PERIOD = { start: addDays(TODAY, -39), end: TODAY };
/** `connections` is never in the read cache: the read needs DynamoDB whatever was read before. */
const READ = `{ client(id: "${TENANT}") { id name connections { provider } costSummary(period: { start: "${PERIOD.start}", end: "${PERIOD.end}" }) { total { amount } } } }`;
/**
 * One DynamoDB attempt's limit here; a read during a blackhole fails after the SDK's 3 attempts of
 * each DynamoDB call it makes in sequence, within the answer limit. Not shorter: with the whole
 * suite on 2 cores DynamoDB Local itself goes quiet for seconds (4 s failed this file's set-up).
 */
const DYNAMODB_TIMEOUT_MS = 6_000;
const READ_ANSWER_LIMIT_MS = 45_000;
/** The reduced run tries the strictest fault of each kind (a blackhole needs the timeouts, a cut the retries). */
const FAULTS: readonly Fault[] = FULL ? ["stall", "blackhole", "cut"] : ["blackhole", "cut"];

let stack: ReliabilityStack;
let proxy: TcpProxy;
let live: LiveConnection;
const injected: Record<Fault, number> = { stall: 0, blackhole: 0, cut: 0 };

/**
 * The set-up goes through the same tight DynamoDB timeout as the faults. On a cold run (a fresh
 * clone, other files loading DynamoDB Local beside it) DynamoDB Local has stayed silent past three
 * attempts of it, so the set-up, and only the set-up, gets a second and third chance.
 */
async function startStack(): Promise<ReliabilityStack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReliabilityStack({
        proxy,
        tenants: [TENANT],
        adapterDefaults: {
          retryPolicy: { maxAttempts: 4, baseDelayMs: 50, maxDelayMs: 400, maxTotalMs: 10_000 },
        },
        env: { DYNAMODB_TIMEOUT_MS: String(DYNAMODB_TIMEOUT_MS) },
      });
    } catch (error) {
      if (attempt >= 3 || (error as Error).name !== "TimeoutError") throw error;
      console.warn(`[reliability] DynamoDB Local silent during set-up (attempt ${attempt}); starting again`);
    }
  }
}

beforeAll(async () => {
  const dynamo = new URL(inject("dynamoEndpoint"));
  proxy = await startTcpProxy({ host: dynamo.hostname, port: Number(dynamo.port) });
  stack = await startStack();
  live = connectLive(stack.server.wsUrl, bearer(stack.admin));
  await live.acknowledged;
}, 400_000);

afterAll(async () => {
  proxy?.pass();
  await live?.close();
  await stack?.stop();
  await proxy?.close();
});

const readiness = async () => (await fetch(stack.server.url.replace(/\/graphql$/, "/readyz"))).status;

function injectFault(fault: Fault) {
  injected[fault]++;
  proxy[fault]();
}

async function readDuring(fault: Fault) {
  injectFault(fault);
  const started = Date.now();
  const [{ status, body }, ready] = await Promise.all([stack.graphql(READ, {}, stack.admin), readiness()]);
  const elapsed = Date.now() - started;
  proxy.pass();
  return { status, body, elapsed, ready };
}

/** Every stored cost record header of the tenant in PERIOD, as "PROVIDER yyyy-mm-dd" (read past the proxy). */
async function storedDays(): Promise<string[]> {
  const days: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await stack.server.store.doc.send(
      new ScanCommand({
        TableName: stack.server.store.names.data,
        FilterExpression: "PK = :pk AND begins_with(SK, :cost)",
        ExpressionAttributeValues: { ":pk": `CLIENT#${TENANT}`, ":cost": "COST#" },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      const [, provider = "", day = ""] = String(item.SK).split("#");
      if (day >= PERIOD.start && day <= PERIOD.end) days.push(`${provider} ${day}`);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return days.sort();
}

describe("DynamoDB faults", () => {
  for (const fault of FAULTS) {
    it(`answers reads during a ${fault} with a masked error in bounded time, then recovers`, async () => {
      const during = await readDuring(fault);
      expect(during.elapsed).toBeLessThan(READ_ANSWER_LIMIT_MS);
      expect(
        checkErrors({ status: during.status, body: JSON.stringify(during.body) }, { graphql: true }).filter(
          (problem) => !problem.startsWith("INTERNAL_SERVER_ERROR"),
        ),
      ).toEqual([]);
      const [error] = during.body.errors ?? [];
      expect(error?.extensions?.code).toBe("INTERNAL_SERVER_ERROR");
      const requestId = String(error?.extensions?.requestId);
      expect(
        stack.server.logs.some((line) => line.includes(requestId) && line.includes("unexpected error")),
      ).toBe(true);
      expect(during.ready).toBe(503);

      const after = await stack.graphql<{ client: { id: string } }>(READ, {}, stack.admin);
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data?.client.id).toBe(TENANT);
      await expect.poll(readiness, { timeout: 30_000, interval: 250 }).toBe(200);
    });
  }

  for (const fault of FAULTS) {
    it(`delivers every change written while the stream consumer's DynamoDB is in a ${fault}`, async () => {
      const subscription = live.subscribe(CostRecordChangedDocument, {
        clientId: TENANT,
        providers: ["AWS"],
      });
      await waitForOpenSubscriptions(stack.server.url, 1);
      injectFault(fault);
      // Written past the proxy, as another instance would: the changes land in the stream meanwhile.
      const start = { stall: "2003-01-01", blackhole: "2004-01-01", cut: "2005-01-01" }[fault];
      const records = costRecords({ clientId: TENANT, provider: "AWS" }, start, 5);
      await stack.server.stores.costs.upsertDays(records);
      await sleep(3 * DYNAMODB_TIMEOUT_MS);
      proxy.pass();
      await subscription.waitFor(
        (events) => records.every((r) => events.some((e) => e.costRecordChanged.record.date === r.date)),
        "every change written during the outage",
        60_000,
      );
      stack.bodies.push(JSON.stringify(subscription.results));
      subscription.unsubscribe();
      expect(subscription.results.flatMap((r) => r.errors ?? [])).toEqual([]);
    });
  }

  it("reports a collection cut off from DynamoDB, and a re-run stores every day exactly once", async () => {
    // Slow provider answers keep the pulls in flight while DynamoDB goes away under them.
    for (const provider of CLOUD_PROVIDERS)
      stack.clouds.simulators[provider].faults.inject({ kind: "slow", delayMs: 800 });
    const job = await trigger(stack.graphql, stack.admin, { clientId: TENANT, period: PERIOD });
    injectFault("cut");
    // The run ends while DynamoDB is still gone: not even its failure can be stored.
    expect(await stack.server.runtime.services.collections.waitForJob(job.id)).toBeNull();
    proxy.pass();
    // Once DynamoDB answers again the service stores the lost end: the job is not left RUNNING.
    const reported = await pollJob(stack.graphql, stack.admin, job.id);
    expect(reported.status).toBe("FAILED");
    expect(reported.providers.map((p) => p.error?.code)).toEqual(
      CLOUD_PROVIDERS.map(() => "STORE_UNAVAILABLE"),
    );
    expect(reported.providers.every((p) => p.error?.retryable)).toBe(true);

    const rerun = await collect(stack.graphql, stack.admin, { clientId: TENANT, period: PERIOD });
    expect(rerun.id).not.toBe(job.id);
    expect(rerun.status, JSON.stringify(rerun.providers)).toBe("SUCCEEDED");
    const expected = CLOUD_PROVIDERS.flatMap((p) =>
      daysInRange(PERIOD.start, PERIOD.end).map((d) => `${p} ${d}`),
    );
    expect(await storedDays()).toEqual(expected.sort());
    for (const provider of CLOUD_PROVIDERS) {
      const headers = await storedCosts(stack.server.store).headers(
        TENANT,
        provider,
        PERIOD.start,
        PERIOD.end,
      );
      for (const header of headers) {
        const expectedTotal = stack.clouds.datasets[provider].total(header.date, header.date);
        if (provider !== "AZURE") expect(header.total).toBeCloseTo(expectedTotal, 2);
      }
    }
  });

  it("sent no secret anywhere", () => {
    stack.expectNoSecretLeaked();
    console.info(
      `[reliability] DynamoDB faults: ${injected.stall} stalls, ${injected.blackhole} blackholes and ` +
        `${injected.cut} cuts injected; 0 events lost`,
    );
  });
});
