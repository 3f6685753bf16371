/**
 * The offline sandbox: embedded DynamoDB Local (file-backed), the three billing simulators, the
 * service itself, and the demo tenant `demo` connected to all three, backfilled through a real
 * collection job and refreshed periodically with restated days so subscriptions visibly fire.
 * The demo tenant's data carries a few labelled anomalies and a decoy within the backfill
 * (DemoCloudOptions.labelledEvents, on unless `clouds.labelledEvents` is false). Twelve small
 * tenants beside it give the portfolio something to rank (portfolio-tenants.ts).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";
import { loadConfig, type AppConfig } from "../config.js";
import { issueToken } from "../security/tokens.js";
import { addDays, dayOfInstant, monthsInRange } from "../domain/dates.js";
import { MAX_COLLECTION_DAYS } from "../collection/collection-request.js";
import { sandboxExchangeRates } from "./exchange-rates.js";
import { startEmbeddedDynamoDb, type EmbeddedDynamoDb } from "./dynamodb-local/embedded-dynamodb.js";
import { startRuntime, type Runtime } from "../runtime.js";
import { SYSTEM } from "../domain/identity.js";
import { clockStartingOn, systemClock, type Clock } from "../shared/clock.js";
import { startDemoClouds, type DemoCloudOptions, type DemoClouds } from "./demo-tenant.js";
import { seedPortfolioTenants } from "./portfolio-tenants.js";
import type { Logger } from "../observability/logger.js";
import type { CollectionJob } from "../domain/collection-job.js";

export const DEMO_CLIENT_ID = "demo";
/** Days re-collected by each refresh; the simulators restate them first, as real providers do. */
const REFRESH_DAYS = 3;

export interface SandboxOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Use this DynamoDB instead of starting an embedded one (tests share the run's DynamoDB Local). */
  dynamoEndpoint?: string;
  /** Days to backfill at start (default: the most one job may cover, about 13 months). */
  backfillDays?: number;
  /** The simulated clouds; the demo tenant's labelled events are on unless `labelledEvents: false`. */
  clouds?: DemoCloudOptions;
  /** The twelve small tenants beside `demo` that the portfolio ranks (default on). */
  portfolioTenants?: boolean;
}

export interface Sandbox {
  runtime: Runtime;
  clouds: DemoClouds;
  config: AppConfig;
  adminToken: string;
  /** A viewer of the demo tenant: what the banner's dashboard URL carries in its fragment. */
  viewerToken: string;
  backfill: CollectionJob;
  /** Settles once the portfolio's extra tenants are written (at once when they are off). */
  portfolioSeeded: Promise<void>;
  /** What "today" is in this sandbox (SANDBOX_TODAY, or the real date). */
  clock: Clock;
  /** Restates the trailing days at the simulators and collects them (what the timer does). */
  refresh(): Promise<CollectionJob>;
  stop(): Promise<void>;
}

/** The sandbox keeps its credentials key beside its data, so stored connections stay readable across restarts. */
async function persistentKey(dataDir: string): Promise<string> {
  const file = join(dataDir, "credentials.key");
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    const key = randomBytes(32).toString("base64");
    await mkdir(dataDir, { recursive: true });
    await writeFile(file, key, { mode: 0o600 });
    return key;
  }
}

