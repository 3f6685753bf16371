/**
 * The offline playground in a real browser (Debian's headless Chromium), used the way the sandbox's
 * banner tells a newcomer to: open the URL, paste the token into the bar, press Use token, and run
 * the example query in the tab they are in. The token applies at once, without a reload, to every
 * tab (over HTTP) and to subscriptions (in the graphql-ws connection_init payload); the page loads
 * nothing from anywhere but the server itself; and a subscription without a valid token says why
 * it is refused instead of reconnecting behind a spinner.
 */
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BrowserContext, Page, Request, WebSocket } from "playwright-core";
import { launchChromium, type TestBrowser } from "../support/chromium.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { costRecord, costRecords } from "../support/records.js";
import { storedAnomaly } from "../support/insights.js";
import { storedCosts } from "../support/stored-costs.js";
import { costAnomalyTopic, costRecordTopic } from "../../src/live/events.js";
import { InProcessPubSub } from "../../src/live/pubsub.js";
import { daysInRange } from "../../src/domain/dates.js";
import { REFUSED_SUBSCRIPTION_HINT } from "../../src/graphql/playground-refusal.js";
import { EXAMPLE_CLIENT_ID, examplePeriod, exampleQuery } from "../../src/graphql/playground.js";
import { clockStartingOn } from "../../src/shared/clock.js";

/** The server's today: the example asks for the month before it, whatever the real date. */
const TODAY = "2026-02-11";
const EXAMPLE_PERIOD = examplePeriod(TODAY);
const EXAMPLE_QUERY = exampleQuery(TODAY);

/** The example query's tenant, named as the sandbox names it. */
const CLIENT_ID = EXAMPLE_CLIENT_ID;
const CLIENT_NAME = "Demo Corp";
/** Shaped like a JWT, signed by no one: the server refuses it like a missing token. */
const INVALID_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl";
const SUBSCRIPTION = `subscription CostChanges { costRecordChanged(clientId: "${CLIENT_ID}") { changeType record { date } } }`;

let server: TestServer;
let context: BrowserContext;
let page: Page;
let browser: TestBrowser | undefined;
/** What the sandbox's banner prints. */
let adminToken: string;
let demoViewer: string;
let otherTenant: string;
/** The example query's answer, asked of the API directly. */
let expectedTotal: number;
/** Every URL the browser asked for: documents, scripts, workers, fetches and WebSockets. */
const requested: string[] = [];
const failedResponses: string[] = [];

/** Same host and port as the server; blob: URLs count as the origin that created them. */
function isServerOrigin(url: string): boolean {
  const parsed = new URL(url.startsWith("blob:") ? url.slice("blob:".length) : url);
  if (parsed.protocol === "data:") return true;
  return ["http:", "ws:"].includes(parsed.protocol) && parsed.host === new URL(server.url).host;
}

/** The result pane's text; Monaco renders spaces as no-break spaces and wraps long lines. */
const resultText = async () => (await page.locator(".result-window").innerText()).replace(/\s+/g, " ");
const queryText = async () => (await page.locator(".graphiql-query-editor").innerText()).replace(/\s+/g, " ");
/** The titles of GraphiQL's tabs, named after their operations. */
const tabTitles = () => page.locator(".graphiql-tab").allInnerTexts();
const run = () => page.click(".graphiql-execute-button");

async function openPlayground(query?: string): Promise<void> {
  await page.goto(query === undefined ? server.url : `${server.url}?query=${encodeURIComponent(query)}`);
  await page.waitForSelector(".graphiql-execute-button");
}

/**
 * Clicks a tab and waits until GraphiQL has taken in its query: it reads the operation name from the
 * editor 100 ms after a change, and puts the query into the URL at the same moment. (Run before
 * that, it sends the new query with the old tab's operation name.)
 */
async function switchToTab(title: string): Promise<void> {
  await page.locator(".graphiql-tab", { hasText: title }).click();
  await expect
    .poll(() => new URL(page.url()).searchParams.get("query") ?? "")
    .toMatch(new RegExp(`\\b${title}\\b`));
}

/** Pastes a token into the bar and presses Use token, as the banner says. */
async function useToken(token: string): Promise<void> {
  await page.fill("#token", token);
  await page.click("#save-token");
}

