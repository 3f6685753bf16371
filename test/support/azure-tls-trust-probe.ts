/**
 * Run in its own process by azure-tls-trust.test.ts, since Node reads NODE_EXTRA_CA_CERTS once at
 * start. Builds the services as the sandbox does (the same adapter defaults: the first simulator's
 * certificate pinned to its origin) over the test run's DynamoDB Local, connects one client to each
 * target endpoint through the ClientManager (health check included), collects a few days from each
 * healthy one through the collector's path (adapterFor), and prints one JSON line with the outcomes.
 *
 * Input, as JSON in AZURE_TLS_PROBE: { dynamoEndpoint, tablePrefix, pinned: { endpoint, ca }, targets }.
 * Import only its types: loading this module runs the probe.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import type { AdapterDefaults } from "../../src/tenancy/client-manager.js";
import { createLocalSecretBox } from "../../src/security/secret-box.js";
import { addDays, dayOfInstant } from "../../src/domain/dates.js";
import { parseProviderCredentials } from "../../src/providers/credentials.js";
import { InProcessPubSub } from "../../src/live/pubsub.js";
import { createLogger } from "../../src/observability/logger.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import { createServices, createStores } from "../../src/services.js";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { tableNames } from "../../src/store/table-definitions.js";

export interface AzureTlsProbeInput {
  dynamoEndpoint: string;
  tablePrefix: string;
  /** The simulator the sandbox pins (its endpoint and certificate). */
  pinned: { endpoint: string; ca: string };
  /** One client is connected to each. */
  targets: string[];
}

export interface AzureTlsProbeOutcome {
  endpoint: string;
  health: string;
  error?: string;
  /** Cost lines collected through adapterFor (healthy connections only). */
  lines?: number;
  collectError?: string;
}

const AZURE_TLS_PROBE_ENV = "AZURE_TLS_PROBE";

async function main(): Promise<void> {
  const input = JSON.parse(process.env[AZURE_TLS_PROBE_ENV] ?? "") as AzureTlsProbeInput;
  const { doc } = createDynamoClients({ endpoint: input.dynamoEndpoint, requestTimeoutMs: 30_000 });
  const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
  // The sandbox's adapter defaults (src/sandbox/sandbox.ts), with retries made quick.
  const adapterDefaults: AdapterDefaults = {
    trustedCertificates: [{ origin: input.pinned.endpoint, ca: input.pinned.ca }],
    retryPolicy: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 5_000 },
  };
  const { clientManager } = createServices({
    stores: createStores(doc, tableNames(input.tablePrefix)),
    pubsub: new InProcessPubSub(),
    logger: createLogger({ level: "silent", destination: discard }),
    secretBox: createLocalSecretBox(randomBytes(32)),
    allowCustomProviderEndpoints: true,
    adapterDefaults,
  });
  const credentials = simulatorCredentials({
    awsAccessKeyId: "AKIATLSTRUSTPROBE001",
    awsSecretAccessKey: "tlsTrustProbeSecretNotValid0000000000000",
    gcpPrivateKeyId: "0123456789abcdef0123456789abcdef01234567",
    azureClientSecret: "tls-trust-probe-secret-not-valid",
  }).AZURE;
  const today = dayOfInstant(new Date());
  const outcomes: AzureTlsProbeOutcome[] = [];
  for (const endpoint of input.targets) {
    const clientId = `tls-${randomUUID().slice(0, 8)}`;
    await clientManager.createClient(
      { sub: "tls-probe" },
      { id: clientId, name: `TLS ${endpoint}`, reportingCurrency: "EUR" },
    );
    const connection = await clientManager.connectProvider({
      clientId,
      credentials: parseProviderCredentials("AZURE", credentials),
      endpoint,
    });
    const outcome: AzureTlsProbeOutcome = {
      endpoint,
      health: connection.health,
      ...(connection.lastHealthError ? { error: connection.lastHealthError } : {}),
    };
    if (connection.health === "HEALTHY") {
      try {
        const adapter = await clientManager.adapterFor(clientId, "AZURE");
        const result = await adapter.fetchDailyCosts({ start: addDays(today, -3), end: addDays(today, -1) });
        outcome.lines = result.lines.length;
      } catch (error) {
        outcome.collectError = error instanceof Error ? error.message : String(error);
      }
    }
    outcomes.push(outcome);
  }
  doc.destroy();
  process.stdout.write(`${JSON.stringify(outcomes)}\n`);
}

await main();
