/**
 * The system as the tests build it: fresh tables on the run's DynamoDB Local, the three billing
 * simulators serving seeded datasets, the sandbox's FX rates, and the service wired over them the
 * way the runtime wires it, with every log line captured. Two ways to run the service:
 *   - in this process (the default): the stores and services, no HTTP; collection tests call them.
 *   - `server`: started by startRuntime on a loopback port (server.ts); reliability tests attack it
 *     over HTTP and WebSocket.
 * A set-up that fails half-way stops what it started, so a caller may start again.
 */
import { randomBytes } from "node:crypto";
import type { AdapterDefaults } from "../../src/tenancy/client-manager.js";
import { InProcessPubSub } from "../../src/live/pubsub.js";
import { startDemoClouds, type DemoCloudOptions, type DemoClouds } from "../../src/sandbox/demo-tenant.js";
import { SANDBOX_EXCHANGE_RATES_FILE } from "../../src/sandbox/exchange-rates.js";
import { createLocalSecretBox } from "../../src/security/secret-box.js";
import { createServices, createStores, type AppServices, type ServiceOptions } from "../../src/services.js";
import { systemClock, type Clock } from "../../src/shared/clock.js";
import { createTestStoreContext, type TestStoreContext } from "./dynamo.js";
import { FAST_RETRY } from "./fast-retry.js";
import { capturedLogger } from "./logs.js";
import { startTestServer, type TestServer } from "./server.js";
import { storedCosts, type StoredCosts } from "./stored-costs.js";

export interface TestStackOptions {
  /** What "today" is for the datasets, the simulators and the service (default: the system clock). */
  clock?: Clock;
  /** The simulated clouds: dataset size, page sizes, the credentials `clouds.connect` uses. */
  clouds?: Omit<DemoCloudOptions, "clock">;
  /** Adapter settings on top of the simulators' CA (a fast retry policy, short timeouts). */
  adapterDefaults?: Omit<AdapterDefaults, "trustedCertificates">;
  /** Collection job timing (heartbeats, lock TTL). */
  jobTiming?: ServiceOptions["jobTiming"];
  /** Start the service over HTTP instead of wiring it in this process. */
  server?: {
    streamConsumer?: boolean;
    /** More configuration (a credentials key, a proxied DYNAMODB_ENDPOINT, a short DYNAMODB_TIMEOUT_MS). */
    env?: Record<string, string>;
  };
}

export interface TestStack {
  /** The tests' own clients over the tables (never through a proxy the service may be routed through). */
  store: TestStoreContext;
  clock: Clock;
  clouds: DemoClouds;
  services: AppServices;
  /** Reads of what the tables hold, and the single-day write. */
  stored: StoredCosts;
  /** Every log line the service wrote so far (JSON text). */
  logs: string[];
  stop(): Promise<void>;
}

export async function startTestStack(
  options: TestStackOptions & { server: NonNullable<TestStackOptions["server"]> },
): Promise<TestStack & { server: TestServer }>;
export async function startTestStack(options?: TestStackOptions): Promise<TestStack>;
export async function startTestStack(
  options: TestStackOptions = {},
): Promise<TestStack & { server?: TestServer }> {
  const clock = options.clock ?? systemClock;
  const clouds = await startDemoClouds({ ...options.clouds, clock });
  const adapterDefaults = { ...options.adapterDefaults, trustedCertificates: clouds.trustedCertificates };
  const stops: (() => Promise<unknown>)[] = [() => clouds.stop()];
  const stop = async () => {
    for (const step of [...stops].reverse()) await step();
  };
  try {
    const store = await createTestStoreContext();
    stops.push(async () => store.lowLevel.destroy());
    const started = options.server
      ? await startTestServer({
          sharedStore: store,
          clock,
          adapterDefaults,
          ...(options.server.streamConsumer !== undefined
            ? { streamConsumer: options.server.streamConsumer }
            : {}),
          ...(options.server.env ? { env: options.server.env } : {}),
        })
      : undefined;
    if (started) stops.push(() => started.stop());
    const { services, logs } = started
      ? { services: started.runtime.services, logs: started.logs }
      : servicesInProcess(store, clock, adapterDefaults, options.jobTiming);
    if (!started) stops.push(() => services.collections.stop());
    await services.exchangeRates.loadFile(SANDBOX_EXCHANGE_RATES_FILE);
    store.counter.reset();
    return {
      store,
      clock,
      clouds,
      services,
      stored: storedCosts(store, clock),
      logs,
      ...(started ? { server: started } : {}),
      stop,
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}

/** The stores and services as createServices wires them for the runtime, a local secret box, in-process events. */
function servicesInProcess(
  store: TestStoreContext,
  clock: Clock,
  adapterDefaults: AdapterDefaults,
  jobTiming: ServiceOptions["jobTiming"],
): { services: AppServices; logs: string[] } {
  const { logger, logs } = capturedLogger();
  const services = createServices({
    stores: createStores(store.doc, store.names, clock),
    pubsub: new InProcessPubSub(),
    logger,
    secretBox: createLocalSecretBox(randomBytes(32)),
    allowCustomProviderEndpoints: true,
    clock,
    adapterDefaults,
    // A failed pull is tried once more, at once (the runtime waits 30 s or more).
    pullRetryPolicy: { ...FAST_RETRY, maxAttempts: 2 },
    ...(jobTiming ? { jobTiming } : {}),
  });
  return { services, logs };
}
