/**
 * Collections when things go wrong: a provider that starts refusing half-way, a second trigger
 * while a job runs, a job left behind by a crashed process, and a shutdown in the middle of a pull.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { NotFoundError } from "../../src/domain/errors.js";
import type { CollectionJob } from "../../src/domain/collection-job.js";
import { ValidationError } from "../../src/domain/validation.js";
import {
  addDays,
  addMonths,
  daysInRange,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
} from "../../src/domain/dates.js";
import { startCollectionFixture, TODAY, type CollectionFixture } from "./collection-fixture.js";
import { collectionJob } from "../support/collection-jobs.js";

let fixture: CollectionFixture;

beforeAll(async () => {
  fixture = await startCollectionFixture();
}, 120_000);
afterAll(() => fixture?.stop());

const byProvider = (job: CollectionJob) => Object.fromEntries(job.providers.map((p) => [p.provider, p]));

async function storedDays(clientId: string, start: string, end: string) {
  const headers = await fixture.stored.headers(clientId, "GCP", start, end);
  return new Map(headers.map((header) => [header.date, { total: header.total, version: header.version }]));
}

describe("a provider failing half-way through a collection", () => {
  const firstMonth = addMonths(monthOf(TODAY), -4);
  const period = { start: firstDayOfMonth(firstMonth), end: lastDayOfMonth(addMonths(firstMonth, 3)) };
  const firstHalf = { start: period.start, end: lastDayOfMonth(addMonths(firstMonth, 1)) };
  const secondHalf = { start: firstDayOfMonth(addMonths(firstMonth, 2)), end: period.end };

  it("keeps the days of the windows it could not pull, writes the others, and says what failed", async () => {
    await fixture.connectedClient("halfway", "USD", ["GCP", "AZURE"]);
    expect((await fixture.collect("halfway", period)).status).toBe("SUCCEEDED");
    const before = await storedDays("halfway", period.start, period.end);
    expect(before.size).toBe(daysInRange(period.start, period.end).length);

    // The requests the first two month windows take: after those, GCP starts refusing access.
    const counted = fixture.requestCounts().GCP;
    expect((await fixture.collect("halfway", firstHalf, ["GCP"])).providers[0]?.recordsWritten).toBe(0);
    const firstHalfRequests = fixture.requestCounts().GCP - counted;
    fixture.datasets.GCP.restate(daysInRange(period.start, period.end));
    fixture.simulators.GCP.faults.inject({
      kind: "forbidden",
      afterRequests: firstHalfRequests,
      times: 1_000,
    });

    const job = await fixture.collect("halfway", period);
    fixture.simulators.GCP.faults.clear();

    expect(job.status).toBe("PARTIALLY_SUCCEEDED");
    const { GCP: gcp, AZURE: azure } = byProvider(job);
    expect(azure).toMatchObject({ status: "SUCCEEDED", recordsWritten: 0 });
    expect(gcp?.status).toBe("PARTIALLY_SUCCEEDED");
    expect(gcp?.recordsWritten).toBe(daysInRange(firstHalf.start, firstHalf.end).length);
    expect(gcp?.error?.code).toBe("AUTHORIZATION");
    expect(gcp?.error?.retryable).toBe(false);
    // The window that failed is named; the fourth was not even tried (same refusal, wasted requests).
    expect(gcp?.error?.message).toMatch(
      new RegExp(`^${secondHalf.start}\\.\\.${lastDayOfMonth(monthOf(secondHalf.start))}: `),
    );
    expect(gcp?.attempts).toBe(3);

    const after = await storedDays("halfway", period.start, period.end);
    expect(after.size).toBe(before.size);
    for (const day of daysInRange(firstHalf.start, firstHalf.end)) {
      expect(after.get(day)?.version).toBe((before.get(day)?.version ?? 0) + 1);
      expect(Math.abs((after.get(day)?.total ?? 0) - fixture.datasets.GCP.total(day, day))).toBeLessThan(
        0.005,
      );
    }
    for (const day of daysInRange(secondHalf.start, secondHalf.end)) {
      expect(after.get(day)).toEqual(before.get(day));
    }
  });
});

describe("a second trigger while a job runs", () => {
  it("returns the running job instead of starting another pull of the same provider", async () => {
    await fixture.connectedClient("busy", "USD", ["GCP", "AZURE"]);
    fixture.simulators.GCP.faults.inject({ kind: "slow", delayMs: 1_500 });
    const period = { start: addDays(TODAY, -2), end: TODAY };
    const first = await fixture.service.triggerCollection({ clientId: "busy", period, requestedBy: "alice" });
    expect(first.status).toBe("QUEUED");

    const sameProvider = await fixture.service.triggerCollection({
      clientId: "busy",
      providers: ["GCP"],
      period: { start: addDays(TODAY, -10), end: TODAY },
      requestedBy: "bob",
    });
    const overlapping = await fixture.service.triggerCollection({
      clientId: "busy",
      providers: ["AZURE"],
      period,
      requestedBy: "carol",
    });
    expect(sameProvider.id).toBe(first.id);
    expect(overlapping.id).toBe(first.id);
    expect(["QUEUED", "RUNNING"]).toContain(sameProvider.status);

    expect((await fixture.service.waitForJob(first.id))?.status).toBe("SUCCEEDED");
    const { items } = await fixture.stores.jobs.listByClient("busy", { size: 10, backward: false });
    expect(items.map((job) => job.id)).toEqual([first.id]);

    const next = await fixture.service.triggerCollection({ clientId: "busy", period, requestedBy: "bob" });
    expect(next.id).not.toBe(first.id);
    expect((await fixture.service.waitForJob(next.id))?.status).toBe("SUCCEEDED");
  });
});

describe("jobs left behind by a crashed process", () => {
  /** The fixture's clock: the service judges heartbeats by it. */
  const minutesAgo = (minutes: number) => new Date(fixture.clock().getTime() - minutes * 60_000);
  const job = (id: string, clientId: string, updatedAt: Date) =>
    collectionJob(
      {
        id,
        clientId,
        status: "RUNNING",
        period: { start: addDays(TODAY, -1), end: TODAY },
        createdAt: updatedAt.toISOString(),
        startedAt: updatedAt.toISOString(),
        requestedBy: "crashed-process",
      },
      { provider: "AZURE", recordsWritten: 3, apiRequests: 4, attempts: 1 },
    );

  it("recovers jobs whose heartbeat stopped as FAILED (INTERRUPTED), releases their locks, leaves live ones", async () => {
    const crashed = await fixture.stores.jobs.create(job("job-crashed", "crashed", minutesAgo(10)));
    const alive = await fixture.stores.jobs.create(job("job-alive", "elsewhere", minutesAgo(5 / 60)));
    expect(await fixture.stores.jobs.acquireLock("crashed", "AZURE", crashed.id, 900)).toBe(true);
    expect(await fixture.stores.jobs.acquireLock("elsewhere", "AZURE", alive.id, 900)).toBe(true);

    const recovered = await fixture.service.recoverInterruptedJobs();
    expect(recovered.map((j) => j.id)).toEqual([crashed.id]);
    const stored = await fixture.stores.jobs.get(crashed.id);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.finishedAt).toBeDefined();
    expect(stored?.providers[0]).toMatchObject({
      status: "FAILED",
      recordsWritten: 3,
      error: { code: "INTERRUPTED" },
    });
    expect(await fixture.stores.jobs.getLockHolder("crashed", "AZURE")).toBeNull();
    expect(await fixture.stores.jobs.getLockHolder("elsewhere", "AZURE")).toMatchObject({ jobId: alive.id });
    expect((await fixture.stores.jobs.listActive()).map((j) => j.id)).toEqual([alive.id]);
    expect(await fixture.service.recoverInterruptedJobs()).toEqual([]);
  });

  it("a trigger meeting a lock held by a dead job fails that job and proceeds", async () => {
    await fixture.connectedClient("stuck", "EUR", ["AZURE"]);
    const dead = await fixture.stores.jobs.create(job("job-dead", "stuck", minutesAgo(30)));
    expect(await fixture.stores.jobs.acquireLock("stuck", "AZURE", dead.id, 900)).toBe(true);

    const triggered = await fixture.service.triggerCollection({
      clientId: "stuck",
      period: { start: TODAY, end: TODAY },
      requestedBy: "dave",
    });
    expect(triggered.id).not.toBe(dead.id);
    expect((await fixture.stores.jobs.get(dead.id))?.providers[0]?.error?.code).toBe("INTERRUPTED");
    expect((await fixture.service.waitForJob(triggered.id))?.status).toBe("SUCCEEDED");
  });
});

