/**
 * The sandbox's three clouds: seeded billing datasets (AWS and GCP billed in USD, Azure in EUR),
 * their simulators on loopback, and credentials of the right shape for each (never valid anywhere
 * else). Used by `npm start` and by the end-to-end tests, so both exercise the same path.
 * With `labelledEvents`, the datasets carry the demo tenant's few labelled anomalies and a decoy
 * (labelled-events.ts, demoLabelledEvents), so a newcomer sees anomalies in the sandbox.
 */
import { dayOfInstant } from "../domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../domain/provider.js";
import { systemClock, type Clock } from "../shared/clock.js";
import type { ConnectProviderInput } from "../tenancy/client-manager.js";
import { parseProviderCredentials } from "../providers/credentials.js";
import type { TrustedCertificate } from "../providers/factory.js";
import { startAwsSimulator, type AwsSimulator } from "./aws/aws-simulator.js";
import { startAzureSimulator, type AzureSimulator } from "./azure/azure-simulator.js";
import { createBillingDataset, type BillingDataset } from "./billing-dataset.js";
import { demoLabelledEvents, type EventLabel } from "./labelled-events.js";
import { startGcpSimulator, type GcpSimulator } from "./gcp/gcp-simulator.js";
import {
  simulatorCredentials,
  type SimulatorCredentials,
  type SimulatorSecrets,
} from "./simulator-credentials.js";

export interface DemoClouds {
  datasets: Record<CloudProvider, BillingDataset>;
  /** What was injected into the datasets (empty without `labelledEvents`): plain JSON. */
  labels: EventLabel[];
  simulators: { AWS: AwsSimulator; GCP: GcpSimulator; AZURE: AzureSimulator };
  endpoints: Record<CloudProvider, string>;
  credentials: SimulatorCredentials;
  /** The simulators' self-signed certificates, each pinned to its own endpoint only. */
  trustedCertificates: TrustedCertificate[];
  /** Billing API requests each simulator has answered (Cost Explorer calls for AWS). */
  requestCounts(): Record<CloudProvider, number>;
  /** Connects a client to the simulators, all three by default (an upsert: ports change every start), health checks included. */
  connect(
    connectProvider: (input: ConnectProviderInput) => Promise<unknown>,
    clientId: string,
    providers?: readonly CloudProvider[],
  ): Promise<void>;
  stop(): Promise<void>;
}

export interface DemoCloudOptions {
  /** Dataset size knobs (defaults: a realistic small tenant). */
  size?: { services?: number; accounts?: number; regions?: number };
  /** Smaller pages make pagination happen in tests. */
  pageSizes?: { AWS?: number; GCP?: number; AZURE?: number };
  /** Per cloud, the account's first billed day (default: three years of history). */
  firstDays?: Partial<Record<CloudProvider, string>>;
  /** What "today" is for the datasets and the simulators (default: the system clock). */
  clock?: Clock;
  /** The credentials `connect` uses (default: the demo tenant's); tests bring their own secrets. */
  credentials?: SimulatorCredentials;
  /**
   * Inject the demo tenant's labelled events: a spike in the largest AWS service 4 days before
   * today, a level shift of the largest GCP project from 13 to 7 days before, a credit decoy on the
   * largest AWS account 18 days before (default false; startSandbox turns it on).
   */
  labelledEvents?: boolean;
}

/** The demo tenant's fixed secrets: valid nowhere but the simulators. */
const DEMO_SECRETS: SimulatorSecrets = {
  awsAccessKeyId: "AKIASANDBOXDEMO00001",
  awsSecretAccessKey: "sandboxSecretAccessKeyNotValid0000000000",
  gcpPrivateKeyId: "5a4b3c2d1e0f5a4b3c2d1e0f5a4b3c2d1e0f5a4b",
  azureClientSecret: "sandbox-client-secret-not-valid-anywhere",
};

export async function startDemoClouds(options: DemoCloudOptions = {}): Promise<DemoClouds> {
  const clock = options.clock ?? systemClock;
  const today = dayOfInstant(clock());
  const datasetOptions = (provider: CloudProvider, currency: string, seed: number) => ({
    provider,
    currency,
    seed,
    today,
    ...options.size,
    ...(options.firstDays?.[provider] ? { firstDay: options.firstDays[provider] } : {}),
  });
  const clouds = {
    AWS: datasetOptions("AWS", "USD", 11),
    GCP: datasetOptions("GCP", "USD", 22),
    AZURE: datasetOptions("AZURE", "EUR", 33),
  };
  // The events are sized on the event-free datasets, then injected into the ones served.
  const plan = options.labelledEvents
    ? demoLabelledEvents({
        AWS: createBillingDataset(clouds.AWS),
        GCP: createBillingDataset(clouds.GCP),
        AZURE: createBillingDataset(clouds.AZURE),
      })
    : undefined;
  const events = plan?.events ?? [];
  const datasets = {
    AWS: createBillingDataset({ ...clouds.AWS, events }),
    GCP: createBillingDataset({ ...clouds.GCP, events }),
    AZURE: createBillingDataset({ ...clouds.AZURE, events }),
  };
  const simulators = {
    AWS: await startAwsSimulator({
      datasets: datasets.AWS,
      ...(options.pageSizes?.AWS ? { pageSize: options.pageSizes.AWS } : {}),
    }),
    GCP: await startGcpSimulator({
      datasets: datasets.GCP,
      now: clock,
      ...(options.pageSizes?.GCP ? { maxRowsPerPage: options.pageSizes.GCP } : {}),
    }),
    AZURE: await startAzureSimulator({
      datasets: datasets.AZURE,
      ...(options.pageSizes?.AZURE ? { pageSize: options.pageSizes.AZURE } : {}),
    }),
  };
  const credentials = options.credentials ?? simulatorCredentials(DEMO_SECRETS);
  return {
    datasets,
    labels: plan?.labels() ?? [],
    simulators,
    endpoints: {
      AWS: simulators.AWS.endpoint,
      GCP: simulators.GCP.endpoint,
      AZURE: simulators.AZURE.endpoint,
    },
    credentials,
    trustedCertificates: [{ origin: simulators.AZURE.endpoint, ca: simulators.AZURE.ca }],
    requestCounts: () => ({
      AWS: simulators.AWS.requestCount("GetCostAndUsage"),
      GCP: simulators.GCP.requestCount(),
      AZURE: simulators.AZURE.requestCount(),
    }),
    connect: async (connectProvider, clientId, providers = CLOUD_PROVIDERS) => {
      for (const provider of providers) {
        await connectProvider({
          clientId,
          credentials: parseProviderCredentials(provider, credentials[provider]),
          endpoint: simulators[provider].endpoint,
        });
      }
    },
    stop: async () => {
      await Promise.all(Object.values(simulators).map((simulator) => simulator.stop()));
    },
  };
}
