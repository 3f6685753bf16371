/**
 * What the dashboard's Chromium tests share: their set-up (the built page served by a backfilled
 * sandbox, Chromium), the page's formats and dates, the keyboard and focus checks, axe, and a record
 * of the page's traffic (operations by id or as text, every URL asked, console errors).
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { AxeBuilder } from "@axe-core/playwright";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, type TestBrowser } from "./chromium.js";
import { buildDashboard, type DashboardBuild } from "./dashboard-build.js";
import { startBackfilledSandbox, type BackfilledSandbox } from "./sandbox-server.js";

/** A dashboard under test: the sandbox serving the built page, and one Chromium page recorded. */
export interface DashboardUnderTest {
  stack: BackfilledSandbox;
  origin: string;
  page: Page;
  traffic: Traffic;
  /** Signs in with `token` by a fresh page load, then moves to `hash` if given. */
  open(token: string, hash?: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the dashboard, starts a sandbox of `clientId` backfilled and serving it with trusted
 * documents only, and Chromium (1280x800, artifacts under `name`). What started is stopped again
 * if a later step fails.
 */
export async function startDashboardUnderTest(
  name: string,
  clientId: string,
  sandbox: { backfillDays: number; portfolioTenants?: boolean },
): Promise<DashboardUnderTest> {
  let build: DashboardBuild | undefined;
  let stack: BackfilledSandbox | undefined;
  let browser: TestBrowser | undefined;
  const stop = async () => {
    await browser?.stop();
    await stack?.server.stop();
    await build?.remove();
  };
  try {
    build = await buildDashboard();
    stack = await startBackfilledSandbox(clientId, {
      ...sandbox,
      env: { SANDBOX_DASHBOARD_DIR: build.dir, TRUSTED_DOCUMENTS: "only" },
    });
    browser = await launchChromium(name, { viewport: { width: 1280, height: 800 } });
  } catch (error) {
    await stop();
    throw error;
  }
  const { context } = browser;
  const page = context.pages()[0] ?? (await context.newPage());
  const origin = new URL(stack.server.url).origin;
  return {
    stack,
    origin,
    page,
    traffic: recordTraffic(context, page),
    async open(token, hash) {
      // A fresh load: from a page of the same origin, a new #token= would be a hash change only.
      await page.goto("about:blank");
      await page.goto(`${origin}/#token=${token}`);
      await page.waitForSelector("nav a");
      if (hash) await setHash(page, hash);
    },
    stop,
  };
}

/** Money as the page writes it (src/dashboard/dom.ts). */
export const money = (m: { amount: number; currency: string }) =>
  `${m.currency} ${m.amount.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
/** A change in percent as the page writes it. */
export const signedPercent = (value: number | null) =>
  value === null ? "n/a" : `${value > 0 ? "+" : ""}${value.toFixed(1)} %`;
export const isoDay = (date: Date) => date.toISOString().slice(0, 10);
export const addDays = (day: string, days: number) =>
  isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
export const monthStart = (day: string) => `${day.slice(0, 8)}01`;
export const monthEnd = (day: string) => {
  const [y, m] = day.split("-").map(Number) as [number, number];
  return isoDay(new Date(Date.UTC(y, m, 0)));
};

const ARTIFACTS = fileURLToPath(new URL("../artifacts/", import.meta.url));

/** The whole page as test/artifacts/dashboard-<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `dashboard-${name}.png`), fullPage: true });
}

/** Moves within the page (hashchange), as a click on a link does. */
export const setHash = (page: Page, hash: string) =>
  page.evaluate(`window.location.hash = ${JSON.stringify(hash)}`);

export const focusedMatches = (page: Page, selector: string) =>
  page.evaluate<boolean>(`document.activeElement?.matches(${JSON.stringify(selector)}) ?? false`);

/**
 * What is focused when it does not show it ("" when it does: the page draws its outline). The last
 * stop in a date field is Chromium's own calendar button, which draws its focus itself and leaves
 * the field without :focus.
 */
const invisibleFocus = (page: Page) =>
  page.evaluate<string>(`(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "nothing focused";
    if (element.matches("input[type=date]:not(:focus)")) return "";
    const style = getComputedStyle(element);
    const shown = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return shown ? "" : element.outerHTML.slice(0, 120);
  })()`);

/** Presses Tab (or Shift+Tab) until the focus is on `selector`, each stop visibly focused. */
export async function tabTo(page: Page, selector: string, key: "Tab" | "Shift+Tab" = "Tab"): Promise<void> {
  for (let presses = 0; presses < 80; presses += 1) {
    await page.keyboard.press(key);
    expect(await invisibleFocus(page)).toBe("");
    if (await focusedMatches(page, selector)) return;
  }
  throw new Error(`the keyboard never reached ${selector}`);
}

/** Cost events the page has applied (its footer counts them). */
export const costUpdates = async (page: Page) =>
  Number(/(\d+) cost updates/.exec((await page.textContent("[data-testid=events]")) ?? "")?.[1] ?? 0);

/** Where the page's requests and applied events stand, to count what a restatement adds. */
export interface TrafficMark {
  posts: number;
  updates: number;
}

export async function trafficMark(page: Page, traffic: Traffic): Promise<TrafficMark> {
  return { posts: traffic.graphqlPosts, updates: await costUpdates(page) };
}

/**
 * A restatement lands as a burst of events, one per day the job changed; what they cannot adjust is
 * read again once the burst pauses for a second: at least one request when needed, never one per
 * event (a loaded machine may split a burst in two). Every event of the job is waited for first: the
 * figures read again can be on screen before the last events arrive.
 */
export async function expectFewRequests(
  page: Page,
  traffic: Traffic,
  since: TrafficMark,
  job: { providers: readonly { recordsWritten: number }[] },
  needed: boolean,
): Promise<void> {
  const events = job.providers.reduce((sum, provider) => sum + provider.recordsWritten, 0);
  expect(events).toBeGreaterThan(1);
  await expect
    .poll(async () => (await costUpdates(page)) - since.updates, { timeout: 15_000 })
    .toBeGreaterThanOrEqual(events);
  const requests = traffic.graphqlPosts - since.posts;
  if (!needed) return expect(requests).toBe(0);
  expect(requests).toBeGreaterThanOrEqual(1);
  expect(requests).toBeLessThan(events);
}

/** axe's serious and critical violations on the page as it is. */
export async function axe(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page } as never).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

export interface Traffic {
  /** Every URL the browser asked for, WebSockets included. */
  requested: string[];
  consoleErrors: string[];
  /** HTTP requests to /graphql (queries and mutations; subscriptions go over the WebSocket). */
  graphqlPosts: number;
  /** Operations the page sent by document id, and any it sent as text (HTTP or WebSocket). */
  sentById: number;
  sentAsText: string[];
}

/** Records what the browser asks and logs from now on (`page`: the tab the test drives). */
export function recordTraffic(context: BrowserContext, page: Page): Traffic {
  const traffic: Traffic = { requested: [], consoleErrors: [], graphqlPosts: 0, sentById: 0, sentAsText: [] };
  // By id: Apollo's persisted-query extension; as text: a `query`.
  const recordOperation = (payload: string | null) => {
    const body = JSON.parse(payload ?? "{}") as {
      query?: string;
      operationName?: string;
      extensions?: { persistedQuery?: { sha256Hash?: string } };
    };
    if (body.query) traffic.sentAsText.push(body.operationName ?? body.query.slice(0, 40));
    else if (body.extensions?.persistedQuery?.sha256Hash) traffic.sentById += 1;
  };
  context.on("request", (request) => {
    traffic.requested.push(request.url());
    if (new URL(request.url()).pathname === "/graphql" && request.method() === "POST") {
      traffic.graphqlPosts += 1;
      recordOperation(request.postData());
    }
  });
  page.on("websocket", (socket) => {
    traffic.requested.push(socket.url());
    socket.on("framesent", ({ payload }) => {
      const message = JSON.parse(String(payload)) as { type?: string; payload?: unknown };
      if (message.type === "subscribe") recordOperation(JSON.stringify(message.payload));
    });
  });
  page.on("console", (message) => {
    if (message.type() === "error") traffic.consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => traffic.consoleErrors.push(String(error)));
  return traffic;
}

/** The URLs asked of any origin but `origin` (over http: or ws: only). */
export const foreignRequests = (traffic: Traffic, origin: string) =>
  traffic.requested.filter((url) => {
    const parsed = new URL(url);
    return !["http:", "ws:"].includes(parsed.protocol) || parsed.host !== new URL(origin).host;
  });