describe("a long-running job", () => {
  let quick: CollectionFixture;
  beforeAll(async () => {
    quick = await startCollectionFixture({ heartbeatIntervalMs: 100, lockTtlSeconds: 60 });
    await quick.connectedClient("slow", "USD", ["AZURE"]);
  }, 120_000);
  afterAll(() => quick?.stop());

  async function runningSlowJob(): Promise<CollectionJob> {
    quick.simulators.AZURE.faults.inject({ kind: "slow", delayMs: 4_000 });
    const queued = await quick.service.triggerCollection({
      clientId: "slow",
      period: { start: TODAY, end: TODAY },
      requestedBy: "gina",
    });
    while ((await quick.stores.jobs.get(queued.id))?.status !== "RUNNING") await sleep(20);
    return queued;
  }

  it("keeps its heartbeat and its lock fresh while a pull is slow", async () => {
    const job = await runningSlowJob();
    const started = await quick.stores.jobs.get(job.id);
    const lock = await quick.stores.jobs.getLockHolder("slow", "AZURE");
    // Heartbeats every 100 ms; the lock's expiry is in whole seconds, so a renewal shows once a
    // second has passed (later when DynamoDB Local is busy), all while the pull is still slow.
    await vi.waitFor(
      async () => {
        const beating = await quick.stores.jobs.get(job.id);
        expect(Date.parse(beating?.updatedAt ?? "")).toBeGreaterThan(Date.parse(started?.updatedAt ?? ""));
        expect((await quick.stores.jobs.getLockHolder("slow", "AZURE"))?.lockExpiresAt).toBeGreaterThan(
          lock?.lockExpiresAt ?? Number.POSITIVE_INFINITY,
        );
      },
      { timeout: 3_500, interval: 100 },
    );
    expect((await quick.service.waitForJob(job.id))?.status).toBe("SUCCEEDED");
  });

  it("stops as FAILED (LOCK_LOST) when another job took its lock over", async () => {
    const job = await runningSlowJob();
    expect(await quick.stores.jobs.releaseLock("slow", "AZURE", job.id)).toBe(true);
    expect(await quick.stores.jobs.acquireLock("slow", "AZURE", "job-intruder", 60)).toBe(true);
    const finished = await quick.service.waitForJob(job.id);
    expect(finished?.status).toBe("FAILED");
    expect(finished?.providers[0]?.error?.code).toBe("LOCK_LOST");
    // Its lock is not its own any more: the intruder keeps it.
    expect((await quick.stores.jobs.getLockHolder("slow", "AZURE"))?.jobId).toBe("job-intruder");
  });
});

