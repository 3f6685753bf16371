/**
 * The dashboard's OpenID Connect sign-in in Chromium against a real provider (oidc-provider, its dev
 * login and consent pages): `/` sends the browser to the provider (authorization code + PKCE, a
 * public client, a resource indicator for the API), the test signs in, the dashboard shows its
 * tenant and refuses another's; the 30 s access token is refreshed by a refresh-token grant and
 * data still loads with the new token; sign-out ends the session at the provider and the page makes
 * no more API calls. No token ever reaches localStorage or sessionStorage. The provider carries roles
 * in a claim of its own (OIDC_ROLES_CLAIM), which the page reads as the service does.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair } from "jose";
import type { BrowserContext, Page } from "playwright-core";
import { launchChromium, type TestBrowser } from "../support/chromium.js";
import { startBackfilledSandbox, type BackfilledSandbox } from "../support/sandbox-server.js";
import { buildDashboard, type DashboardBuild } from "../support/dashboard-build.js";
import { CreateClientDocument } from "../e2e/generated/graphql.js";

const CLIENT = "demo";
const OTHER = "globex";
const AUDIENCE = "https://api.costs.test";
const ACCESS_TOKEN_TTL_S = 30;
/** Where the provider puts roles (Keycloak's place), not the default `roles`. */
const ROLES_CLAIM = "realm_access.roles";

/** oidc-provider ships no type declarations; this is the part the test uses. */
interface ProviderClass {
  new (
    issuer: string,
    configuration: Record<string, unknown>,
  ): { callback(): (req: unknown, res: unknown) => void };
}
// A specifier TypeScript does not resolve (no declarations to find); Node loads the ESM package.
const OIDC_PROVIDER: string = "oidc-provider";

let build: DashboardBuild;
let stack: BackfilledSandbox;
let providerServer: Server;
let issuer: string;
let origin: string;
let context: BrowserContext;
let page: Page;
let browser: TestBrowser | undefined;
/** The grant_type of every token request the browser made to the provider. */
const tokenGrants: string[] = [];
/** The bearer token of every /graphql request and WebSocket the browser opened (null: none). */
const apiCalls: (string | null)[] = [];
const consoleErrors: string[] = [];

const storage = () =>
  page.evaluate<string>("JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })");

