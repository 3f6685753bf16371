/**
 * What the collections e2e files share: a sandbox with one client connected to its simulators, a
 * GraphQL caller that keeps every response body (so a file can prove no secret was ever sent back),
 * connection inputs for the simulators carrying distinctive secrets, and the mutations and job
 * polling a dashboard would do over HTTP.
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { expect } from "vitest";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";
import type { DemoClouds } from "../../src/sandbox/demo-tenant.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import { setUpOrStop, startBackfilledSandbox, type BackfilledSandbox } from "../support/sandbox-server.js";
import type { GraphQLCall } from "../support/server.js";
import {
  CollectionJobStatusDocument,
  ConnectProviderDocument,
  CreateClientDocument,
  TriggerCollectionDocument,
  type CollectionJobStatusQuery,
  type ConnectProviderInput,
  type TriggerCollectionInput,
} from "./generated/graphql.js";

/** A sandbox (small datasets) with one client connected to all three simulators over GraphQL. */
export interface ConnectedSandbox extends BackfilledSandbox {
  /** The server's GraphQL caller, keeping every response body in `bodies`. */
  call: GraphQLCall;
  bodies: string[];
  providers: ProviderInputs;
}

export type FinishedJob = NonNullable<CollectionJobStatusQuery["collectionJob"]>;

/** Wraps a caller so every response body it receives is kept, serialized, in `bodies`. */
export function recordingCaller(call: GraphQLCall): { call: GraphQLCall; bodies: string[] } {
  const bodies: string[] = [];
  const recording: GraphQLCall = async (query, variables, token) => {
    const response = await call(query, variables, token);
    bodies.push(JSON.stringify(response.body));
    return response;
  };
  return { call: recording, bodies };
}

export interface ProviderInputs {
  /** Per provider: the connectProvider input without clientId, aimed at the sandbox simulator. */
  inputs: Record<CloudProvider, Omit<ConnectProviderInput, "clientId">>;
  /** Strings that must never leave the server: the AWS secret key, the Azure secret, a slice of the GCP private key. */
  secrets: string[];
}

/** Credentials the simulators accept, with secrets no other test or fixture uses. */
export function distinctiveProviderInputs(clouds: DemoClouds): ProviderInputs {
  const tag = randomBytes(12).toString("hex").toUpperCase();
  const { AWS, GCP, AZURE } = simulatorCredentials({
    awsAccessKeyId: `AKIA${tag.slice(0, 16)}`,
    awsSecretAccessKey: `E2eLeakCanaryAws${tag}`.padEnd(40, "Q").slice(0, 40),
    gcpPrivateKeyId: tag.toLowerCase(),
    azureClientSecret: `e2e-leak-canary-azure-${tag}`,
  });
  const { serviceAccountKey, ...gcp } = GCP;
  const { method: _method, ...azure } = AZURE;
  return {
    inputs: {
      AWS: {
        aws: { accessKeyId: AWS.accessKeyId, secretAccessKey: AWS.secretAccessKey },
        endpoint: clouds.endpoints.AWS,
      },
      GCP: {
        gcp: { serviceAccountKeyJson: JSON.stringify(serviceAccountKey), ...gcp },
        endpoint: clouds.endpoints.GCP,
      },
      AZURE: { azure, endpoint: clouds.endpoints.AZURE },
    },
    // One line of the key's body: found whether the PEM is logged raw or JSON-escaped.
    secrets: [AWS.secretAccessKey, AZURE.clientSecret, serviceAccountKey.private_key.split("\n")[3]!],
  };
}

/** Fails naming the secret's owner when any text contains any of the secrets. */
export function expectNoSecretIn(texts: readonly string[], secrets: readonly string[]): void {
  expect(secrets.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    const leaks = texts.filter((text) => text.includes(secret));
    expect(leaks, `secret ${secret.slice(0, 6)}… leaked`).toEqual([]);
  }
}

/** Creates a USD client as admin; fails the test on any error. */
export async function createClient(call: GraphQLCall, admin: string, clientId: string): Promise<void> {
  const { body } = await call(
    CreateClientDocument,
    { input: { id: clientId, name: `E2E ${clientId}`, reportingCurrency: "USD" } },
    admin,
  );
  expect(body.errors).toBeUndefined();
}

/** Creates a client as admin and connects the providers, each HEALTHY; fails the test on any error. */
export async function connectedClient(
  call: GraphQLCall,
  admin: string,
  clientId: string,
  inputs: ProviderInputs["inputs"],
  providers: readonly CloudProvider[],
): Promise<void> {
  await createClient(call, admin, clientId);
  for (const provider of providers) {
    const { body } = await call(ConnectProviderDocument, { input: { clientId, ...inputs[provider] } }, admin);
    expect(body.errors).toBeUndefined();
    expect(body.data?.connectProvider.health).toBe("HEALTHY");
  }
}

/** Triggers a collection over GraphQL; returns the job as the mutation answered it. */
export async function trigger(
  call: GraphQLCall,
  token: string,
  input: TriggerCollectionInput,
): Promise<FinishedJob> {
  const { body } = await call(TriggerCollectionDocument, { input }, token);
  expect(body.errors).toBeUndefined();
  return body.data!.triggerCollection;
}

const ACTIVE = new Set(["QUEUED", "RUNNING"]);
const POLL_MS = 100;
const POLL_LIMIT_MS = 120_000;

/** Polls `collectionJob(id)` as a dashboard would, until the job is no longer QUEUED or RUNNING. */
export async function pollJob(call: GraphQLCall, token: string, id: string): Promise<FinishedJob> {
  for (let waited = 0; waited < POLL_LIMIT_MS; waited += POLL_MS) {
    const { body } = await call(CollectionJobStatusDocument, { id }, token);
    expect(body.errors).toBeUndefined();
    const job = body.data?.collectionJob;
    if (!job) throw new Error(`collectionJob(${id}) returned null`);
    if (!ACTIVE.has(job.status)) return job;
    await sleep(POLL_MS);
  }
  throw new Error(`job ${id} did not finish within ${POLL_LIMIT_MS} ms`);
}

/** Triggers and polls to the end. */
export async function collect(
  call: GraphQLCall,
  token: string,
  input: TriggerCollectionInput,
): Promise<FinishedJob> {
  const job = await trigger(call, token, input);
  return pollJob(call, token, job.id);
}

export const byProvider = <T extends { provider: CloudProvider }>(items: readonly T[]) =>
  Object.fromEntries(items.map((item) => [item.provider, item])) as Partial<Record<CloudProvider, T>>;

export async function startConnectedSandbox(clientId: string): Promise<ConnectedSandbox> {
  const sandbox = await startBackfilledSandbox(clientId, {
    backfillDays: 1,
    clouds: { size: { services: 3, accounts: 1, regions: 1 } },
  });
  const { server } = sandbox;
  return setUpOrStop(server, async () => {
    const { call, bodies } = recordingCaller(server.graphql);
    const providers = distinctiveProviderInputs(server.sandbox.clouds);
    const admin = await server.token({ roles: ["admin"] });
    await connectedClient(call, admin, clientId, providers.inputs, CLOUD_PROVIDERS);
    return { ...sandbox, call, bodies, providers };
  });
}
