/**
 * The dashboard's Portfolio page (admins) in Chromium against a sandbox with the portfolio's twelve
 * tenants beside `demo`, under TRUSTED_DOCUMENTS=only. An admin finds it in the nav; its ranking,
 * figures and chart table are the API's answer to the page's own operation; the order, the chart's
 * provider and the next page are chosen by keyboard alone (visible focus at every stop) and land
 * in the URL; a client's name opens its overview; a restatement is read again once per burst; a
 * viewer gets no nav entry and "not allowed" on the route. Nothing leaves the origin, no console
 * error, no serious or critical axe violation; test/artifacts/dashboard-portfolio.png at 1280×800.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  monthStart,
  screenshot,
  setHash,
  signedPercent,
  startDashboardUnderTest,
  tabTo,
  trafficMark,
  type DashboardUnderTest,
  type Traffic,
} from "../support/dashboard-page.js";
import { PORTFOLIO_TENANTS } from "../../src/sandbox/portfolio-tenants.js";
import {
  DashboardPortfolioDocument,
  type DashboardPortfolioQuery,
  type DashboardPortfolioQueryVariables,
} from "../../src/dashboard/generated/graphql.js";

const CLIENT = "demo";
const PROVIDERS = ["AWS", "AZURE", "GCP"] as const;
/** The page's page size (src/dashboard/portfolio.ts). */
const PAGE_SIZE = 10;

let dashboard: DashboardUnderTest;
let stack: BackfilledSandbox;
let admin: string;
let origin: string;
let page: Page;
let traffic: Traffic;

/** What the page asks for on `#/<client>/portfolio?<params>`: month to date, six chart months. */
function variables(params: Partial<DashboardPortfolioQueryVariables> = {}): DashboardPortfolioQueryVariables {
  const now = isoDay(new Date());
  let start = monthStart(now);
  for (let i = 1; i < 6; i += 1) start = monthStart(addDays(start, -1));
  return {
    period: { start: monthStart(now), end: now },
    providers: null,
    orderBy: "COST",
    first: PAGE_SIZE,
    after: null,
    provider: "AWS",
    months: { start, end: now },
    top: 5,
    ...params,
  };
}

