/**
 * Collections driven over GraphQL against the sandbox's simulators and DynamoDB Local: a 13-month
 * backfill of three providers reconciled to the cent with the providers' own totals, a re-run that
 * writes nothing, and a restated day that moves exactly its day and its month.
 */
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_EXCHANGE_RATES_FILE } from "../../src/sandbox/exchange-rates.js";
import {
  addDays,
  addMonths,
  daysInRange,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
  monthsInRange,
} from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import {
  ClientCollectionJobsDocument,
  CostRecordsDocument,
  OverviewDocument,
  type CostRecordFieldsFragment,
  type CostRecordsQueryVariables,
} from "./generated/graphql.js";
import {
  byProvider,
  collect,
  startConnectedSandbox,
  type ConnectedSandbox,
  expectNoSecretIn,
  pollJob,
  trigger,
  type FinishedJob,
} from "./collections-fixture.js";

const CLIENT = "acme";
const DAYS = 395;
let stack: ConnectedSandbox;
let period: { start: string; end: string };

beforeAll(async () => {
  stack = await startConnectedSandbox(CLIENT);
  period = { start: addDays(stack.today, 1 - DAYS), end: stack.today };
}, 120_000);

afterAll(() => stack?.server.stop());

/** Every stored record of the period (all providers), read page by page as a dashboard would. */
async function storedRecords(range = period, provider?: CloudProvider): Promise<CostRecordFieldsFragment[]> {
  const records: CostRecordFieldsFragment[] = [];
  const variables: CostRecordsQueryVariables = { clientId: CLIENT, period: range, first: 100 };
  if (provider) variables.provider = provider;
  for (;;) {
    const { body } = await stack.call(CostRecordsDocument, variables, stack.viewer);
    expect(body.errors).toBeUndefined();
    const page = body.data!.client!.costRecords;
    records.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage) break;
    variables.after = page.pageInfo.endCursor;
  }
  return records;
}

const versions = (records: CostRecordFieldsFragment[]) =>
  new Map(records.map((record) => [`${record.provider}|${record.date}`, record.version]));

/** The sandbox's own EUR -> USD rate of each month, read from its rates file. */
async function eurToUsd(): Promise<Map<string, number>> {
  const rates = JSON.parse(await readFile(SANDBOX_EXCHANGE_RATES_FILE, "utf8")) as {
    month: string;
    from: string;
    to: string;
    rate: number;
  }[];
  return new Map(rates.filter((r) => r.from === "EUR" && r.to === "USD").map((r) => [r.month, r.rate]));
}

