/**
 * The collection stack for the collection-*.test.ts files: the tests' stack (support/stack.ts) in
 * this process on a clock that starts on TODAY, the simulators paging small over seeded datasets
 * (AWS USD, GCP USD, Azure EUR), connections with distinctive secrets, and the fast retry policy.
 * The logs are captured so tests can look for secrets in them.
 */
import type { ClientManager } from "../../src/tenancy/client-manager.js";
import type { CollectionService, CollectionServiceOptions } from "../../src/collection/collection-service.js";
import type { ExchangeRateService } from "../../src/collection/exchange-rates.js";
import type { CollectionJob } from "../../src/domain/collection-job.js";
import { clockStartingOn, type Clock } from "../../src/shared/clock.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import type { AwsSimulator } from "../../src/sandbox/aws/aws-simulator.js";
import type { AzureSimulator } from "../../src/sandbox/azure/azure-simulator.js";
import type { BillingDataset } from "../../src/sandbox/billing-dataset.js";
import type { GcpSimulator } from "../../src/sandbox/gcp/gcp-simulator.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import type { ClientStore } from "../../src/store/client-store.js";
import type { CollectionJobStore } from "../../src/store/collection-job-store.js";
import type { ConnectionStore } from "../../src/store/connection-store.js";
import type { CostRecordStore } from "../../src/store/cost-record-store.js";
import type { TestStoreContext } from "../support/dynamo.js";
import { FAST_RETRY } from "../support/fast-retry.js";
import { startTestStack } from "../support/stack.js";
import type { StoredCosts } from "../support/stored-costs.js";
import type { LoadedStores } from "../../src/application/request-loaders.js";

/** A fixed day, so no collection test depends on the real date; the fixture's clock starts on it. */
export const TODAY = "2026-11-18";

/** Secret parts of the credentials below: none may surface outside the encrypted envelope. */
export const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYCOLLECT0R1";
export const AZURE_SECRET = "Zq8~collector.secret-value_9876543210abc";
export const RAW_CREDENTIALS = simulatorCredentials({
  awsAccessKeyId: "AKIACOLLECTIONTEST01",
  awsSecretAccessKey: AWS_SECRET,
  gcpPrivateKeyId: "9c8b7a6f5e4d3c2b1a0998877665544332211000",
  azureClientSecret: AZURE_SECRET,
});
/** A line from inside the PEM body. */
export const GCP_KEY_FRAGMENT = RAW_CREDENTIALS.GCP.serviceAccountKey.private_key.split("\n")[5] ?? "";
export const SECRETS = [AWS_SECRET, AZURE_SECRET, GCP_KEY_FRAGMENT];

export interface CollectionFixture {
  store: TestStoreContext;
  datasets: Record<CloudProvider, BillingDataset>;
  simulators: { AWS: AwsSimulator; GCP: GcpSimulator; AZURE: AzureSimulator };
  stores: {
    clients: ClientStore;
    connections: ConnectionStore;
    jobs: CollectionJobStore;
    costRecords: CostRecordStore;
  };
  /** Cost records and rollups as the tables hold them. */
  stored: StoredCosts;
  /** The stores the request loaders read (cost questions as the API answers them). */
  readStores: LoadedStores;
  exchangeRates: ExchangeRateService;
  /** The services' clock: it starts on TODAY. */
  clock: Clock;
  clientManager: ClientManager;
  service: CollectionService;
  /** Every log line written so far (JSON text). */
  logLines: string[];
  /** Requests each simulator has received so far (Cost Explorer calls only for AWS). */
  requestCounts(): Record<CloudProvider, number>;
  /** Creates a client and connects it to the given simulators. */
  connectedClient(clientId: string, reportingCurrency: string, providers: CloudProvider[]): Promise<void>;
  /** Triggers and waits until the job (run by this process) is finished. */
  collect(
    clientId: string,
    period: { start: string; end: string },
    providers?: CloudProvider[],
  ): Promise<CollectionJob>;
  stop(): Promise<void>;
}

export async function startCollectionFixture(
  overrides: Partial<Pick<CollectionServiceOptions, "heartbeatIntervalMs" | "lockTtlSeconds">> = {},
): Promise<CollectionFixture> {
  const stack = await startTestStack({
    clock: clockStartingOn(TODAY),
    clouds: {
      size: { services: 4, accounts: 2, regions: 2 },
      pageSizes: { AWS: 25, GCP: 60, AZURE: 40 },
      credentials: RAW_CREDENTIALS,
    },
    adapterDefaults: { retryPolicy: FAST_RETRY },
    jobTiming: overrides,
  });
  const { clouds, services } = stack;
  const { clientManager, collections: service } = services;

  return {
    store: stack.store,
    datasets: clouds.datasets,
    simulators: clouds.simulators,
    stores: {
      clients: services.stores.clients,
      connections: services.stores.connections,
      jobs: services.stores.jobs,
      costRecords: services.stores.costs,
    },
    stored: stack.stored,
    readStores: services.stores,
    exchangeRates: services.exchangeRates,
    clock: stack.clock,
    clientManager,
    service,
    logLines: stack.logs,
    requestCounts: clouds.requestCounts,
    async connectedClient(clientId, reportingCurrency, providers) {
      await clientManager.createClient(
        { sub: "test-admin" },
        { id: clientId, name: `Client ${clientId}`, reportingCurrency },
      );
      await clouds.connect((input) => clientManager.connectProvider(input), clientId, providers);
    },
    async collect(clientId, period, providers) {
      const queued = await service.triggerCollection({
        clientId,
        period,
        requestedBy: "test",
        ...(providers ? { providers } : {}),
      });
      const finished = await service.waitForJob(queued.id);
      if (!finished) throw new Error(`job ${queued.id} is not running in this process`);
      return finished;
    },
    stop: stack.stop,
  };
}
