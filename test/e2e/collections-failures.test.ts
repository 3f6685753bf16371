/**
 * A provider that starts refusing half-way through a collection, seen over GraphQL: the job is
 * PARTIALLY_SUCCEEDED, the failing provider says what failed and where, the other providers finish,
 * and the days the failed windows would have replaced stay exactly as they were stored.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, daysInRange, firstDayOfMonth, lastDayOfMonth, monthOf } from "../../src/domain/dates.js";
import { CostRecordsDocument, type CostRecordFieldsFragment } from "./generated/graphql.js";
import {
  byProvider,
  collect,
  startConnectedSandbox,
  type ConnectedSandbox,
  expectNoSecretIn,
  type FinishedJob,
} from "./collections-fixture.js";

const CLIENT = "halfway";
let stack: ConnectedSandbox;

beforeAll(async () => {
  stack = await startConnectedSandbox(CLIENT);
}, 120_000);

afterAll(() => stack?.server.stop());

/** The client's AWS days of a period, by date (the period is short enough for one page). */
async function awsDays(period: {
  start: string;
  end: string;
}): Promise<Map<string, CostRecordFieldsFragment>> {
  const { body } = await stack.call(
    CostRecordsDocument,
    { clientId: CLIENT, period, provider: "AWS", first: 100 },
    stack.viewer,
  );
  expect(body.errors).toBeUndefined();
  const connection = body.data!.client!.costRecords;
  expect(connection.pageInfo.hasNextPage).toBe(false);
  return new Map(connection.edges.map(({ node }) => [node.date, node]));
}

describe("a provider failing half-way through a collection", () => {
  let period: { start: string; end: string };
  let pulled: { start: string; end: string };
  let refusedWindow: { start: string; end: string };
  let before: Map<string, CostRecordFieldsFragment>;
  let after: Map<string, CostRecordFieldsFragment>;
  let job: FinishedJob;

  beforeAll(async () => {
    const { clouds } = stack.server.sandbox;
    // Three past months: the first is pulled, the second refused, the third not even tried.
    const firstMonth = addMonths(monthOf(clouds.datasets.AWS.today), -4);
    period = { start: firstDayOfMonth(firstMonth), end: lastDayOfMonth(addMonths(firstMonth, 2)) };
    pulled = { start: period.start, end: lastDayOfMonth(firstMonth) };
    refusedWindow = {
      start: firstDayOfMonth(addMonths(firstMonth, 1)),
      end: lastDayOfMonth(addMonths(firstMonth, 1)),
    };
    expect((await collect(stack.call, stack.editor, { clientId: CLIENT, period })).status).toBe("SUCCEEDED");
    before = await awsDays(period);

    // The Cost Explorer requests the first month window takes; after those, AWS denies access.
    const counted = clouds.requestCounts().AWS;
    const measured = await collect(stack.call, stack.editor, {
      clientId: CLIENT,
      providers: ["AWS"],
      period: pulled,
    });
    expect(measured.providers[0]).toMatchObject({ status: "SUCCEEDED", recordsWritten: 0 });
    const pulledRequests = clouds.requestCounts().AWS - counted;
    // The provider restates every day: whatever it still answers is written, nothing else may change.
    clouds.datasets.AWS.restate(daysInRange(period.start, period.end));
    clouds.simulators.AWS.faults.inject({ kind: "forbidden", afterRequests: pulledRequests, times: 1_000 });
    try {
      job = await collect(stack.call, stack.editor, { clientId: CLIENT, period });
    } finally {
      clouds.simulators.AWS.faults.clear();
    }
    after = await awsDays(period);
  }, 180_000);

  it("ends PARTIALLY_SUCCEEDED while the other providers SUCCEEDED", () => {
    expect(job.status).toBe("PARTIALLY_SUCCEEDED");
    expect(job.finishedAt).not.toBeNull();
    const progress = byProvider(job.providers);
    expect(progress.AWS?.status).toBe("PARTIALLY_SUCCEEDED");
    for (const provider of ["GCP", "AZURE"] as const) {
      expect(progress[provider]).toMatchObject({ status: "SUCCEEDED", recordsWritten: 0, error: null });
    }
  });

  it("reports the refusing provider's error with a clear code and the window it failed on", () => {
    const aws = byProvider(job.providers).AWS!;
    expect(aws.error).toMatchObject({ code: "AUTHORIZATION", retryable: false });
    expect(aws.error!.message).toMatch(
      new RegExp(
        `^${refusedWindow.start}\\.\\.${refusedWindow.end}: AWS .*AccessDeniedException.*ce:GetCostAndUsage`,
      ),
    );
    // The windows pulled before the refusal were written: every (restated) day of them.
    expect(aws.recordsWritten).toBe(daysInRange(pulled.start, pulled.end).length);
  });

  it("keeps every day the failed windows covered exactly as stored before, and updates the pulled ones", () => {
    const { AWS: dataset } = stack.server.sandbox.clouds.datasets;
    expect(after.size).toBe(daysInRange(period.start, period.end).length);
    expect(after.size).toBe(before.size);
    for (const [day, stored] of before) {
      const now = after.get(day)!;
      if (day <= pulled.end) {
        expect(now.version).toBe(stored.version + 1);
        expect(Math.abs(now.total.amount - dataset.total(day, day))).toBeLessThan(0.005);
      } else {
        expect({ day, version: now.version, total: now.total }).toEqual({
          day,
          version: stored.version,
          total: stored.total,
        });
      }
    }
  });

  it("never sends a secret back in any response body, nor writes one to any log line", () => {
    expect(stack.bodies.length).toBeGreaterThan(10);
    expectNoSecretIn([...stack.bodies, ...stack.server.logs], stack.providers.secrets);
  });
});
