/**
 * Forecasts and budgets over real HTTP and WebSocket, on a fixed "today" (2026-03-15) with 90
 * stored days of AWS and GCP: a forecast's shape and accuracy, intervals that widen with the
 * confidence asked, a restatement that changes it, bad input named by field, and budget alerts
 * raised once each, listed, and pushed live.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clockStartingOn } from "../../src/shared/clock.js";
import { addDays } from "../../src/domain/dates.js";
import { startTestServer, type TestServer } from "../support/server.js";
import {
  bearer,
  connectLive,
  waitForOpenSubscriptions,
  type LiveConnection,
} from "../support/live-client.js";
import { costRecord, costRecords } from "../support/records.js";

const TODAY = "2026-03-15";
const HISTORY_START = addDays(TODAY, -90);
const MARCH = { start: "2026-03-01", end: "2026-03-31" };
const CLIENT = "acme";

let server: TestServer;
let editor: string;
let viewer: string;
let live: LiveConnection;

beforeAll(async () => {
  server = await startTestServer({ clock: clockStartingOn(TODAY), streamConsumer: true });
  await server.stores.clients.create({
    id: CLIENT,
    name: "Acme",
    reportingCurrency: "USD",
    createdAt: `${HISTORY_START}T00:00:00.000Z`,
  });
  for (const provider of ["AWS", "GCP"] as const) {
    await server.runtime.services.stores.costs.upsertDays(
      costRecords({ clientId: CLIENT, provider }, HISTORY_START, 90),
    );
  }
  editor = await server.token({ roles: ["editor"], clientIds: [CLIENT] });
  viewer = await server.token({ roles: ["viewer"], clientIds: [CLIENT] });
  live = connectLive(server.wsUrl, bearer(viewer));
  await live.acknowledged;
}, 120_000);

afterAll(async () => {
  live?.close();
  await server?.stop();
});

interface Forecast {
  actual: { amount: number };
  expected: { amount: number };
  lower: { amount: number };
  upper: { amount: number };
  points: { date: string; expected: { amount: number } }[];
  accuracy: { method: string; baseline: string; mase: number | null; backtestWindows: number };
  basedOnDataUntil: string;
}

async function forecast(confidence: number, filter = "{}"): Promise<Forecast> {
  const { body } = await server.graphql(
    `{ client(id: "${CLIENT}") { costForecast(period: { start: "${MARCH.start}", end: "${MARCH.end}" }, filter: ${filter}, confidence: ${confidence}) {
        actual { amount } expected { amount } lower { amount } upper { amount }
        points { date expected { amount } } accuracy { method baseline mase backtestWindows } basedOnDataUntil } } }`,
    {},
    viewer,
  );
  expect(body.errors).toBeUndefined();
  return (body.data as { client: { costForecast: Forecast } }).client.costForecast;
}

describe("costForecast", () => {
  it("gives the spend so far, the expected total within its interval, the days left and its measured accuracy", async () => {
    const answer = await forecast(0.8);
    const storedMarch = (
      await server.stores.costs.getHeaders(
        ["AWS", "GCP"].flatMap((provider) =>
          Array.from({ length: 14 }, (_, i) => ({
            clientId: CLIENT,
            provider: provider as "AWS",
            date: addDays(MARCH.start, i),
          })),
        ),
      )
    ).reduce((sum, header) => sum + (header?.total ?? 0), 0);
    expect(answer.actual.amount).toBeCloseTo(storedMarch, 6);
    expect(answer.basedOnDataUntil).toBe("2026-03-14");
    expect(answer.points.map((p) => p.date)).toEqual(
      Array.from({ length: 17 }, (_, i) => addDays("2026-03-15", i)),
    );
    expect(answer.expected.amount).toBeGreaterThan(answer.actual.amount);
    expect(answer.lower.amount).toBeLessThanOrEqual(answer.expected.amount);
    expect(answer.upper.amount).toBeGreaterThanOrEqual(answer.expected.amount);
    expect(answer.accuracy.baseline).toBe("seasonal-naive-7");
    expect(answer.accuracy.backtestWindows).toBeGreaterThan(0);
  });

  it("widens its interval with the confidence asked", async () => {
    const [narrow, wide] = [await forecast(0.5), await forecast(0.95)];
    expect(wide.upper.amount - wide.lower.amount).toBeGreaterThan(narrow.upper.amount - narrow.lower.amount);
    expect(wide.expected.amount).toBeCloseTo(narrow.expected.amount, 6);
  });

  it("changes when a provider restates a day", async () => {
    const before = await forecast(0.8, "{ providers: [GCP] }");
    // Through the service's own stores, as a collection writes: it drops the client from its read
    // cache at once, before the stream shows the change.
    await server.runtime.services.stores.costs.upsertDays([
      costRecord({ clientId: CLIENT, provider: "GCP", date: "2026-03-10", scale: 3 }),
    ]);
    const after = await forecast(0.8, "{ providers: [GCP] }");
    expect(after.actual.amount).toBeGreaterThan(before.actual.amount);
    expect(after.expected.amount).not.toBeCloseTo(before.expected.amount, 2);
  });

  it("refuses a confidence outside (0, 1) and a period out of reach, naming the field", async () => {
    for (const [args, field] of [
      [`period: { start: "${MARCH.start}", end: "${MARCH.end}" }, confidence: 1.5`, "confidence"],
      [`period: { start: "2020-01-01", end: "2020-01-31" }`, "period"],
    ] as const) {
      const { body } = await server.graphql(
        `{ client(id: "${CLIENT}") { costForecast(${args}) { basedOnDataUntil } } }`,
        {},
        viewer,
      );
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
  });
});

const SET_BUDGET = `mutation ($input: SetBudgetInput!) { setBudget(input: $input) { id name amount { amount currency } thresholds
  status { actual { amount } breachProbability crossedThresholds forecast { expected { amount } } } } }`;
const ALERTS = `{ client(id: "${CLIENT}") { budgetAlerts(first: 50) { totalCount edges { node { id kind threshold budget { name } } } } } }`;

async function alerts() {
  const { body } = await server.graphql(ALERTS, {}, viewer);
  expect(body.errors).toBeUndefined();
  return (
    body.data as {
      client: {
        budgetAlerts: {
          totalCount: number;
          edges: { node: { kind: string; threshold: number; budget: { name: string } } }[];
        };
      };
    }
  ).client.budgetAlerts;
}

describe("budgets", () => {
  it("refuses bad budgets naming the field, and writes nothing", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: 0 }, "input.amount"],
      [{ amount: 1e15 }, "input.amount"],
      [{ thresholds: [0.5, 11] }, "input.thresholds[1]"],
      [{ name: " " }, "input.name"],
    ];
    for (const [input, field] of cases) {
      const { body } = await server.graphql(
        SET_BUDGET,
        { input: { clientId: CLIENT, name: "x", amount: 100, period: "MONTHLY", ...input } },
        editor,
      );
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    }
    const { body } = await server.graphql(`{ client(id: "${CLIENT}") { budgets { id } } }`, {}, viewer);
    expect(body.data).toEqual({ client: { budgets: [] } });
    const refused = await server.graphql(
      SET_BUDGET,
      { input: { clientId: CLIENT, name: "x", amount: 1, period: "MONTHLY" } },
      viewer,
    );
    expect(refused.body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });

  it("alerts at once when set below what was spent, once per threshold and kind, and pushes each alert", async () => {
    const pushed = live.subscribe<
      { budgetAlert: { kind: string; threshold: number } },
      Record<string, never>
    >(`subscription { budgetAlert(clientId: "${CLIENT}") { kind threshold } }`, {});
    await waitForOpenSubscriptions(server.url, 1);
    const { body } = await server.graphql(
      SET_BUDGET,
      { input: { clientId: CLIENT, name: "Tight", amount: 10, period: "MONTHLY", thresholds: [0.5, 1] } },
      editor,
    );
    expect(body.errors).toBeUndefined();
    const budget = (
      body.data as {
        setBudget: { id: string; status: { crossedThresholds: number[]; breachProbability: number } };
      }
    ).setBudget;
    expect(budget.status.crossedThresholds).toEqual([0.5, 1]);
    expect(budget.status.breachProbability).toBeGreaterThan(0.99);
    const raised = await alerts();
    expect(raised.edges.map((e) => `${e.node.kind} ${e.node.threshold}`).sort()).toEqual([
      "ACTUAL 0.5",
      "ACTUAL 1",
      "FORECAST 1",
    ]);
    expect(raised.totalCount).toBe(3);
    expect(raised.edges.every((e) => e.node.budget.name === "Tight")).toBe(true);
    await pushed.waitFor((events) => events.length >= 3, "three budget alerts");

    // Set again, and a new day of the period lands: nothing is raised twice.
    await server.graphql(
      SET_BUDGET,
      {
        input: {
          clientId: CLIENT,
          id: budget.id,
          name: "Tight",
          amount: 10,
          period: "MONTHLY",
          thresholds: [0.5, 1],
        },
      },
      editor,
    );
    const { lines: _lines, ...today } = costRecord({ clientId: CLIENT, provider: "AWS", date: TODAY });
    await server.runtime.services.stores.costs.upsertDays([{ ...today, lines: _lines }]);
    // A second instance over the same tables (as after a restart) judges the same day again.
    const second = await startTestServer({
      sharedStore: server.store,
      clock: clockStartingOn(TODAY),
      env: { AUTH_JWT_SECRET: server.secret },
    });
    try {
      await second.runtime.useCases().budgets.onRecordChanges([
        {
          kind: "costRecordHeader",
          record: today,
          detailOmitted: false,
          previousTotal: null,
          previous: null,
          sequenceNumber: "1",
        },
      ]);
    } finally {
      await second.stop();
    }
    expect((await alerts()).totalCount).toBe(3);
    expect(pushed.events).toHaveLength(3);
    pushed.unsubscribe();
  });

  it("deletes a budget with its alerts", async () => {
    const { body } = await server.graphql(`{ client(id: "${CLIENT}") { budgets { id } } }`, {}, editor);
    const [budget] = (body.data as { client: { budgets: { id: string }[] } }).client.budgets;
    const deleted = await server.graphql(`mutation { deleteBudget(id: "${budget!.id}") }`, {}, editor);
    expect(deleted.body.data).toEqual({ deleteBudget: true });
    expect((await alerts()).totalCount).toBe(0);
    const again = await server.graphql(`mutation { deleteBudget(id: "${budget!.id}") }`, {}, editor);
    expect(again.body.data).toEqual({ deleteBudget: false });
  });
});