describe("a 13-month backfill of three providers through GraphQL", () => {
  let answered: FinishedJob;
  let overlapping: FinishedJob;
  let finished: FinishedJob;
  let requests: Record<CloudProvider, number>;
  let records: CostRecordFieldsFragment[];

  beforeAll(async () => {
    const { clouds } = stack.server.sandbox;
    const before = clouds.requestCounts();
    // One slow BigQuery answer keeps the job running while the overlapping trigger arrives.
    clouds.simulators.GCP.faults.inject({ kind: "slow", delayMs: 1_500 });
    answered = await trigger(stack.call, stack.editor, { clientId: CLIENT, period });
    overlapping = await trigger(stack.call, stack.editor, {
      clientId: CLIENT,
      providers: ["GCP"],
      period: { start: addDays(stack.today, -30), end: stack.today },
    });
    finished = await pollJob(stack.call, stack.viewer, answered.id);
    const after = clouds.requestCounts();
    requests = {
      AWS: after.AWS - before.AWS,
      GCP: after.GCP - before.GCP,
      AZURE: after.AZURE - before.AZURE,
    };
    records = await storedRecords();
  }, 180_000);

  it("answers the trigger at once with a QUEUED or RUNNING job, and an overlapping trigger with that same job", async () => {
    expect(["QUEUED", "RUNNING"]).toContain(answered.status);
    expect(answered.finishedAt).toBeNull();
    expect(answered.period).toEqual(period);
    expect(answered.providers.map((p) => p.provider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
    expect(overlapping.id).toBe(answered.id);
    const { body } = await stack.call(
      ClientCollectionJobsDocument,
      { clientId: CLIENT, first: 10 },
      stack.viewer,
    );
    expect(body.data!.client!.collectionJobs.edges.map((edge) => edge.node.id)).toEqual([answered.id]);
  });

  it("succeeds with every day written once per provider and exactly the requests the simulators answered", () => {
    expect(finished.status).toBe("SUCCEEDED");
    expect(finished.finishedAt).not.toBeNull();
    for (const provider of CLOUD_PROVIDERS) {
      const progress = byProvider(finished.providers)[provider]!;
      expect(progress).toMatchObject({ status: "SUCCEEDED", recordsWritten: DAYS, error: null });
      expect(progress.apiRequests).toBeGreaterThan(0);
      expect(progress.apiRequests, provider).toBe(requests[provider]);
    }
  });

  it("stores every day of the period once per provider", () => {
    expect(records).toHaveLength(DAYS * CLOUD_PROVIDERS.length);
    expect(versions(records).size).toBe(DAYS * CLOUD_PROVIDERS.length);
    const days = new Set(daysInRange(period.start, period.end));
    expect(records.every((record) => days.has(record.date) && record.version === 1)).toBe(true);
    expect(records.every((record) => record.collection.jobId === finished.id)).toBe(true);
  });

  it("serves costSummary totals per provider equal to the providers' own totals, Azure's EUR converted monthly, to the cent", async () => {
    const { datasets } = stack.server.sandbox.clouds;
    const rates = await eurToUsd();
    const azureInUsd = monthsInRange(period.start, period.end).reduce((sum, month) => {
      const start = firstDayOfMonth(month) < period.start ? period.start : firstDayOfMonth(month);
      const end = lastDayOfMonth(month) > period.end ? period.end : lastDayOfMonth(month);
      return sum + datasets.AZURE.total(start, end) * rates.get(month)!;
    }, 0);
    const expected: Record<CloudProvider, number> = {
      AWS: datasets.AWS.total(period.start, period.end),
      GCP: datasets.GCP.total(period.start, period.end),
      AZURE: azureInUsd,
    };

    const { body } = await stack.call(OverviewDocument, { clientId: CLIENT, period }, stack.viewer);
    expect(body.errors).toBeUndefined();
    const summary = body.data!.client!.costSummary;
    for (const provider of CLOUD_PROVIDERS) {
      const served = byProvider(summary.byProvider)[provider]!.cost;
      expect(served.currency).toBe("USD");
      expect(Math.abs(served.amount - expected[provider])).toBeLessThan(0.005);
    }
    expect(Math.abs(summary.total.amount - (expected.AWS + expected.GCP + expected.AZURE))).toBeLessThan(
      0.005,
    );

    // Each Azure day names the rate it was converted with: the month's published rate.
    for (const record of records.filter((r) => r.provider === "AZURE")) {
      expect(record.exchangeRates).toEqual([
        expect.objectContaining({ from: "EUR", to: "USD", rate: rates.get(monthOf(record.date)) }),
      ]);
    }
  });

  it("writes nothing when re-run over unchanged data, leaving every version as it was", async () => {
    const job = await collect(stack.call, stack.editor, { clientId: CLIENT, period });
    expect(job.status).toBe("SUCCEEDED");
    for (const progress of job.providers) {
      expect(progress).toMatchObject({ status: "SUCCEEDED", recordsWritten: 0 });
      expect(progress.apiRequests).toBeGreaterThan(0);
    }
    expect(versions(await storedRecords())).toEqual(versions(records));
  });
});

describe("a restated day", () => {
  it("is stored as a new version and moves its month's MONTHLY point by exactly the day's change", async () => {
    const month = addMonths(monthOf(stack.today), -2);
    const day = addDays(firstDayOfMonth(month), 14);
    const monthRange = { start: firstDayOfMonth(month), end: lastDayOfMonth(month) };
    const monthly = async () => {
      const { body } = await stack.call<{
        client: { costTimeSeries: { points: { cost: { amount: number } }[] }[] };
      }>(
        `query ($id: ID!, $period: DateRangeInput!) { client(id: $id) {
          costTimeSeries(period: $period, granularity: MONTHLY) { points { date cost { amount } } } } }`,
        { id: CLIENT, period: monthRange },
        stack.viewer,
      );
      expect(body.errors).toBeUndefined();
      const points = body.data!.client.costTimeSeries[0]!.points;
      expect(points).toHaveLength(1);
      return points[0]!.cost.amount;
    };
    const [before] = await storedRecords({ start: day, end: day }, "AWS");
    const monthBefore = await monthly();

    stack.server.sandbox.clouds.datasets.AWS.restate([day]);
    const job = await collect(stack.call, stack.editor, {
      clientId: CLIENT,
      providers: ["AWS"],
      period: { start: day, end: day },
    });

    expect(job.status).toBe("SUCCEEDED");
    expect(job.providers).toEqual([expect.objectContaining({ provider: "AWS", recordsWritten: 1 })]);
    const [after] = await storedRecords({ start: day, end: day }, "AWS");
    expect(after!.version).toBe(before!.version + 1);
    expect(after!.collection.jobId).toBe(job.id);
    const restatedTotal = stack.server.sandbox.clouds.datasets.AWS.total(day, day);
    expect(Math.abs(after!.total.amount - restatedTotal)).toBeLessThan(0.005);
    expect(Math.abs(after!.total.amount - before!.total.amount)).toBeGreaterThan(0.01);
    expect(await monthly()).toBeCloseTo(monthBefore + (after!.total.amount - before!.total.amount), 6);
  });
});

describe("secrets sent in connectProvider", () => {
  it("never sends a secret back in any response body, nor writes one to any log line", () => {
    expect(stack.bodies.length).toBeGreaterThan(20);
    expectNoSecretIn([...stack.bodies, ...stack.server.logs], stack.providers.secrets);
  });
});