describe("a trigger with bad input", () => {
  beforeAll(() => fixture.connectedClient("picky", "USD", ["AZURE"]));
  const trigger = (
    clientId: string,
    input: { period: { start: unknown; end: unknown }; providers?: unknown[] },
  ) =>
    fixture.service.triggerCollection({ clientId, requestedBy: "frank", ...input }).then(
      () => expect.unreachable("expected a rejection"),
      (error: unknown) => error as ValidationError,
    );

  it.each([
    [{ period: { start: "2026-02-30", end: "2026-03-02" } }, "period.start", /is not a calendar day/],
    [{ period: { start: "2026-03-02", end: "2026-03-01" } }, "period.end", /is before period.start/],
    [
      { period: { start: "2025-01-01", end: "2026-02-05" } },
      "period",
      /spans 401 days, more than the maximum of 400/,
    ],
    [{ period: { start: TODAY, end: addDays(TODAY, 1) } }, "period.end", /is in the future/],
    [
      { period: { start: TODAY, end: TODAY }, providers: ["AWS"] },
      "providers",
      /^providers: AWS is not connected/,
    ],
    [
      { period: { start: TODAY, end: TODAY }, providers: ["OCI"] },
      "providers[0]",
      /is not one of AWS, GCP, AZURE/,
    ],
    [{ period: { start: TODAY, end: TODAY }, providers: [] }, "providers", /at least one provider/],
  ])("rejects %o naming the field, and starts nothing", async (input, field, message) => {
    const error = await trigger("picky", input);
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect((await fixture.stores.jobs.listByClient("picky", { size: 10, backward: false })).items).toEqual(
      [],
    );
    expect(await fixture.stores.jobs.getLockHolder("picky", "AZURE")).toBeNull();
  });

  it("refuses a client without connections and an unknown client", async () => {
    await fixture.clientManager.createClient(
      { sub: "admin" },
      { id: "lonely", name: "Lonely", reportingCurrency: "USD" },
    );
    const lonely = await trigger("lonely", { period: { start: TODAY, end: TODAY } });
    expect(lonely.field).toBe("providers");
    expect(lonely.message).toMatch(/no connected provider/);
    const unknown = await trigger("nobody", { period: { start: TODAY, end: TODAY } });
    expect(unknown).toBeInstanceOf(NotFoundError);
  });
});

describe("shutdown", () => {
  it("aborts a running pull, marks the job FAILED with SHUTDOWN, releases its locks and refuses new jobs", async () => {
    await fixture.connectedClient("shutdown", "USD", ["AZURE"]);
    fixture.simulators.AZURE.faults.inject({ kind: "slow", delayMs: 30_000 });
    const queued = await fixture.service.triggerCollection({
      clientId: "shutdown",
      period: { start: TODAY, end: TODAY },
      requestedBy: "erin",
    });
    while ((await fixture.stores.jobs.get(queued.id))?.status !== "RUNNING") await sleep(20);
    await sleep(200);

    await fixture.service.stop();
    const stored = await fixture.stores.jobs.get(queued.id);
    expect(stored?.status).toBe("FAILED");
    expect(stored?.providers[0]?.error).toEqual({
      code: "SHUTDOWN",
      message: "the server shut down while the job ran; trigger it again",
      retryable: true,
    });
    expect(await fixture.stores.jobs.getLockHolder("shutdown", "AZURE")).toBeNull();
    await expect(
      fixture.service.triggerCollection({
        clientId: "shutdown",
        period: { start: TODAY, end: TODAY },
        requestedBy: "erin",
      }),
    ).rejects.toThrow(/shutting down/);
  });
});