beforeAll(async () => {
  build = await buildDashboard();
  // The provider's address first: the service is told its issuer, the provider the dashboard's origin.
  providerServer = createServer();
  await new Promise<void>((resolve) => providerServer.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(providerServer.address() as AddressInfo).port}`;
  stack = await startBackfilledSandbox(CLIENT, {
    backfillDays: 5,
    env: {
      SANDBOX_DASHBOARD_DIR: build.dir,
      OIDC_ISSUER: issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: `${issuer}/jwks`,
      OIDC_DASHBOARD_CLIENT_ID: "dashboard",
      OIDC_ROLES_CLAIM: ROLES_CLAIM,
    },
  });
  origin = new URL(stack.server.url).origin;
  const admin = await stack.server.token({ roles: ["admin"] });
  const created = await stack.server.graphql(
    CreateClientDocument,
    { input: { id: OTHER, name: "Globex", reportingCurrency: "USD" } },
    admin,
  );
  expect(created.body.errors).toBeUndefined();

  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const { default: Provider } = (await import(OIDC_PROVIDER)) as { default: ProviderClass };
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "dashboard-test", alg: "RS256", use: "sig" }] },
    cookies: { keys: [randomBytes(24).toString("hex")] },
    clients: [
      {
        client_id: "dashboard",
        token_endpoint_auth_method: "none",
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        redirect_uris: [`${origin}/`],
        post_logout_redirect_uris: [`${origin}/`],
      },
    ],
    clientBasedCORS: (_ctx: unknown, requestOrigin: string) => requestOrigin === origin,
    // Refresh tokens for the dashboard without prompt=consent (as many IdPs do for SPAs).
    issueRefreshToken: (_ctx: unknown, client: { grantTypeAllowed(type: string): boolean }) =>
      client.grantTypeAllowed("refresh_token"),
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          if (indicator !== AUDIENCE) throw new Error(`unknown resource ${indicator}`);
          return {
            scope: "costs:read",
            audience: AUDIENCE,
            accessTokenFormat: "jwt",
            accessTokenTTL: ACCESS_TOKEN_TTL_S,
            jwt: { sign: { alg: "RS256" } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { kind: string }) =>
      token.kind === "AccessToken" ? { realm_access: { roles: ["editor"] }, clientIds: [CLIENT] } : undefined,
  });
  providerServer.on("request", provider.callback());

  browser = await launchChromium("dashboard-sign-in");
  context = browser.context;
  context.on("request", (request) => {
    const url = new URL(request.url());
    if (url.origin === issuer && url.pathname === "/token" && request.method() === "POST") {
      tokenGrants.push(new URLSearchParams(request.postData() ?? "").get("grant_type") ?? "?");
    }
    if (url.origin === origin && url.pathname === "/graphql" && request.method() === "POST") {
      apiCalls.push(request.headers().authorization?.replace(/^Bearer /, "") ?? null);
    }
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on("websocket", () => apiCalls.push("websocket"));
  page.on("console", (message) => {
    // The dashboard's own errors (the provider's dev pages fetch fonts and a favicon it lacks).
    if (message.type() === "error" && new URL(page.url()).origin === origin)
      consoleErrors.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.stop();
  await stack?.server.stop();
  providerServer?.closeAllConnections();
  await new Promise<void>((resolve) => (providerServer ? providerServer.close(() => resolve()) : resolve()));
  await build?.remove();
});

describe("dashboard sign-in with OpenID Connect", () => {
  let firstToken: string;

  it("sends the browser to the provider, and back with its tenant on screen", async () => {
    const config = (await (await fetch(`${origin}/dashboard/config.json`)).json()) as {
      oidc: { issuer: string; clientId: string; rolesClaim: string };
    };
    expect(config.oidc).toMatchObject({ issuer, clientId: "dashboard", rolesClaim: ROLES_CLAIM });
    await page.goto(`${origin}/`);
    await page.click("main button:has-text('Sign in')");
    // The provider's dev login page, then its consent page.
    await page.waitForURL((url) => url.origin === issuer);
    await page.fill("input[name=login]", "alice");
    await page.fill("input[name=password]", "any");
    await page.click("button[type=submit]");
    await page.waitForSelector("button[type=submit]:has-text('Continue')");
    await page.click("button[type=submit]:has-text('Continue')");
    await page.waitForURL((url) => url.origin === origin);
    await page.waitForSelector("[data-testid=mtd-total]");
    expect(page.url()).toContain(`#/${CLIENT}/overview`);
    expect(page.url()).not.toMatch(/[?&](code|state)=/);
    expect(await page.textContent("[data-testid=mtd-total]")).toMatch(/USD [\d,]+\.\d\d/);
    expect(tokenGrants).toEqual(["authorization_code"]);
    const bearers = apiCalls.filter((t): t is string => t !== null && t !== "websocket");
    expect(bearers.length).toBeGreaterThan(0);
    firstToken = bearers[0]!;
    const claims = JSON.parse(Buffer.from(firstToken.split(".")[1]!, "base64url").toString()) as {
      iss: string;
      aud: string | string[];
      roles?: unknown;
      realm_access: { roles: string[] };
    };
    expect(claims.iss).toBe(issuer);
    expect([claims.aud].flat()).toContain(AUDIENCE);
    expect(claims.roles).toBeUndefined();
    expect(claims.realm_access.roles).toEqual(["editor"]);
    // The page found the role where the configured claim says, not under `roles`.
    expect(await page.textContent("#session")).toContain("Signed in as editor");
    expect(await page.textContent("#session")).toContain("Sign out");
    expect(await storage()).not.toContain(firstToken);
  });

  it("shows editor controls to the provider's editor", async () => {
    await page.evaluate(`window.location.hash = "#/${CLIENT}/collections"`);
    await page.waitForSelector("[data-testid=connections]");
    expect(await page.locator("button:has-text('Collect the last 3 days')").count()).toBe(1);
  });

  it("shows another tenant's id as not allowed", async () => {
    await page.evaluate(`window.location.hash = "#/${OTHER}/overview"`);
    await page.waitForSelector("[role=alert]");
    expect(await page.textContent("[role=alert]")).toContain("Not allowed");
    expect(await page.locator("[data-testid=mtd-total]").count()).toBe(0);
    expect(await page.textContent("body")).not.toContain("Globex");
  });

  it("refreshes the access token before it expires, and loads data with the new one", async () => {
    const sockets = () => apiCalls.filter((call) => call === "websocket").length;
    const socketsBefore = sockets();
    await expect.poll(() => tokenGrants.includes("refresh_token"), { timeout: 30_000 }).toBe(true);
    // A grant requested is not yet a token taken: the page has one once it follows its client again,
    // on a new socket (the refresh timer runs every few seconds, so a later one will do).
    await expect.poll(sockets, { timeout: 15_000 }).toBeGreaterThan(socketsBefore);
    const before = apiCalls.length;
    await page.evaluate(`window.location.hash = "#/${CLIENT}/explore"`);
    await page.waitForSelector(".uplot canvas");
    await page.evaluate(`window.location.hash = "#/${CLIENT}/overview"`);
    await page.waitForSelector("[data-testid=mtd-total]");
    const after = apiCalls.slice(before).filter((t): t is string => t !== null && t !== "websocket");
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((t) => t !== firstToken)).toBe(true);
    expect(await page.locator("[role=alert]").count()).toBe(0);
    const stored = await storage();
    for (const token of new Set(after)) expect(stored).not.toContain(token);
  });

  it("signs out at the provider, shows the signed-out state and calls the API no more", async () => {
    await page.click("#session button:has-text('Sign out')");
    await page.waitForURL((url) => url.origin === issuer);
    await page.click("button[type=submit][value=yes]");
    await page.waitForURL((url) => url.origin === origin);
    await page.waitForSelector("main button:has-text('Sign in')");
    const grants = tokenGrants.length;
    const calls = apiCalls.length;
    // Longer than the refresh interval of the old session: no timer survives it.
    await page.waitForTimeout(7_000);
    expect(tokenGrants.length).toBe(grants);
    expect(apiCalls.slice(calls)).toEqual([]);
    expect(await page.textContent("#session")).not.toContain("Sign out");
    expect(await page.locator("[data-testid=mtd-total]").count()).toBe(0);
    expect(await storage()).not.toMatch(/eyJ/);
  });

  it("logged no error but the refused tenant's 403", () => {
    expect(consoleErrors.filter((text) => !/status of 403/.test(text))).toEqual([]);
  });
});