/** The API's answer to the page's own operation, asked as an admin by its document id. */
async function api(vars: DashboardPortfolioQueryVariables): Promise<DashboardPortfolioQuery> {
  const response = await fetch(stack.server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${admin}` },
    body: JSON.stringify({
      documentId: (DashboardPortfolioDocument as { __meta__?: { hash: string } }).__meta__?.hash,
      variables: vars,
    }),
  });
  const body = (await response.json()) as { data?: DashboardPortfolioQuery; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data!;
}

/** The ranking's rows as the page should show them: rank, name, figures, one cell per provider. */
const expectedRows = (data: DashboardPortfolioQuery, firstRank: number) =>
  data.portfolio.edges.map(({ node }, i) => [
    String(firstRank + i),
    node.client!.name,
    money(node.summary.total),
    money(node.summary.previousTotal),
    money(node.change),
    signedPercent(node.summary.changePercent),
    ...PROVIDERS.map((p) => {
      const cost = node.summary.byProvider.find((x) => x.provider === p)?.cost;
      return cost ? money(cost) : "–";
    }),
  ]);

const rankingRows = () =>
  page
    .locator("[data-testid=ranking] tbody tr")
    .evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll("th, td")].map((cell) => cell.textContent ?? "")),
    );

const amountOf = (text: string) => Number(text.replace(/^[A-Z]{3} /, "").replace(/,/g, ""));

/**
 * The chart's table against the API's buckets: a row per month, each listed client's cost in its
 * column, and the row (its clients and "Other clients") summing to the month's total.
 */
async function expectChartTable(buckets: DashboardPortfolioQuery["providerCosts"]): Promise<void> {
  const table = page.locator("[data-testid=provider-costs] table");
  const head = await table.locator("thead th").allTextContents();
  const rows = await table
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("th, td")].map((cell) => cell.textContent ?? "")),
    );
  expect(head[0]).toBe("Date");
  expect(head.at(-1)).toBe("Other clients");
  expect(rows.map((row) => row[0])).toEqual(buckets.map((b) => b.date));
  expect(buckets.some((b) => b.topClients.length > 0)).toBe(true);
  buckets.forEach((bucket, i) => {
    const row = rows[i]!;
    for (const { client, cost } of bucket.topClients)
      expect(row[head.indexOf(client!.name)]).toBe(money(cost));
    const total = bucket.totals[0]?.amount ?? 0;
    const sum = row.slice(1).reduce((s, cell) => s + amountOf(cell), 0);
    expect(Math.abs(sum - total)).toBeLessThan(0.02);
  });
}

/** The page's URL parameters. */
const params = () => new URLSearchParams(new URL(page.url()).hash.split("?")[1] ?? "");

const open = (token: string) => dashboard.open(token);

beforeAll(async () => {
  dashboard = await startDashboardUnderTest("dashboard-portfolio", CLIENT, {
    backfillDays: 45,
    portfolioTenants: true,
  });
  ({ stack, origin, page, traffic } = dashboard);
  await stack.server.sandbox.portfolioSeeded;
  admin = await stack.server.token({ roles: ["admin"] });
}, 180_000);

afterAll(async () => {
  await dashboard?.stop();
});

describe("the portfolio page", () => {
  it("shows an admin the API's ranking, figures and chart, each client linked to its overview", async () => {
    await open(admin);
    await page.click("nav a[data-key=nav-portfolio]");
    await page.waitForSelector("[data-testid=ranking] tbody tr");
    expect(page.url()).toMatch(/#\/[^/]+\/portfolio$/);
    const data = await api(variables());
    // demo and the twelve tenants all spent this month: two pages.
    expect(data.portfolio.totalCount).toBe(PORTFOLIO_TENANTS.length + 1);
    expect(data.portfolio.pageInfo.hasNextPage).toBe(true);
    expect(await rankingRows()).toEqual(expectedRows(data, 1));
    expect(await page.textContent("[data-testid=ranking-range]")).toBe(
      `1 to ${PAGE_SIZE} of ${data.portfolio.totalCount}`,
    );
    expect(
      await page
        .locator("[data-testid=ranking] tbody a")
        .evaluateAll((links) => links.map((a) => a.getAttribute("href"))),
    ).toEqual(data.portfolio.edges.map(({ node }) => `#/${encodeURIComponent(node.client!.id)}/overview`));
    await page.waitForSelector("[data-testid=provider-costs] .uplot canvas");
    await page.click("summary:has-text('Table: AWS cost per month')");
    await expectChartTable(data.providerCosts);
    await screenshot(page, "portfolio");
    expect(await axe(page)).toEqual([]);
  });

  it("by keyboard alone: another order, another chart provider, the next page, a client's overview", async () => {
    await page.goto("about:blank");
    await open(admin);
    await tabTo(page, "nav a[data-key=nav-portfolio]");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=ranking] tbody tr");
    const byCost = await api(variables());

    await tabTo(page, "select[name=order]");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    expect(await page.inputValue("select[name=order]")).toBe("RELATIVE_CHANGE");
    await tabTo(page, "select[name=provider]");
    await page.keyboard.press("ArrowDown");
    expect(await page.inputValue("select[name=provider]")).toBe("AZURE");
    await tabTo(page, "button[data-key=f-apply]");
    await page.keyboard.press("Enter");
    await expect.poll(() => params().get("order")).toBe("RELATIVE_CHANGE");
    expect(params().get("provider")).toBe("AZURE");
    const byChange = await api(variables({ orderBy: "RELATIVE_CHANGE", provider: "AZURE" }));
    // The order changes the ranking: the API's two rankings differ, and the page shows the new one.
    const names = (data: DashboardPortfolioQuery) => data.portfolio.edges.map(({ node }) => node.client!.id);
    expect(names(byChange)).not.toEqual(names(byCost));
    await expect.poll(rankingRows).toEqual(expectedRows(byChange, 1));
    expect(await focusedMatches(page, "button[data-key=f-apply]")).toBe(true);
    await page.waitForSelector("summary:has-text('Table: AZURE cost per month')");
    await tabTo(page, "summary[data-key=summary-provider-costs]");
    await page.keyboard.press("Enter");
    await expectChartTable(byChange.providerCosts);

    await tabTo(page, "a[data-key=next-page]", "Shift+Tab");
    await page.keyboard.press("Enter");
    await expect.poll(() => params().get("page")).toBe("2");
    expect(params().get("after")).toBe(byChange.portfolio.pageInfo.endCursor);
    const next = await api(
      variables({
        orderBy: "RELATIVE_CHANGE",
        provider: "AZURE",
        after: byChange.portfolio.pageInfo.endCursor,
      }),
    );
    expect(next.portfolio.edges).toHaveLength(PORTFOLIO_TENANTS.length + 1 - PAGE_SIZE);
    await expect.poll(rankingRows).toEqual(expectedRows(next, PAGE_SIZE + 1));
    expect(await page.locator("a[data-key=next-page]").count()).toBe(0);

    // No next page to keep the focus on: it is back on the view, before the ranking.
    const first = next.portfolio.edges[0]!.node.client!;
    await tabTo(page, `[data-testid=ranking] a[href="#/${first.id}/overview"]`);
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=mtd-total]");
    expect(page.url()).toContain(`#/${first.id}/overview`);
    expect(await page.textContent("h1")).toBe(`Overview · ${first.name}`);
  });

  it("reads the ranking again once per burst of cost events", async () => {
    await setHash(page, `#/${CLIENT}/portfolio`);
    await page.waitForSelector("[data-testid=ranking] tbody tr");
    // The page of demo's row, so that its restated figures are on screen.
    if (!(await rankingRows()).some((row) => row[1] === "Demo Corp")) {
      await page.click("a[data-key=next-page]");
      await expect.poll(() => params().get("page")).toBe("2");
    }
    const after = params().get("after");
    const firstRank = after ? PAGE_SIZE + 1 : 1;
    const demoRow = (data: DashboardPortfolioQuery) =>
      expectedRows(data, firstRank).find((row) => row[1] === "Demo Corp");
    const before = await api(variables({ after }));
    await expect.poll(rankingRows).toEqual(expectedRows(before, firstRank));
    expect(demoRow(before)).toBeDefined();
    const since = await trafficMark(page, traffic);
    const job = await stack.server.waitForJob((await stack.server.sandbox.refresh()).id);
    const restated = await api(variables({ after }));
    expect(demoRow(restated)).not.toEqual(demoRow(before));
    await expect.poll(rankingRows, { timeout: 15_000 }).toEqual(expectedRows(restated, firstRank));
    await expectFewRequests(page, traffic, since, job, true);
  });

  it("offers a viewer no Portfolio, and answers the route with not allowed, asking nothing", async () => {
    await open(stack.viewer);
    await page.waitForSelector("[data-testid=mtd-total]");
    expect(await page.locator("nav a").allTextContents()).toEqual(["Overview", "Explore", "Collections"]);
    const posts = traffic.graphqlPosts;
    await setHash(page, `#/${CLIENT}/portfolio`);
    await page.waitForSelector("[role=alert]");
    expect(await page.textContent("[role=alert]")).toContain("Not allowed");
    expect(await page.locator("[data-testid=ranking]").count()).toBe(0);
    expect(traffic.graphqlPosts).toBe(posts);
  });

  it("sent every operation by its document id, asked no other origin and logged no error", () => {
    expect(traffic.sentById).toBeGreaterThan(5);
    expect(traffic.sentAsText).toEqual([]);
    expect(foreignRequests(traffic, origin)).toEqual([]);
    expect(traffic.consoleErrors).toEqual([]);
  });
});
