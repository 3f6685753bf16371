/**
 * The offline playground in a real browser (Debian's headless Chromium): it loads nothing from
 * anywhere but the server itself, sends the pasted token over HTTP and in the graphql-ws
 * connection_init payload, runs a query and shows a live subscription event, and says why a
 * subscription without a token is refused instead of reconnecting behind a spinner.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromium, type BrowserContext, type Page, type WebSocket } from "playwright-core";
import { startTestServer, type TestServer } from "../support/server.js";
import { costRecord, costRecords } from "../support/records.js";
import { costRecordTopic } from "../../src/live/events.js";
import { InProcessPubSub } from "../../src/live/pubsub.js";
import { REFUSED_SUBSCRIPTION_HINT } from "../../src/graphql/playground-refusal.js";

const CHROMIUM = "/usr/bin/chromium";
const CLIENT_ID = "acme";
const CLIENT_NAME = "Acme Playground Corp";
const SUMMARY_QUERY = `{ client(id: "${CLIENT_ID}") { name costSummary(period: { start: "2026-01-01", end: "2026-01-05" }) { total { amount currency } } } }`;
/** Shaped like a JWT, signed by no one: the server refuses it like a missing token. */
const INVALID_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJl";
const SUBSCRIPTION = `subscription { costRecordChanged(clientId: "${CLIENT_ID}") { changeType record { date } } }`;

let server: TestServer;
let context: BrowserContext;
let page: Page;
let userDataDir: string;
let acmeViewer: string;
let otherTenant: string;
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

async function openPlayground(query: string): Promise<void> {
  await page.goto(`${server.url}?query=${encodeURIComponent(query)}`);
  await page.waitForSelector(".graphiql-execute-button");
}

/** Pastes a token into the bar; the page reloads (at the same URL, query included) to use it. */
async function useToken(token: string): Promise<void> {
  await page.fill("#token", token);
  await Promise.all([page.waitForEvent("load"), page.click("#save-token")]);
  await page.waitForSelector(".graphiql-execute-button");
}

/** A failed browser test leaves a picture of the page behind (outside the repo) for whoever reads it. */
async function screenshotOnFailure(): Promise<void> {
  const path = join(await mkdtemp(join(tmpdir(), "playground-failure-")), "page.png");
  await page.screenshot({ path });
  console.error(`playground screenshot: ${path}`);
}

