/**
 * Builds and starts the whole service for a configuration: DynamoDB clients and stores, pubsub,
 * the stream consumer, the collection service, the GraphQL schema and the http app. Production
 * (main.ts), the sandbox and the e2e tests all start it the same way.
 */
import { buildApiSchema } from "./graphql/schema.js";
import { fileURLToPath } from "node:url";
import { createApp, type App, type AppOptions } from "./app.js";
import { createTokenVerifier } from "./security/tokens.js";
import { AnomalyEvaluation } from "./application/anomaly-evaluation.js";
import { ReadCache } from "./application/read-cache.js";
import { announceDataChanges, DataVersionFollower } from "./application/data-versions.js";
import type { CostRecordHeaderChange } from "./store/stream-items.js";
import { createUseCases, type UseCases } from "./application/use-cases.js";
import { CursorCodec } from "./application/cursors.js";
import { createServices, createStores, type AppServices, type ServiceOptions } from "./services.js";
import { createDynamoClients, type DynamoSdkClients } from "./store/dynamo-client.js";
import { ensureTables } from "./store/bootstrap.js";
import { tableNames } from "./store/table-definitions.js";
import { InProcessPubSub } from "./live/pubsub.js";
import { RedisPubSub } from "./live/redis-pubsub.js";
import { StreamConsumer } from "./live/stream-consumer.js";
import { createMetrics } from "./observability/metrics.js";
import { CloudWatchMetricsPublisher, createCloudWatchClient } from "./observability/cloudwatch-publisher.js";
import { deploymentName } from "./observability/app-metrics.js";
import { LocalKeyWrapper, SecretBox, type KeyWrapper } from "./security/secret-box.js";
import { createKmsClient, KmsKeyWrapper } from "./security/kms-key-wrapper.js";
import { Registry } from "prom-client";
import { dynamoRequestMetrics } from "./store/dynamo-metrics.js";
import { createReadinessCheck } from "./observability/readiness.js";
import type { AdapterDefaults } from "./tenancy/client-manager.js";
import type { AppConfig } from "./config.js";
import { systemClock, type Clock } from "./shared/clock.js";
import type { Logger } from "./observability/logger.js";
import type { GraphQLContext } from "./graphql/context.js";

export interface RuntimeOptions {
  logger: Logger;
  /** Create missing tables (local DynamoDB); in AWS the tables come from the CDK stack. */
  ensureTables?: boolean;
  /** Adapter settings of this process (the sandbox pins its Azure simulator's CA to its origin). */
  adapterDefaults?: AdapterDefaults;
  /** What "today" is (the sandbox can start on any date); default: the system clock. */
  clock?: Clock;
  /** Collection job timing (the sandbox recovers every left-over job at once). */
  jobTiming?: ServiceOptions["jobTiming"];
  /** Credentials of the service's own KMS and CloudWatch calls; default: the SDK's chain (the task role). */
  awsCredentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /**
   * The built dashboard served at `/`; default: `dashboard/` beside the compiled service (dist/),
   * none when run from source (the sandbox passes its build).
   */
  dashboardDir?: string;
}

