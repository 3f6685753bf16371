/**
 * The composition root's types: the stores over one pair of tables, and the services the GraphQL
 * layer calls. Built once per process by createServices.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ClientStore } from "./store/client-store.js";
import { ConnectionStore } from "./store/connection-store.js";
import { CollectionJobStore } from "./store/collection-job-store.js";
import { CostRecordStore } from "./store/cost-record-store.js";
import { TimeSeriesStore } from "./store/time-series-store.js";
import { ExchangeRateStore } from "./store/exchange-rate-store.js";
import type { TableNames } from "./store/table-definitions.js";
import { keyedReadsTogether, type KeyedRead } from "./store/batch.js";
import type { PubSub } from "./live/pubsub.js";
import { ClientManager, type AdapterDefaults } from "./tenancy/client-manager.js";
import { CollectionService, type CollectionServiceOptions } from "./collection/collection-service.js";
import { ExchangeRateService } from "./collection/exchange-rates.js";
import type { SecretBox } from "./security/secret-box.js";
import type { RetryPolicy } from "./shared/retry.js";
import type { Logger } from "./observability/logger.js";
import { systemClock, type Clock } from "./shared/clock.js";
import { CostAnomalyStore } from "./store/anomaly-store.js";
import { BudgetStore } from "./store/budget-store.js";
import type { Metrics } from "./observability/metrics.js";

export interface AppStores {
  clients: ClientStore;
  connections: ConnectionStore;
  jobs: CollectionJobStore;
  costs: CostRecordStore;
  timeseries: TimeSeriesStore;
  rates: ExchangeRateStore;
  anomalies: CostAnomalyStore;
  budgets: BudgetStore;
  /** A keyed read whose calls of one turn share BatchGetItem calls (one per GraphQL request). */
  readTogether(): KeyedRead;
}

/**
 * `onClientDataWritten`: told when this process wrote a client's costs or profile, before the
 * stream shows it (the read cache drops the client at once: read-your-writes on this instance).
 */
export function createStores(
  doc: DynamoDBDocumentClient,
  names: TableNames,
  clock: Clock = systemClock,
  onClientDataWritten?: (clientId: string) => void,
): AppStores {
  const options = { doc, names };
  const written = onClientDataWritten ? { onWritten: onClientDataWritten } : {};
  return {
    clients: new ClientStore({ ...options, ...written }),
    connections: new ConnectionStore(options),
    jobs: new CollectionJobStore(options),
    costs: new CostRecordStore({ ...options, now: clock, ...written }),
    timeseries: new TimeSeriesStore(options),
    rates: new ExchangeRateStore(options),
    anomalies: new CostAnomalyStore(options),
    budgets: new BudgetStore(options),
    readTogether: () => keyedReadsTogether(doc),
  };
}

export interface AppServices {
  stores: AppStores;
  pubsub: PubSub;
  clientManager: ClientManager;
  collections: CollectionService;
  exchangeRates: ExchangeRateService;
}

export interface ServiceOptions {
  stores: AppStores;
  pubsub: PubSub;
  logger: Logger;
  /** Encrypts and decrypts provider credentials (local key or KMS). */
  secretBox: SecretBox;
  allowCustomProviderEndpoints: boolean;
  retentionDays?: number;
  /** Adapter settings of this process (the sandbox pins its Azure simulator's CA to its origin). */
  adapterDefaults?: AdapterDefaults;
  /** Collection durations and provider API requests are exported here when given. */
  metrics?: Metrics;
  /** Whole-pull retries of every provider pull (tests make them fast). */
  pullRetryPolicy?: RetryPolicy;
  /** What "today" is for collections, connections and adapters (default: the system clock). */
  clock?: Clock;
  /** Job timing knobs (tests shorten them). */
  jobTiming?: Partial<
    Pick<CollectionServiceOptions, "heartbeatIntervalMs" | "lockTtlSeconds" | "staleAfterMs">
  >;
}

/** The services over the stores: one wiring for the server, the sandbox and the tests. */
export function createServices(options: ServiceOptions): AppServices {
  const { stores, logger } = options;
  const clock = options.clock ?? systemClock;
  const clientManager = new ClientManager({
    now: clock,
    clients: stores.clients,
    connections: stores.connections,
    secretBox: options.secretBox,
    allowCustomProviderEndpoints: options.allowCustomProviderEndpoints,
    logger,
    ...(options.adapterDefaults ? { adapterDefaults: options.adapterDefaults } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  const exchangeRates = new ExchangeRateService(stores.rates);
  const collections = new CollectionService({
    now: clock,
    clients: stores.clients,
    connections: stores.connections,
    jobs: stores.jobs,
    costRecords: stores.costs,
    exchangeRates,
    ...(options.pullRetryPolicy ? { pullRetryPolicy: options.pullRetryPolicy } : {}),
    adapterFor: (clientId, provider) => clientManager.adapterFor(clientId, provider),
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.retentionDays ? { retentionDays: options.retentionDays } : {}),
    ...options.jobTiming,
  });
  return { stores, pubsub: options.pubsub, clientManager, collections, exchangeRates };
}