beforeAll(async () => {
  server = await startTestServer({ streamConsumer: true });
  await server.stores.clients.create({
    id: CLIENT_ID,
    name: CLIENT_NAME,
    reportingCurrency: "USD",
    createdAt: "2026-01-01T00:00:00.000Z",
  });
  await server.stores.costs.upsertDays(
    costRecords({ clientId: CLIENT_ID, provider: "AWS" }, "2026-01-01", 5),
  );
  acmeViewer = await server.token({ roles: ["viewer"], clientIds: [CLIENT_ID] });
  otherTenant = await server.token({ roles: ["viewer"], clientIds: ["globex"] });
  userDataDir = await mkdtemp(join(tmpdir(), "playground-chromium-"));
  // launchPersistentContext is Playwright's way to give Chromium its own --user-data-dir.
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context.on("request", (request) => requested.push(request.url()));
  context.on("response", (response) => {
    if (response.status() >= 400)
      failedResponses.push(`${response.request().method()} ${response.status()} ${response.url()}`);
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("websocket", (socket) => requested.push(socket.url()));
}, 120_000);

afterAll(async () => {
  await context?.close();
  await server?.stop();
  if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
});

describe("the playground in a browser", () => {
  it("is served as one self-contained page, also with a query in the URL", async () => {
    for (const url of [server.url, `${server.url}?query=${encodeURIComponent(SUMMARY_QUERY)}`]) {
      const response = await fetch(url, { headers: { accept: "text/html" } });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain("Cost analytics playground");
      expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    }
  });

  it("runs a query with the pasted token, switching tokens, loading nothing from elsewhere", async ({
    onTestFailed,
  }) => {
    onTestFailed(screenshotOnFailure);
    const expected = await server.graphql<{ client: { costSummary: { total: { amount: number } } } }>(
      SUMMARY_QUERY,
      {},
      acmeViewer,
    );
    const amount = expected.body.data!.client.costSummary.total.amount;
    const seeded = costRecords({ clientId: CLIENT_ID, provider: "AWS" }, "2026-01-01", 5);
    expect(amount).toBeCloseTo(
      seeded.reduce((sum, r) => sum + r.total, 0),
      6,
    );

    await openPlayground(SUMMARY_QUERY);
    expect(await page.locator(".graphiql-query-editor").innerText()).toContain("costSummary");
    await useToken(otherTenant);
    expect(await page.textContent("#token-state")).toBe("token set");
    await page.click(".graphiql-execute-button");
    await expect.poll(resultText, { timeout: 20_000 }).toContain("FORBIDDEN");
    expect(await resultText()).not.toContain(CLIENT_NAME);

    await useToken(acmeViewer);
    await page.click(".graphiql-execute-button");
    await expect.poll(resultText, { timeout: 20_000 }).toContain(CLIENT_NAME);
    expect(await resultText()).toContain(`"amount": ${amount}`);
    expect(await resultText()).not.toContain("FORBIDDEN");

    expect(requested.filter((url) => !isServerOrigin(url))).toEqual([]);
    // The only error answer is the API's FORBIDDEN for the other tenant: no asset is missing.
    expect(failedResponses).toEqual([`POST 403 ${server.url}`]);
  });

  it("shows a live event of a subscription, over graphql-ws with the token in connection_init", async ({
    onTestFailed,
  }) => {
    onTestFailed(screenshotOnFailure);
    const pubsub = server.runtime.services.pubsub;
    if (!(pubsub instanceof InProcessPubSub)) throw new Error("the test server should use in-process pubsub");
    const topic = costRecordTopic(CLIENT_ID);
    await openPlayground(SUBSCRIPTION);
    await useToken(acmeViewer);
    await page.click(".graphiql-execute-button");
    // The event must happen after the subscription is registered, or it is (rightly) not delivered.
    await expect.poll(() => pubsub.subscriberCount(topic), { timeout: 20_000 }).toBe(1);

    await server.stores.costs.upsertDay(
      costRecord({ clientId: CLIENT_ID, provider: "GCP", date: "2026-01-06" }),
    );
    await expect.poll(resultText, { timeout: 30_000 }).toContain(`"date": "2026-01-06"`);
    expect(await resultText()).toContain(`"changeType": "ADDED"`);

    expect(new Set(requested.filter((url) => url.startsWith("ws")))).toEqual(new Set([server.wsUrl]));
    // The recorder sees what the page starts besides fetches: Monaco's workers come from blob: URLs.
    expect(requested.some((url) => url.startsWith(`blob:${new URL(server.url).origin}/`))).toBe(true);
    expect(requested.filter((url) => !isServerOrigin(url))).toEqual([]);
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
      // Each token reloads the page, which ends the previous page's graphql-ws client and its retries.
      for (const [token, state] of [
        [INVALID_TOKEN, "token set"],
        ["", "no token"],
      ] as const) {
        await useToken(token);
        expect(await page.textContent("#token-state")).toBe(state);
        await page.click(".graphiql-execute-button");
        // Unhandled, graphql-ws retries for about 45 s and then shows {"isTrusted": true}.
        await expect.poll(resultText, { timeout: 20_000 }).toContain("Subscription refused (4403 Forbidden)");
        expect(await resultText()).toContain(REFUSED_SUBSCRIPTION_HINT);
        expect(await resultText()).toContain(`"code": "FORBIDDEN"`);
        expect(await resultText()).not.toContain(INVALID_TOKEN);
        // The spinner stopped: the button runs again instead of stopping a running operation.
        expect(await page.getAttribute(".graphiql-execute-button", "aria-label")).toMatch(/^Execute query/);
      }
      // graphql-ws would make its first retry within 1 s plus up to 3 s of jitter after the close.
      await page.waitForTimeout(5_000);
      expect(sockets).toEqual([server.wsUrl, server.wsUrl]);

      // A query over HTTP without a token is answered by the API itself, as before.
      await openPlayground(SUMMARY_QUERY);
      await page.click(".graphiql-execute-button");
      await expect.poll(resultText, { timeout: 20_000 }).toContain("not authenticated: missing bearer token");
      expect(await resultText()).toContain(`"code": "UNAUTHENTICATED"`);
      expect(sockets).toHaveLength(2);
    } finally {
      page.off("websocket", countSocket);
    }
  });
});
