/**
 * Each cloud's adapter aimed at a server that is not the cloud's API (a custom endpoint pointed at an
 * internal host): whatever that server answers, text or JSON of another shape, any status, the
 * adapter's errors and health results keep the provider, the operation and the status, and never a
 * byte of the body. The clouds' own documented errors still come through (their simulators' tests).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProviderAdapter } from "../../src/providers/factory.js";
import { parseProviderCredentials } from "../../src/providers/credentials.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import { FAST_RETRY } from "../support/fast-retry.js";
import { FOREIGN_SECRET, startForeignServer, type ForeignServer } from "../support/foreign-server.js";

const credentials = simulatorCredentials({
  awsAccessKeyId: "AKIAFOREIGNTEST00001",
  awsSecretAccessKey: "f".repeat(40),
  gcpPrivateKeyId: "g".repeat(40),
  azureClientSecret: "a".repeat(40),
});
const OPERATION: Record<CloudProvider, string> = {
  AWS: "AWS Cost Explorer GetCostAndUsage",
  GCP: "GCP BigQuery jobs.query",
  AZURE: "Azure Cost Management query",
};
/** Bodies a foreign host may send: text, HTML, JSON that is not the cloud's error, an empty body. */
const BODIES = [
  { body: FOREIGN_SECRET, contentType: "text/plain" },
  { body: `<html><title>${FOREIGN_SECRET}</title></html>`, contentType: "text/html" },
  {
    body: JSON.stringify({ message: FOREIGN_SECRET, Message: FOREIGN_SECRET }),
    contentType: "application/json",
  },
  { body: JSON.stringify([FOREIGN_SECRET]), contentType: "application/json" },
];

let plain: ForeignServer;
let tls: ForeignServer;

beforeAll(async () => {
  plain = await startForeignServer();
  tls = await startForeignServer({ tls: true });
});
afterAll(async () => {
  await plain?.stop();
  await tls?.stop();
});

const adapterFor = (provider: CloudProvider) => {
  // Azure's SDK sends its token over https only: its foreign host speaks TLS, pinned like the simulator.
  const server = provider === "AZURE" ? tls : plain;
  return {
    server,
    adapter: createProviderAdapter({
      provider,
      credentials: parseProviderCredentials(provider, credentials[provider]),
      endpoint: server.endpoint,
      allowCustomEndpoints: true,
      retryPolicy: { ...FAST_RETRY, maxAttempts: 1 },
      requestTimeoutMs: 5_000,
      trustedCertificates: [{ origin: tls.endpoint, ca: tls.ca! }],
    }),
  };
};

describe.each(["AWS", "GCP", "AZURE"] as const)("%s aimed at a foreign host", (provider) => {
  it.each([200, 400, 403, 500])("reports HTTP %i and the operation, never the body", async (status) => {
    const { server, adapter } = adapterFor(provider);
    for (const reply of BODIES) {
      server.answer({ status, ...reply });
      const health = await adapter.healthCheck();
      expect(health.healthy).toBe(false);
      expect(health.message).toContain(
        `${OPERATION[provider]} failed: HTTP ${status}, response was not the provider's error format`,
      );
      expect(health.message).not.toMatch(/SECRET|html|Unexpected token/);
      const failure = await adapter.fetchDailyCosts({ start: "2026-01-01", end: "2026-01-02" }).then(
        () => expect.unreachable("a foreign host's answer is not cost data"),
        (error: unknown) => error as Error,
      );
      expect(failure.message).toBe(
        `${OPERATION[provider]} failed: HTTP ${status}, response was not the provider's error format`,
      );
    }
  });
});
