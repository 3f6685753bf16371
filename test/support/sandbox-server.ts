/**
 * The sandbox stack (service + three simulators + demo tenant) over the run's DynamoDB Local with
 * fresh tables: what collection, live and reliability e2e tests talk to. The backfill is small by
 * default and the periodic refresh is off; tests call `sandbox.refresh()` when they want one.
 */
import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { issueToken } from "../../src/security/tokens.js";
import type { Role } from "../../src/domain/identity.js";
import { startSandbox, type Sandbox, type SandboxOptions } from "../../src/sandbox/sandbox.js";
import { capturedLogger } from "./logs.js";
import { TEST_DYNAMO_TIMEOUT_MS } from "./dynamo.js";
import { graphqlClient, type GraphQLCall } from "./server.js";

export interface SandboxServer {
  sandbox: Sandbox;
  url: string;
  wsUrl: string;
  logs: string[];
  graphql: GraphQLCall;
  /** `expiresIn`: a jose time span, 12 h by default. */
  token(claims: { roles: Role[]; clientIds?: string[]; sub?: string }, expiresIn?: string): Promise<string>;
  /** Waits until the job (run by this process) is finished, and returns it. */
  waitForJob(
    jobId: string,
  ): Promise<NonNullable<Awaited<ReturnType<Sandbox["runtime"]["services"]["collections"]["waitForJob"]>>>>;
  stop(): Promise<void>;
}

export interface SandboxServerOptions {
  backfillDays?: number;
  env?: Record<string, string>;
  clouds?: SandboxOptions["clouds"];
  /** The portfolio's twelve extra tenants (default off: most tests need only `demo`). */
  portfolioTenants?: boolean;
}

export async function startSandboxServer(options: SandboxServerOptions = {}): Promise<SandboxServer> {
  const { logger, logs } = capturedLogger();
  const sandbox = await startSandbox({
    env: {
      PORT: "0",
      TABLE_PREFIX: `t${randomUUID().slice(0, 8)}-`,
      SANDBOX_REFRESH_SECONDS: "0",
      STREAM_CONSUMER: "on",
      DYNAMODB_TIMEOUT_MS: String(TEST_DYNAMO_TIMEOUT_MS),
      ...options.env,
    },
    logger,
    dynamoEndpoint: inject("dynamoEndpoint"),
    backfillDays: options.backfillDays ?? 10,
    clouds: options.clouds ?? { size: { services: 4, accounts: 2, regions: 2 } },
    portfolioTenants: options.portfolioTenants ?? false,
  });
  const { url } = sandbox.runtime;
  return {
    sandbox,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    logs,
    graphql: graphqlClient(url),
    token: (claims, expiresIn) =>
      issueToken(
        { sub: claims.sub ?? "test-user", roles: claims.roles, clientIds: claims.clientIds ?? [] },
        sandbox.config.auth.jwtSecret,
        expiresIn,
      ),
    waitForJob: async (jobId) => {
      const job = await sandbox.runtime.services.collections.waitForJob(jobId);
      if (!job) throw new Error(`job ${jobId} is not running in this process`);
      return job;
    },
    stop: () => sandbox.stop(),
  };
}

/** A started sandbox whose startup backfill has finished, with tokens scoped to one client. */
export interface BackfilledSandbox {
  server: SandboxServer;
  /** The last day of the sandbox's datasets. */
  today: string;
  viewer: string;
  editor: string;
}

export async function startBackfilledSandbox(
  clientId: string,
  options: SandboxServerOptions = {},
): Promise<BackfilledSandbox> {
  const server = await startSandboxServer(options);
  return setUpOrStop(server, async () => {
    await server.waitForJob(server.sandbox.backfill.id);
    return {
      server,
      today: server.sandbox.clouds.datasets.AWS.today,
      viewer: await server.token({ roles: ["viewer"], clientIds: [clientId] }),
      editor: await server.token({ roles: ["editor"], clientIds: [clientId] }),
    };
  });
}

/** Runs `setUp`; when it fails, stops the server first: no test holds it yet to stop it. */
export async function setUpOrStop<T>(server: SandboxServer, setUp: () => Promise<T>): Promise<T> {
  try {
    return await setUp();
  } catch (error) {
    await server.stop();
    throw error;
  }
}
