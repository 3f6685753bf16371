/**
 * One evaluation tenant's clouds: per provider a seeded billing dataset, the labelled events planned
 * on its event-free twin (planLabelledEvents) and injected into it, and its simulator on loopback,
 * as startDemoClouds does for the demo tenant, but with the seed's datasets and plans.
 */
import type { Clock } from "../../src/shared/clock.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import { parseProviderCredentials } from "../../src/providers/credentials.js";
import type { TrustedCertificate } from "../../src/providers/factory.js";
import type { ConnectProviderInput } from "../../src/tenancy/client-manager.js";
import { startAwsSimulator } from "../../src/sandbox/aws/aws-simulator.js";
import { startAzureSimulator } from "../../src/sandbox/azure/azure-simulator.js";
import {
  createBillingDataset,
  type BillingDataset,
  type InjectedEvent,
} from "../../src/sandbox/billing-dataset.js";
import { startGcpSimulator } from "../../src/sandbox/gcp/gcp-simulator.js";
import { planLabelledEvents, type EventLabel } from "../../src/sandbox/labelled-events.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import type { EvalSettings } from "./settings.js";

/** Billing currencies as in the demo tenant: Azure bills in EUR, so the FX decoy has a month to move. */
const CURRENCIES: Record<CloudProvider, string> = { AWS: "USD", GCP: "USD", AZURE: "EUR" };
const DATASET_SALT: Record<CloudProvider, number> = { AWS: 11, GCP: 22, AZURE: 33 };

const CREDENTIALS = simulatorCredentials({
  awsAccessKeyId: "AKIAEVALUATION000001",
  awsSecretAccessKey: "evaluationSecretAccessKeyNotValid0000000",
  gcpPrivateKeyId: "e0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3",
  azureClientSecret: "evaluation-client-secret-not-valid-anywhere",
});

interface Simulator {
  endpoint: string;
  ca?: string;
  stop(): Promise<void>;
}

export interface EvalClouds {
  datasets: Partial<Record<CloudProvider, BillingDataset>>;
  events: readonly InjectedEvent[];
  labels: EventLabel[];
  trustedCertificates: TrustedCertificate[];
  connect(
    connectProvider: (input: ConnectProviderInput) => Promise<unknown>,
    clientId: string,
  ): Promise<void>;
  stop(): Promise<void>;
}

export async function startEvalClouds(
  seed: number,
  settings: EvalSettings,
  clock: Clock,
): Promise<EvalClouds> {
  const optionsOf = (provider: CloudProvider) => ({
    provider,
    currency: CURRENCIES[provider],
    seed: seed * 1000 + DATASET_SALT[provider],
    today: settings.today,
  });
  const plans = settings.providers.map((provider) =>
    planLabelledEvents({
      seed,
      dataset: createBillingDataset(optionsOf(provider)),
      months: settings.months,
      eventsPerMonth: settings.eventsPerMonth,
    }),
  );
  const events = plans.flatMap((plan) => plan.events);
  const datasets: Partial<Record<CloudProvider, BillingDataset>> = {};
  const simulators: Partial<Record<CloudProvider, Simulator>> = {};
  const start: Record<CloudProvider, (dataset: BillingDataset) => Promise<Simulator>> = {
    AWS: (dataset) => startAwsSimulator({ datasets: dataset }),
    GCP: (dataset) => startGcpSimulator({ datasets: dataset, now: clock }),
    AZURE: (dataset) => startAzureSimulator({ datasets: dataset }),
  };
  const stop = async () => {
    await Promise.all(Object.values(simulators).map((simulator) => simulator.stop()));
  };
  try {
    for (const provider of settings.providers) {
      const dataset = createBillingDataset({ ...optionsOf(provider), events });
      datasets[provider] = dataset;
      simulators[provider] = await start[provider](dataset);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    datasets,
    events,
    labels: plans.flatMap((plan) => plan.labels()),
    trustedCertificates: Object.values(simulators).flatMap((simulator) =>
      simulator.ca ? [{ origin: simulator.endpoint, ca: simulator.ca }] : [],
    ),
    connect: async (connectProvider, clientId) => {
      for (const provider of settings.providers) {
        await connectProvider({
          clientId,
          credentials: parseProviderCredentials(provider, CREDENTIALS[provider]),
          endpoint: simulators[provider]!.endpoint,
        });
      }
    },
    stop,
  };
}
