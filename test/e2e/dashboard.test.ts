/**
 * The dashboard (src/dashboard) in Chromium against the real sandbox, opened the way the sandbox's
 * banner says: `/#token=<viewer>`, with TRUSTED_DOCUMENTS=only (so a viewer's page works only if it
 * sends document ids). Each view shows the numbers the API returns for the same operation; a
 * restatement reaches the screen by subscription, adjusted in place where the event carries what
 * is needed, else read again in one request; a viewer gets no editor controls; an editor uses it by
 * keyboard alone; another tenant's id shows "not allowed"; nothing leaves the origin; no console
 * error; axe finds no serious or critical violation. Screenshots of each view go to test/artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { Page } from "playwright-core";
import type { BackfilledSandbox } from "../support/sandbox-server.js";
import {
  addDays,
  axe,
  expectFewRequests,
  focusedMatches,
  foreignRequests,
  isoDay,
  money,
  monthEnd,
  monthStart,
  screenshot,
  setHash,
  startDashboardUnderTest,
  tabTo,
  trafficMark,
  type DashboardUnderTest,
  type Traffic,
} from "../support/dashboard-page.js";
import { setDemoBudgets } from "../../src/sandbox/demo-budgets.js";
import {
  DashboardBudgetsDocument,
  DashboardCollectionsDocument,
  DashboardExploreDocument,
  DashboardOverviewDocument,
  type DashboardCollectionsQuery,
  type DashboardExploreQuery,
  type DashboardOverviewQuery,
} from "../../src/dashboard/generated/graphql.js";

const CLIENT = "demo";

let dashboard: DashboardUnderTest;
let stack: BackfilledSandbox;
let origin: string;
let page: Page;
let traffic: Traffic;

/** The API's answer to the page's own operation, asked as the viewer by its document id. */
async function api<T>(document: TypedDocumentNode<T, never>, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(stack.server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.viewer}` },
    body: JSON.stringify({
      documentId: (document as { __meta__?: { hash: string } }).__meta__?.hash,
      variables,
    }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

function overviewVariables() {
  const now = isoDay(new Date());
  return {
    clientId: CLIENT,
    monthToDate: { start: monthStart(now), end: now },
    month: { start: monthStart(now), end: monthEnd(now) },
    recent: { start: addDays(now, -59), end: now },
    latest: 5,
  };
}

/** The Explore view's operation as the page sends it for `#/…/explore?from&to&by=SERVICE&top=3`. */
function exploreVariables(from: string, now: string) {
  return {
    clientId: CLIENT,
    period: { start: from, end: now },
    by: "SERVICE" as const,
    top: 3,
    granularity: "DAILY" as const,
    filter: null,
    forecastPeriod: { start: monthStart(now), end: monthEnd(now) },
    anomalies: 100,
  };
}

const open = (token: string, hash?: string) => dashboard.open(token, hash);

beforeAll(async () => {
  dashboard = await startDashboardUnderTest("dashboard", CLIENT, { backfillDays: 45 });
  ({ stack, origin, page, traffic } = dashboard);
  await setDemoBudgets(stack.server.sandbox.runtime.useCases(), CLIENT, isoDay(new Date()));
}, 180_000);

afterAll(async () => {
  await dashboard?.stop();
});

describe("the dashboard", () => {
  it("is served at / with hashed, long-cached assets, and the sign-in settings", async () => {
    const index = await fetch(`${origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await index.text();
    const asset = html.match(/\/assets\/[\w-]+\.js/)![0];
    const script = await fetch(`${origin}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("cache-control")).toContain("immutable");
    expect(await (await fetch(`${origin}/dashboard/config.json`)).json()).toEqual({ oidc: null });
    // The playground stays on GET /graphql.
    const playground = await fetch(`${origin}/graphql`, { headers: { accept: "text/html" } });
    expect(await playground.text()).toContain("graphiql");
  });

  it("overview: the API's numbers, the token out of the URL and out of storage", async () => {
    const started = Date.now();
    await open(stack.viewer);
    await page.waitForSelector("[data-testid=mtd-total]");
    console.info(`dashboard: overview on screen ${Date.now() - started} ms after navigation`);
    expect(page.url()).not.toContain("token");
    expect(page.url()).toContain(`#/${CLIENT}/overview`);
    const stored = await page.evaluate<string>(
      "JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })",
    );
    expect(stored).not.toContain(stack.viewer);

    const { client } = await api<DashboardOverviewQuery>(DashboardOverviewDocument, overviewVariables());
    const c = client!;
    expect(await page.textContent("[data-testid=mtd-total]")).toBe(money(c.costSummary.total));
    expect(await page.textContent("[data-testid=forecast-expected]")).toBe(money(c.costForecast.expected));
    expect(await page.textContent("[data-testid=forecast-band]")).toContain(money(c.costForecast.lower));
    const providers = await page.locator("[data-testid=providers] .bar-row").allInnerTexts();
    expect(providers).toHaveLength(c.costSummary.byProvider.length);
    for (const p of c.costSummary.byProvider) {
      expect(providers.some((row) => row.includes(p.provider) && row.includes(money(p.cost)))).toBe(true);
    }
    expect(c.budgets.length).toBeGreaterThan(0);
    expect(await page.locator("[data-testid=budgets] .bar-row").count()).toBe(c.budgets.length);
    expect(await page.locator("[data-testid=anomalies] li").count()).toBe(c.costAnomalies.edges.length);
    await screenshot(page, "overview");
    expect(await axe(page)).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, "overview-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it("applies a restatement from the subscription; a budget the events cannot adjust is read again", async () => {
    const before = await page.textContent("[data-testid=mtd-total]");
    const since = await trafficMark(page, traffic);
    const job = await stack.server.waitForJob((await stack.server.sandbox.refresh()).id);
    const { client } = await api<DashboardOverviewQuery>(DashboardOverviewDocument, overviewVariables());
    const expected = money(client!.costSummary.total);
    expect(expected).not.toBe(before);
    await expect.poll(() => page.textContent("[data-testid=mtd-total]"), { timeout: 15_000 }).toBe(expected);
    expect(await page.textContent("[data-testid=events]")).toMatch(/[1-9]\d* cost updates/);
    // The demo's Storage budget filters by category: an event carries a restated day's old total
    // only, so when the restated days fall in its period the budgets are read again, once per burst
    // of events. The others move by the events' deltas, with no request.
    const filtered = client!.budgets.filter((b) => b.filter?.categories?.length);
    expect(filtered.length).toBeGreaterThan(0);
    const touched = filtered.some(
      (b) => job.period.start <= b.status.period.end && job.period.end >= b.status.period.start,
    );
    if (touched)
      await expect.poll(() => traffic.graphqlPosts - since.posts, { timeout: 15_000 }).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator("[data-testid=budgets] .bar-value").allInnerTexts(), { timeout: 15_000 })
      .toEqual(
        client!.budgets.map((b) =>
          expect.stringContaining(`${money(b.status.actual)} of ${money(b.amount)}`),
        ),
      );
    await expectFewRequests(page, traffic, since, job, touched);
  });

  it("reads the budgets once more when a change arrives while their answer is on its way", async () => {
    const budgetsId = (DashboardBudgetsDocument as { __meta__?: { hash: string } }).__meta__!.hash;
    const graphql = `${origin}/graphql`;
    let held = false;
    let readAtServer!: () => void;
    const read = new Promise<void>((resolve) => (readAtServer = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // The first read of the budgets is answered by the server at once, and reaches the page only
    // after the next restatement's events did.
    await page.route(graphql, async (route) => {
      if (held || !route.request().postData()?.includes(budgetsId)) return route.continue();
      held = true;
      const response = await route.fetch();
      readAtServer();
      await released;
      await route.fulfill({ response });
    });
    try {
      await stack.server.waitForJob((await stack.server.sandbox.refresh()).id);
      await read;
      const first = (await api<DashboardOverviewQuery>(DashboardOverviewDocument, overviewVariables()))
        .client!;
      await stack.server.waitForJob((await stack.server.sandbox.refresh()).id);
      const { client } = await api<DashboardOverviewQuery>(DashboardOverviewDocument, overviewVariables());
      const expected = client!.budgets.map((b) => `${money(b.status.actual)} of ${money(b.amount)}`);
      expect(expected).not.toEqual(
        first.budgets.map((b) => `${money(b.status.actual)} of ${money(b.amount)}`),
      );
      await expect
        .poll(() => page.textContent("[data-testid=mtd-total]"), { timeout: 15_000 })
        .toBe(money(client!.costSummary.total));
      // Past the page's wait after a burst: it wants the budgets again while the first answer is out.
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      release();
      await expect
        .poll(() => page.locator("[data-testid=budgets] .bar-value").allInnerTexts(), { timeout: 15_000 })
        .toEqual(expected.map((text) => expect.stringContaining(text)));
    } finally {
      release();
      await page.unroute(graphql);
    }
  });

  it("explore: breakdown and stacked series as the API returns them, filters in the URL", async () => {
    const now = isoDay(new Date());
    const from = addDays(now, -20);
    const started = Date.now();
    await setHash(page, `#/${CLIENT}/explore?from=${from}&to=${now}&by=SERVICE&top=3&granularity=DAILY`);
    await page.waitForSelector(".uplot canvas");
    console.info(`dashboard: first chart ${Date.now() - started} ms after choosing Explore`);
    const { client } = await api<DashboardExploreQuery>(
      DashboardExploreDocument,
      exploreVariables(from, now),
    );
    const rows = await page.locator("[data-testid=breakdown] .bar-row").allInnerTexts();
    expect(rows).toHaveLength(client!.costBreakdown.length);
    client!.costBreakdown.forEach((item, i) => {
      expect(rows[i]).toContain(item.label);
      expect(rows[i]).toContain(money(item.cost));
    });
    // The series table: one row per day of the axis, the same total per day as the API's series.
    await page.click("summary:has-text('Table: daily cost')");
    const tableRows = page.locator("figure table tbody tr");
    const days = client!.costTimeSeries[0]!.points.length;
    expect(await tableRows.count()).toBeGreaterThanOrEqual(days);
    // Filters live in the URL: a provider filter is applied by the form.
    await page.check("input[value=AWS]");
    await page.click("button:has-text('Apply')");
    await expect.poll(() => page.url()).toContain("providers=AWS");
    await page.waitForSelector(".uplot canvas");
    await screenshot(page, "explore");
    expect(await axe(page)).toEqual([]);
  });

  it("explore by service: a restatement changes the numbers on screen, read again once per burst", async () => {
    const now = isoDay(new Date());
    // The last three weeks: the restated days (the most recent ones) are always inside.
    const from = addDays(now, -20);
    await setHash(page, `#/${CLIENT}/explore?from=${from}&to=${now}&by=SERVICE&top=3&granularity=DAILY`);
    await page.waitForSelector("[data-testid=breakdown] .bar-row");
    const rows = () => page.locator("[data-testid=breakdown] .bar-row").allInnerTexts();
    const before = await rows();
    const since = await trafficMark(page, traffic);
    const job = await stack.server.waitForJob((await stack.server.sandbox.refresh()).id);
    const { client } = await api<DashboardExploreQuery>(
      DashboardExploreDocument,
      exploreVariables(from, now),
    );
    const expected = client!.costBreakdown.map((item) => `${item.label} ${money(item.cost)}`);
    expect(before.map((row) => row.replace(/\s+/g, " "))).not.toEqual(
      expected.map((row) => expect.stringContaining(row)),
    );
    await expect
      .poll(async () => (await rows()).map((row) => row.replace(/\s+/g, " ")), { timeout: 15_000 })
      .toEqual(expected.map((row) => expect.stringContaining(row)));
    await expectFewRequests(page, traffic, since, job, true);
  });

  it("anomaly detail and collections for a viewer: no editor controls", async () => {
    await setHash(page, `#/${CLIENT}/overview`);
    // The demo's labelled spike (four days back) is among the latest anomalies.
    await page.waitForSelector("[data-testid=anomalies] a");
    await page.locator("[data-testid=anomalies] a").first().click();
    await page.waitForSelector("[data-testid=anomaly-summary]");
    expect(await page.locator("button:has-text('Not an anomaly')").count()).toBe(0);
    await screenshot(page, "anomaly");
    expect(await axe(page)).toEqual([]);
    await setHash(page, `#/${CLIENT}/collections`);
    await page.waitForSelector("[data-testid=connections]");
    const { client } = await api<DashboardCollectionsQuery>(DashboardCollectionsDocument, {
      clientId: CLIENT,
      jobs: 10,
    });
    expect(await page.locator("[data-testid=connections] tbody tr").count()).toBe(client!.connections.length);
    expect(await page.locator("[data-testid=jobs] .job").count()).toBe(client!.collectionJobs.edges.length);
    expect(await page.locator("button:has-text('Collect')").count()).toBe(0);
    await screenshot(page, "collections");
    expect(await axe(page)).toEqual([]);
  });

  it("lets an editor trigger a collection and shows its progress live", async () => {
    await open(stack.editor, `#/${CLIENT}/collections`);
    await page.waitForSelector("[data-testid=jobs]");
    const jobs = await page.locator("[data-testid=jobs] .job").count();
    await page.click("button:has-text('Collect the last 3 days')");
    await expect
      .poll(() => page.locator("[data-testid=jobs] .job").count(), { timeout: 15_000 })
      .toBe(jobs + 1);
    await expect
      .poll(() => page.locator("[data-testid=jobs] .job").first().innerText(), { timeout: 30_000 })
      .toMatch(/^SUCCEEDED|^PARTIALLY_SUCCEEDED/);
  });

  it("works by keyboard alone: views, a filter, an anomaly and its feedback", async () => {
    // A fresh page, the focus nowhere yet: everything below is Tab, Shift+Tab, Enter, Space, arrows.
    await page.goto("about:blank");
    await open(stack.editor);
    await page.waitForSelector("[data-testid=mtd-total]");
    await tabTo(page, "nav a[data-key=nav-explore]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=breakdown]");
    expect(page.url()).toContain(`#/${CLIENT}/explore`);
    // The link keeps the focus across the view change.
    expect(await focusedMatches(page, "nav a[data-key=nav-explore]")).toBe(true);

    await tabTo(page, "select[name=by]");
    await page.keyboard.press("ArrowDown");
    expect(await page.inputValue("select[name=by]")).toBe("ACCOUNT");
    await tabTo(page, "input[value=GCP]");
    await page.keyboard.press("Space");
    expect(await page.isChecked("input[value=GCP]")).toBe(true);
    await tabTo(page, "button[data-key=f-apply]");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.url()).toContain("by=ACCOUNT");
    expect(page.url()).toContain("providers=GCP");
    await expect
      .poll(() => page.textContent("section[aria-labelledby=breakdown-h] h2"))
      .toContain("Cost by account");
    // The new view keeps the keyboard's place.
    expect(await focusedMatches(page, "button[data-key=f-apply]")).toBe(true);

    await tabTo(page, "nav a[data-key=nav-overview]", "Shift+Tab");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=anomalies] a");
    await tabTo(page, "[data-testid=anomalies] a");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=anomaly-summary]");
    await tabTo(page, "button[data-key=fb-CONFIRMED]");
    expect(await page.getAttribute("button[data-key=fb-CONFIRMED]", "aria-pressed")).toBe("false");
    await page.keyboard.press("Space");
    await page.waitForSelector("[role=status]:has-text('Feedback saved')");
    await expect.poll(() => page.getAttribute("button[data-key=fb-CONFIRMED]", "aria-pressed")).toBe("true");
    expect(await page.textContent("[data-testid=anomaly-summary]")).toContain("feedback CONFIRMED");
    expect(await focusedMatches(page, "button[data-key=fb-CONFIRMED]")).toBe(true);
  });

  it("shows another tenant's id as not allowed, not data", async () => {
    await setHash(page, `#/globex/overview`);
    await page.waitForSelector("[role=alert]");
    expect(await page.textContent("[role=alert]")).toContain("Not allowed");
    expect(await page.locator("[data-testid=mtd-total]").count()).toBe(0);
  });

  it("sent every operation by its document id, none as text", () => {
    expect(traffic.sentById).toBeGreaterThan(10);
    expect(traffic.sentAsText).toEqual([]);
  });

  it("asked nothing of any other origin and logged no error", () => {
    expect(foreignRequests(traffic, origin)).toEqual([]);
    // The refused tenant's answer is a 403, which Chromium reports as a failed resource.
    expect(traffic.consoleErrors.filter((text) => !/status of 403/.test(text))).toEqual([]);
  });
});