/** A failed browser test leaves a picture of the page behind (outside the repo) for whoever reads it. */
async function screenshotOnFailure(): Promise<void> {
  const path = join(await mkdtemp(join(tmpdir(), "playground-failure-")), "page.png");
  await page.screenshot({ path });
  console.error(`playground screenshot: ${path}`);
}

beforeAll(async () => {
  // Introspection open to every caller, as in the sandbox this page is used from (GraphiQL reads the schema).
  server = await startTestServer({
    streamConsumer: true,
    clock: clockStartingOn(TODAY),
    env: { INTROSPECTION: "all" },
  });
  await server.stores.clients.create({
    id: CLIENT_ID,
    name: CLIENT_NAME,
    reportingCurrency: "USD",
    createdAt: "2025-12-01T00:00:00.000Z",
  });
  const days = daysInRange(EXAMPLE_PERIOD.start, EXAMPLE_PERIOD.end).length;
  const seeded = [
    ...costRecords({ clientId: CLIENT_ID, provider: "AWS" }, EXAMPLE_PERIOD.start, days),
    ...costRecords({ clientId: CLIENT_ID, provider: "GCP" }, EXAMPLE_PERIOD.start, 10),
  ];
  await server.stores.costs.upsertDays(seeded);
  adminToken = await server.token({ sub: "sandbox-admin", roles: ["admin"] });
  demoViewer = await server.token({ roles: ["viewer"], clientIds: [CLIENT_ID] });
  otherTenant = await server.token({ roles: ["viewer"], clientIds: ["globex"] });

  const expected = await server.graphql<{ client: { costSummary: { total: { amount: number } } } }>(
    EXAMPLE_QUERY,
    {},
    adminToken,
  );
  expect(expected.body.errors).toBeUndefined();
  expectedTotal = expected.body.data!.client.costSummary.total.amount;
  expect(expectedTotal).toBeCloseTo(
    seeded.reduce((sum, r) => sum + r.total, 0),
    6,
  );

  browser = await launchChromium("playground");
  context = browser.context;
  context.on("request", (request) => requested.push(request.url()));
  context.on("response", (response) => {
    if (response.status() >= 400)
      failedResponses.push(`${response.request().method()} ${response.status()} ${response.url()}`);
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("websocket", (socket) => requested.push(socket.url()));
}, 120_000);

afterAll(async () => {
  await browser?.stop();
  await server?.stop();
});

describe("the playground in a browser", () => {
  it("is served as one self-contained page, also with a query in the URL", async () => {
    for (const url of [server.url, `${server.url}?query=${encodeURIComponent(SUBSCRIPTION)}`]) {
      const response = await fetch(url, { headers: { accept: "text/html" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain("Cost analytics playground");
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it("answers the example query with data in the tab the newcomer is in, right after Use token", async ({
    onTestFailed,
  }) => {
    onTestFailed(screenshotOnFailure);
    // A fresh browser on the banner's URL: one tab, the example query, no token.
    await openPlayground();
    expect(await queryText()).toContain("query Overview");
    expect(await page.textContent("#token-state")).toBe("no token");
    await page.evaluate(() => Object.assign(globalThis, { openedBeforeUseToken: true }));

    await useToken(adminToken);
    expect(await page.textContent("#token-state")).toBe("token set");
    // No reload and no new tab: the newcomer is still looking at the example query.
    expect(await page.evaluate(() => "openedBeforeUseToken" in globalThis)).toBe(true);
    expect(await tabTitles()).toEqual(["Overview"]);
    expect(await queryText()).toContain("query Overview");

    await run();
    await expect.poll(resultText, { timeout: 20_000 }).toContain(`"name": "${CLIENT_NAME}"`);
    expect(await resultText()).toContain(`"amount": ${expectedTotal}`);
    expect(await resultText()).toContain(`"provider": "GCP"`);
    expect(await resultText()).not.toContain(`"errors"`);

    // Another token in the bar is what the same tab sends next, again without a reload.
    await useToken(otherTenant);
    await run();
    await expect.poll(resultText, { timeout: 20_000 }).toContain("FORBIDDEN");
    expect(await resultText()).not.toContain(CLIENT_NAME);
    // Pasted with its scheme, as copied from the banner's curl line: the same token.
    await useToken(`Bearer ${adminToken}`);
    await run();
    await expect.poll(resultText, { timeout: 20_000 }).toContain(`"amount": ${expectedTotal}`);
    expect(await resultText()).not.toContain("FORBIDDEN");
    expect(await page.evaluate(() => "openedBeforeUseToken" in globalThis)).toBe(true);

    expect(requested.filter((url) => !isServerOrigin(url))).toEqual([]);
    // The only error answer is the API's FORBIDDEN for the other tenant: no asset is missing.
    expect(failedResponses).toEqual([`POST 403 ${server.url}`]);
  });

  it("uses the bar's current token in every tab: a subscription over graphql-ws in a new tab, then the Overview tab again", async ({
    onTestFailed,
  }) => {
    onTestFailed(screenshotOnFailure);
    const pubsub = server.runtime.services.pubsub;
    if (!(pubsub instanceof InProcessPubSub)) throw new Error("the test server should use in-process pubsub");
    const topic = costRecordTopic(CLIENT_ID);
    const sockets: string[] = [];
    const connectionInits: unknown[] = [];
    const watchSocket = (socket: WebSocket) => {
      sockets.push(socket.url());
      socket.on("framesent", ({ payload }) => {
        const message = JSON.parse(String(payload)) as { type: string; payload?: unknown };
        if (message.type === "connection_init") connectionInits.push(message.payload);
      });
    };
    page.on("websocket", watchSocket);
    try {
      // A query in the URL opens a second tab; the token kept from before is in the bar.
      await openPlayground(SUBSCRIPTION);
      expect(await page.textContent("#token-state")).toBe("token set");
      expect(await queryText()).toContain("subscription CostChanges");
      await useToken(demoViewer);
      await run();
      // The event must happen after the subscription is registered, or it is (rightly) not delivered.
      await expect.poll(() => pubsub.subscriberCount(topic), { timeout: 20_000 }).toBe(1);
      await storedCosts(server.store).upsertDay(
        costRecord({ clientId: CLIENT_ID, provider: "AZURE", date: "2026-02-01" }),
      );
      await expect.poll(resultText, { timeout: 30_000 }).toContain(`"date": "2026-02-01"`);
      expect(await resultText()).toContain(`"changeType": "ADDED"`);
      expect(sockets).toEqual([server.wsUrl]);
      expect(connectionInits).toEqual([{ authorization: `Bearer ${demoViewer}` }]);

      // Back in the Overview tab, the token the bar has now is the one sent.
      await useToken(otherTenant);
      await switchToTab("Overview");
      expect(await queryText()).toContain("query Overview");
      await run();
      await expect.poll(resultText, { timeout: 20_000 }).toContain("FORBIDDEN");
      await useToken(demoViewer);
      await run();
      await expect.poll(resultText, { timeout: 20_000 }).toContain(`"name": "${CLIENT_NAME}"`);
      expect(await resultText()).toContain(`"amount": ${expectedTotal}`);
      expect(await tabTitles()).toEqual(["Overview", "CostChanges"]);

      expect(new Set(requested.filter((url) => url.startsWith("ws")))).toEqual(new Set([server.wsUrl]));
      // The recorder sees what the page starts besides fetches: Monaco's workers come from blob: URLs.
      expect(requested.some((url) => url.startsWith(`blob:${new URL(server.url).origin}/`))).toBe(true);
      expect(requested.filter((url) => !isServerOrigin(url))).toEqual([]);
    } finally {
      page.off("websocket", watchSocket);
    }
  });

  it("says why a subscription without a valid token is refused, after one connection attempt; queries answer as before", async ({
    onTestFailed,
  }) => {
    onTestFailed(screenshotOnFailure);
    const sockets: string[] = [];
    const countSocket = (socket: WebSocket) => sockets.push(socket.url());
    page.on("websocket", countSocket);
    try {
      await openPlayground(SUBSCRIPTION);
      // One page: each run opens its own connection, with the token the bar has then.
      for (const [token, state] of [
        [INVALID_TOKEN, "token set"],
        ["", "no token"],
      ] as const) {
        await useToken(token);
        expect(await page.textContent("#token-state")).toBe(state);
        const socketsBefore = sockets.length;
        await run();
        // The run's own socket: the result pane shows the previous run's refusal until then.
        await expect.poll(() => sockets.length, { timeout: 20_000 }).toBe(socketsBefore + 1);
        // Unhandled, graphql-ws retries for about 45 s and then shows {"isTrusted": true}.
        let refusal = "";
        const refusalShown = async () => {
          refusal = await resultText();
          return [
            "Subscription refused (4403 Forbidden)",
            REFUSED_SUBSCRIPTION_HINT,
            `"code": "FORBIDDEN"`,
          ].every((part) => refusal.includes(part));
        };
        await expect.poll(refusalShown, { timeout: 20_000 }).toBe(true);
        expect(refusal).not.toContain(INVALID_TOKEN);
        // The spinner stopped: the button runs again instead of stopping a running operation.
        expect(await page.getAttribute(".graphiql-execute-button", "aria-label")).toMatch(/^Execute query/);
      }
      // graphql-ws would make its first retry within 1 s plus up to 3 s of jitter after the close.
      await page.waitForTimeout(5_000);
      expect(sockets).toEqual([server.wsUrl, server.wsUrl]);

      // A query over HTTP without a token is answered by the API itself, as before.
      await openPlayground(EXAMPLE_QUERY);
      expect(await page.textContent("#token-state")).toBe("no token");
      await run();
      await expect.poll(resultText, { timeout: 20_000 }).toContain("not authenticated: missing bearer token");
      expect(await resultText()).toContain(`"code": "UNAUTHENTICATED"`);
      expect(sockets).toHaveLength(2);
    } finally {
      page.off("websocket", countSocket);
    }
  });

  it("shows an anomaly pushed by costAnomalyDetected as it is stored", async ({ onTestFailed }) => {
    onTestFailed(screenshotOnFailure);
    const pubsub = server.runtime.services.pubsub;
    if (!(pubsub instanceof InProcessPubSub)) throw new Error("the test server should use in-process pubsub");
    await openPlayground(
      `subscription Anomalies { costAnomalyDetected(clientId: "${CLIENT_ID}") { date direction cause severity scope { key } } }`,
    );
    await useToken(demoViewer);
    await run();
    await expect.poll(() => pubsub.subscriberCount(costAnomalyTopic(CLIENT_ID)), { timeout: 20_000 }).toBe(1);
    // Stored as the detector stores one; the stream pushes it to the tab.
    await server.stores.anomalies.save([storedAnomaly(CLIENT_ID, "2026-02-09")]);
    await expect.poll(resultText, { timeout: 30_000 }).toContain(`"date": "2026-02-09"`);
    expect(await resultText()).toContain(`"direction": "SPIKE"`);
    expect(await resultText()).toContain(`"severity": "HIGH"`);
  });

  it("sends the bar's token from a tab with an Authorization header of its own; with no token in the bar, the tab's goes", async ({
    onTestFailed,
  }) => {
    onTestFailed(screenshotOnFailure);
    // Last: GraphiQL keeps a tab's headers (and hands them to tabs opened later), so this one stays.
    await openPlayground(EXAMPLE_QUERY);
    await useToken(adminToken);
    const sent: (string | undefined)[] = [];
    page.on("request", (request: Request) => {
      if (request.method() === "POST") sent.push(request.headers()["authorization"]);
    });
    await page.getByText("Headers", { exact: true }).click();
    const headersEditor = page.locator(".graphiql-editor-tool .graphiql-editor").last();
    await headersEditor.click();
    await page.keyboard.type(`{"Authorization": "Bearer ${INVALID_TOKEN}"}`);
    await expect
      .poll(async () => (await headersEditor.innerText()).replace(/\s+/g, " "))
      .toContain(`{"Authorization": "Bearer ${INVALID_TOKEN}"}`);

    await run();
    await expect.poll(resultText, { timeout: 20_000 }).toContain(`"amount": ${expectedTotal}`);
    expect(sent).toEqual([`Bearer ${adminToken}`]);

    await useToken("");
    await run();
    await expect
      .poll(resultText, { timeout: 20_000 })
      .toContain("not authenticated: invalid or expired token");
    expect(sent).toEqual([`Bearer ${adminToken}`, `Bearer ${INVALID_TOKEN}`]);
  });
});