export interface Runtime {
  app: App;
  services: AppServices;
  /** The service's DynamoDB clients (tests count their requests; stop() destroys them). */
  dynamo: DynamoSdkClients;
  /** The use cases outside any request (the sandbox's set-up, as the system identity). */
  useCases(): UseCases;
  port: number;
  url: string;
  /**
   * Stops the stream consumer (it checkpoints and releases its lease), runs `whileStopped`, then
   * starts a fresh one from the checkpoints: what a redeploy or a crash-free failover does.
   */
  restartStreamConsumer(whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

export async function startRuntime(config: AppConfig, options: RuntimeOptions): Promise<Runtime> {
  const { logger } = options;
  const aws = {
    region: config.dynamo.region,
    ...(options.awsCredentials ? { credentials: options.awsCredentials } : {}),
  };
  const registry = new Registry();
  const alarmPublisher = config.cloudwatchMetrics
    ? new CloudWatchMetricsPublisher({
        cloudWatch: createCloudWatchClient({
          ...aws,
          ...(config.cloudwatchMetrics.endpoint ? { endpoint: config.cloudwatchMetrics.endpoint } : {}),
        }),
        deployment: deploymentName(config.dynamo.tablePrefix),
        intervalMs: config.cloudwatchMetrics.intervalMs,
        logger,
        registry,
      })
    : undefined;
  const metrics = createMetrics({ registry, ...(alarmPublisher ? { alarms: alarmPublisher } : {}) });
  const { kms: kmsKey, local: localKey } = config.credentialsKeys;
  const kms = kmsKey
    ? createKmsClient({ ...aws, ...(kmsKey.endpoint ? { endpoint: kmsKey.endpoint } : {}) })
    : undefined;
  // KMS seals when configured; a local key still opens what it sealed before the move to KMS.
  const keyWrappers: (KeyWrapper | undefined)[] = [
    kms && kmsKey ? new KmsKeyWrapper(kms, kmsKey.keyId) : undefined,
    localKey ? new LocalKeyWrapper(localKey) : undefined,
  ];
  const [sealWith, ...alsoOpenWith] = keyWrappers.filter((wrapper) => wrapper !== undefined);
  if (!sealWith) throw new Error("no credentials key configured (config guarantees one)");
  const dynamo = createDynamoClients({
    region: config.dynamo.region,
    ...(config.dynamo.endpoint ? { endpoint: config.dynamo.endpoint } : {}),
    requestTimeoutMs: config.dynamo.timeoutMs,
    onRequest: dynamoRequestMetrics(metrics),
  });
  const names = tableNames(config.dynamo.tablePrefix);
  if (options.ensureTables) await ensureTables(dynamo.lowLevel, names);

  const clock = options.clock ?? systemClock;
  // Cached reads are only as fresh as the changes this instance hears of: from its own stream
  // consumer, or through Redis from the instance holding the stream.
  const readCache =
    config.readCache.maxBytes > 0 && (config.streamConsumer || config.redisUrl)
      ? new ReadCache({
          maxBytes: config.readCache.maxBytes,
          settleMs: config.readCache.settleMs,
          metrics: {
            hit: (kind) => metrics.readCacheHits.inc({ kind }),
            miss: (kind) => metrics.readCacheMisses.inc({ kind }),
            invalidated: () => metrics.readCacheInvalidations.inc(),
            size: (bytes) => metrics.readCacheBytes.set(bytes),
          },
        })
      : undefined;
  const stores = createStores(dynamo.doc, names, clock, (clientId) => readCache?.invalidate([clientId]));
  const redis = config.redisUrl
    ? await RedisPubSub.connect({
        url: config.redisUrl,
        channelPrefix: `${deploymentName(config.dynamo.tablePrefix)}:`,
        logger,
      })
    : undefined;
  const pubsub = redis ?? new InProcessPubSub();
  const services = createServices({
    stores,
    pubsub,
    logger,
    secretBox: new SecretBox(sealWith, alsoOpenWith),
    allowCustomProviderEndpoints: config.allowCustomProviderEndpoints,
    retentionDays: config.retentionDays,
    metrics,
    clock,
    ...(options.jobTiming ? { jobTiming: options.jobTiming } : {}),
    adapterDefaults: {
      ...options.adapterDefaults,
      onRequestFailure: (provider, { error, delayMs }) => {
        // Only attempts that are tried again count as retries; a final failure is the job's error.
        if (delayMs !== undefined) metrics.providerRetries.inc({ provider, code: error.code });
      },
    },
  });
  const { collections } = services;
  await collections.recoverInterruptedJobs();
  const follower = readCache ? new DataVersionFollower({ cache: readCache, pubsub, logger }) : undefined;
  follower?.start();
  const useCaseDeps = {
    stores,
    clientManager: services.clientManager,
    collections: services.collections,
    exchangeRates: services.exchangeRates,
    pubsub,
    cursors: new CursorCodec(config.auth.jwtSecret),
    clock,
    ...(readCache ? { readCache } : {}),
  };
  const anomalies = config.anomalyDetection
    ? new AnomalyEvaluation({ costs: stores.costs, anomalies: stores.anomalies, clock, logger })
    : undefined;
  /** What the lease holder does with each batch of stored or restated days, before checkpointing it. */
  const onRecordChanges = async (changes: readonly CostRecordHeaderChange[]) => {
    await anomalies?.onRecordChanges(changes);
    await createUseCases(useCaseDeps, { cache: false, batch: config.batchReads }).budgets.onRecordChanges(
      changes,
    );
  };
  const startConsumer = () => {
    const started = new StreamConsumer({
      dynamo,
      table: names.data,
      pubsub,
      logger,
      onRecordChanges,
      onDataChanged: announceDataChanges(readCache, pubsub),
      onLag: (lagMs) => {
        metrics.streamLagSeconds.set(lagMs / 1000);
        metrics.alarms.streamIteratorAge(lagMs);
      },
    });
    started.start();
    return started;
  };
  let consumer = config.streamConsumer ? startConsumer() : undefined;

  // Tokens carry real time: the sandbox's clock (which may start on another day) does not judge them.
  const tokens = createTokenVerifier({
    secret: config.auth.jwtSecret,
    oidc: config.oidc,
    maxLifetimeSeconds: config.auth.maxTokenLifetimeSeconds,
    onKeysUnavailable: (error) =>
      logger.warn({ err: error }, "the identity provider's JWKS could not be fetched"),
  });
  const createContext = async (input: {
    requestId: string;
    authorization: string | undefined;
    live: boolean;
  }): Promise<GraphQLContext> => {
    return {
      requestId: input.requestId,
      logger: logger.child({ requestId: input.requestId }),
      auth: await tokens.authenticate(input.authorization),
      useCases: createUseCases(useCaseDeps, { cache: !input.live, batch: config.batchReads }),
    };
  };

  const readiness = createReadinessCheck({
    listConnections: (limit) => stores.connections.listAcrossClients(limit),
    // Read at each probe: a restart replaces the consumer.
    ...(config.streamConsumer ? { streamConsumerStatus: () => consumer?.status() } : {}),
    ...(redis ? { eventBrokerConnected: () => redis.isConnected() } : {}),
    logger,
  });

  const app = await createApp({
    schema: await buildApiSchema(),
    logger,
    metrics,
    tokens,
    limits: config.limits,
    trustedDocuments: config.trustedDocuments,
    introspection: config.introspection,
    createContext,
    readiness,
    clock,
    ...dashboardOptions(config, options.dashboardDir),
  });
  const port = await app.listen(config.port, config.host);
  alarmPublisher?.start();
  logger.info({ port, host: config.host, mode: config.mode }, "listening");

  return {
    app,
    services,
    dynamo,
    useCases: () => createUseCases(useCaseDeps, { cache: false, batch: config.batchReads }),
    port,
    url: `http://${config.host === "0.0.0.0" ? "127.0.0.1" : config.host}:${port}/graphql`,
    restartStreamConsumer: async (whileStopped) => {
      if (!consumer) throw new Error("the stream consumer is off (STREAM_CONSUMER=off)");
      await consumer.stop();
      try {
        await whileStopped?.();
      } finally {
        consumer = startConsumer();
      }
    },
    stop: async () => {
      // Order matters: no new requests, then no new writes, then no more events.
      const steps: [string, () => Promise<unknown>][] = [
        ["http and subscriptions", () => app.stop()],
        ["collection jobs", () => collections.stop()],
        ["stream consumer", async () => consumer?.stop()],
        ["read cache", async () => follower?.stop()],
        ["pubsub", () => pubsub.close()],
        // Last: the operations and collections that just ended are in its final window.
        ["alarm metrics", async () => alarmPublisher?.stop()],
      ];
      for (const [name, step] of steps) {
        await step();
        logger.debug({ step: name }, "stopped");
      }
      dynamo.lowLevel.destroy();
      kms?.destroy();
    },
  };
}

/** Where the dashboard is (see RuntimeOptions.dashboardDir) and the sign-in it is told to use. */
function dashboardOptions(config: AppConfig, dir?: string): Pick<AppOptions, "dashboard"> {
  const compiled = import.meta.url.endsWith(".js");
  const at = dir ?? (compiled ? fileURLToPath(new URL("./dashboard/", import.meta.url)) : undefined);
  if (!at) return {};
  const { oidc } = config;
  return {
    dashboard: {
      dir: at,
      oidc:
        oidc?.dashboardClientId !== undefined
          ? {
              issuer: oidc.issuer,
              clientId: oidc.dashboardClientId,
              audience: oidc.audience,
              rolesClaim: oidc.rolesClaim,
            }
          : null,
    },
  };
}