export async function startSandbox(options: SandboxOptions): Promise<Sandbox> {
  const { logger } = options;
  const dataDir = resolve(options.env.SANDBOX_DATA_DIR ?? ".data");
  const env = { ...options.env };
  if (!options.dynamoEndpoint) env.CREDENTIALS_ENCRYPTION_KEY ??= await persistentKey(dataDir);
  let embedded: EmbeddedDynamoDb | undefined;
  const stops: (() => Promise<void>)[] = [];
  try {
    if (!options.dynamoEndpoint) {
      embedded = await startEmbeddedDynamoDb({ dataDir: join(dataDir, "dynamodb"), logger });
      stops.push(() => embedded!.stop());
    }
    const config = loadConfig(
      { ...env, DYNAMODB_ENDPOINT: options.dynamoEndpoint ?? embedded!.endpoint },
      "sandbox",
    );
    const clock = config.sandbox.today ? clockStartingOn(config.sandbox.today) : systemClock;
    const clouds = await startDemoClouds({
      ...options.clouds,
      labelledEvents: options.clouds?.labelledEvents ?? true,
      clock,
    });
    stops.unshift(() => clouds.stop());
    for (const label of clouds.labels) {
      logger.info(
        { event: label },
        `demo tenant: ${label.provider} ${label.start}..${label.end} ${label.label}`,
      );
    }
    const runtime = await startRuntime(config, {
      logger,
      clock,
      ensureTables: true,
      // What `npm start` built (prestart); tests build their own (SANDBOX_DASHBOARD_DIR).
      dashboardDir: resolve(options.env.SANDBOX_DASHBOARD_DIR ?? "dist/dashboard"),
      adapterDefaults: { trustedCertificates: clouds.trustedCertificates },
      // The embedded database is this process's alone: a job still QUEUED or RUNNING at start was
      // left by a process that died (killed, crashed), so it is failed as INTERRUPTED at once
      // instead of blocking the backfill until it looks stale.
      ...(options.dynamoEndpoint ? {} : { jobTiming: { staleAfterMs: 0 } }),
    });
    stops.unshift(() => runtime.stop());
    // The demo tenant is set up through the same use cases as any caller's, as the system itself.
    const { tenants, collections, exchangeRates } = runtime.useCases();
    const today = dayOfInstant(clock());
    const backfillDays = options.backfillDays ?? MAX_COLLECTION_DAYS;
    // Rates for every month a collection of this sandbox can reach, whatever its date.
    const collectable = monthsInRange(addDays(today, 1 - MAX_COLLECTION_DAYS), today);
    await exchangeRates.set(SYSTEM, sandboxExchangeRates(collectable));
    if (!(await tenants.client(SYSTEM, DEMO_CLIENT_ID))) {
      await tenants.createClient(SYSTEM, { id: DEMO_CLIENT_ID, name: "Demo Corp", reportingCurrency: "USD" });
    }
    await clouds.connect((input) => tenants.connectProvider(SYSTEM, input), DEMO_CLIENT_ID);
    const backfill = await collections.trigger(SYSTEM, {
      clientId: DEMO_CLIENT_ID,
      period: { start: addDays(today, 1 - backfillDays), end: today },
    });
    // In the background like the backfill: the first start writes about 800 days (some 9 s on
    // DynamoDB Local), a restart finds them unchanged; stopping ends it after the current tenant.
    const seeding = new AbortController();
    const portfolioSeeded =
      (options.portfolioTenants ?? true)
        ? seedPortfolioTenants({
            tenants,
            costs: runtime.services.stores.costs,
            today,
            now: clock(),
            signal: seeding.signal,
          }).catch((error: unknown) => logger.warn({ err: error }, "sandbox portfolio tenants failed"))
        : Promise.resolve();
    stops.unshift(async () => {
      seeding.abort();
      await portfolioSeeded;
    });

    const refresh = async () => {
      const days = Array.from({ length: REFRESH_DAYS }, (_, i) => addDays(today, -i));
      for (const dataset of Object.values(clouds.datasets)) dataset.restate(days);
      return collections.refreshRecentDays(SYSTEM, DEMO_CLIENT_ID, REFRESH_DAYS);
    };
    if (config.sandbox.refreshSeconds > 0) {
      const timer = setInterval(() => {
        refresh().catch((error: unknown) => logger.warn({ err: error }, "sandbox refresh failed"));
      }, config.sandbox.refreshSeconds * 1000);
      timer.unref();
      stops.unshift(async () => clearInterval(timer));
    }

    // As long as the verifier accepts (AUTH_MAX_TOKEN_LIFETIME_HOURS; 30 days by default here).
    const tokenLifetime = `${config.auth.maxTokenLifetimeSeconds}s`;
    const adminToken = await issueToken(
      { sub: "sandbox-admin", roles: ["admin"], clientIds: [] },
      config.auth.jwtSecret,
      tokenLifetime,
    );
    const viewerToken = await issueToken(
      { sub: "sandbox-viewer", roles: ["viewer"], clientIds: [DEMO_CLIENT_ID] },
      config.auth.jwtSecret,
      tokenLifetime,
    );
    return {
      runtime,
      clouds,
      config,
      adminToken,
      viewerToken,
      backfill,
      portfolioSeeded,
      clock,
      refresh,
      stop: async () => {
        for (const stop of stops.splice(0)) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops.splice(0)) await stop().catch(() => undefined);
    throw error;
  }
}
