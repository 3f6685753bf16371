/**
 * Billing APIs misbehaving under a collection, injected at the simulators: throttle storms, 5xx,
 * answers slower than the adapters' timeouts, dropped connections; and refusals no retry can fix.
 * Transient faults are retried request by request (the simulators count exactly the extra
 * requests) and every restated day is stored once with the provider's own total; a refusal fails
 * only its provider, names why, and leaves what was stored before untouched.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, dayOfInstant, daysInRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import type { Fault } from "../../src/sandbox/faults.js";
import { byProvider, collect } from "../e2e/collections-fixture.js";
import { storedCosts } from "../support/stored-costs.js";
import { FULL, startReliabilityStack, type ReliabilityStack } from "./stack.js";

const TENANT = "initech";
const TODAY = dayOfInstant(new Date());
const PERIOD = { start: addDays(TODAY, -3), end: TODAY };
const DAYS = daysInRange(PERIOD.start, PERIOD.end);
/** The adapters' own per-request timeout here; a "slow" answer takes longer. */
const REQUEST_TIMEOUT_MS = 1_000;

let stack: ReliabilityStack;
let editor: string;
/** Billing API requests one clean collection of PERIOD takes, per provider. */
let baseline: Record<CloudProvider, number>;
/** Requests the simulators answered with a fault. */
let faultedRequests = 0;

const TRANSIENT: { name: string; fault: Fault }[] = [
  { name: "a throttle storm", fault: { kind: "throttle", times: FULL ? 5 : 3, delayMs: 100 } },
  { name: "server errors", fault: { kind: "server-error", times: 3 } },
  {
    name: "answers slower than the timeout",
    fault: { kind: "slow", times: 2, delayMs: 2 * REQUEST_TIMEOUT_MS },
  },
  { name: "dropped connections", fault: { kind: "drop", times: 2 } },
];

beforeAll(async () => {
  stack = await startReliabilityStack({
    tenants: [TENANT],
    adapterDefaults: {
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      retryPolicy: { maxAttempts: 6, baseDelayMs: 50, maxDelayMs: 400, maxTotalMs: 20_000 },
    },
  });
  editor = await stack.token({ roles: ["editor"], clientIds: [TENANT] });
  const before = stack.clouds.requestCounts();
  const job = await collect(stack.graphql, editor, { clientId: TENANT, period: PERIOD });
  expect(job.status).toBe("SUCCEEDED");
  const after = stack.clouds.requestCounts();
  baseline = Object.fromEntries(CLOUD_PROVIDERS.map((p) => [p, after[p] - before[p]])) as typeof baseline;
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

/** Each stored day of the period, per provider: what was billed (in the billing currency) and its version. */
async function storedDays(provider: CloudProvider) {
  const headers = await storedCosts(stack.server.store).headers(TENANT, provider, PERIOD.start, PERIOD.end);
  return headers.map((h) => ({
    date: h.date,
    billed: h.billedTotals.reduce((sum, b) => sum + b.amount, 0),
    version: h.version,
  }));
}

async function expectProviderTotals(provider: CloudProvider) {
  const days = await storedDays(provider);
  expect(days.map((d) => d.date)).toEqual(DAYS);
  for (const day of days)
    expect(Math.abs(day.billed - stack.clouds.datasets[provider].total(day.date, day.date))).toBeLessThan(
      0.005,
    );
}

describe("provider faults during a collection", () => {
  for (const { name, fault } of TRANSIENT) {
    it(`rides out ${name}: retried request by request, every restated day stored once`, async () => {
      for (const provider of CLOUD_PROVIDERS) {
        stack.clouds.datasets[provider].restate(DAYS);
        stack.clouds.simulators[provider].faults.inject(fault);
        faultedRequests += fault.times ?? 1;
      }
      const before = stack.clouds.requestCounts();
      const job = await collect(stack.graphql, editor, { clientId: TENANT, period: PERIOD });
      const after = stack.clouds.requestCounts();

      expect(job.status).toBe("SUCCEEDED");
      for (const provider of CLOUD_PROVIDERS) {
        expect(after[provider] - before[provider], provider).toBe(baseline[provider] + (fault.times ?? 1));
        expect(byProvider(job.providers)[provider]?.recordsWritten, provider).toBe(DAYS.length);
        await expectProviderTotals(provider);
      }
    });
  }

  it("fails only the providers that refuse, says why, and keeps what they stored before", async () => {
    const refusals: Partial<Record<CloudProvider, Fault>> = {
      AWS: { kind: "auth", times: 50 },
      GCP: { kind: "forbidden", times: 50 },
    };
    const storedBefore = { AWS: await storedDays("AWS"), GCP: await storedDays("GCP") };
    for (const provider of CLOUD_PROVIDERS) stack.clouds.datasets[provider].restate(DAYS);
    for (const [provider, fault] of Object.entries(refusals))
      stack.clouds.simulators[provider as CloudProvider].faults.inject(fault);
    const before = stack.clouds.requestCounts();
    const job = await collect(stack.graphql, editor, { clientId: TENANT, period: PERIOD });
    const after = stack.clouds.requestCounts();
    // A refusal is final: one request each, no retry spent on it.
    expect(after.AWS - before.AWS).toBe(1);
    expect(after.GCP - before.GCP).toBe(1);
    faultedRequests += 2;
    for (const provider of CLOUD_PROVIDERS) stack.clouds.simulators[provider].faults.clear();

    expect(job.status).toBe("PARTIALLY_SUCCEEDED");
    const outcome = byProvider(job.providers);
    expect(outcome.AZURE).toMatchObject({ status: "SUCCEEDED", recordsWritten: DAYS.length });
    for (const provider of ["AWS", "GCP"] as const) {
      expect(outcome[provider]).toMatchObject({ status: "FAILED", recordsWritten: 0 });
      expect(outcome[provider]?.error?.retryable).toBe(false);
      expect(outcome[provider]?.error?.code).toMatch(/^(AUTHENTICATION|AUTHORIZATION)$/);
      expect(outcome[provider]?.error?.message).toMatch(new RegExp(`^${PERIOD.start}\\.\\.`));
      expect(await storedDays(provider)).toEqual(storedBefore[provider]);
    }
    await expectProviderTotals("AZURE");
  });

  it("sent no secret anywhere", () => {
    stack.expectNoSecretLeaked();
    console.info(
      `[reliability] provider faults: ${faultedRequests} requests answered with a fault by the simulators`,
    );
  });
});
