/**
 * The sandbox pins its Azure simulator's certificate to that simulator's origin only: every other
 * Azure connection keeps Node's default trust, NODE_EXTRA_CA_CERTS included (an explicit CA would
 * replace the whole trust store). Node reads NODE_EXTRA_CA_CERTS once at start, so each case runs
 * test/support/azure-tls-trust-probe.ts in its own process, which builds the services with the
 * sandbox's adapter defaults and connects to a pinned simulator and to a second one (its own
 * self-signed certificate, trusted only through NODE_EXTRA_CA_CERTS).
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dayOfInstant } from "../../src/domain/dates.js";
import { pinnedCertificateFor } from "../../src/providers/factory.js";
import { createBillingDataset } from "../../src/sandbox/billing-dataset.js";
import { startAzureSimulator, type AzureSimulator } from "../../src/sandbox/azure/azure-simulator.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import type { AzureTlsProbeInput, AzureTlsProbeOutcome } from "../support/azure-tls-trust-probe.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const PROBE = "test/support/azure-tls-trust-probe.ts";
const PROBE_TIMEOUT_MS = 90_000;
/** Node's TLS error codes for a certificate that chains to nothing trusted; the message names it. */
const UNTRUSTED_CERTIFICATE =
  /\((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)$/;

let store: TestStoreContext;
let pinned: AzureSimulator;
let other: AzureSimulator;
let tempDir: string;
let otherCaFile: string;

beforeAll(async () => {
  store = await createTestStoreContext();
  const datasets = createBillingDataset({
    provider: "AZURE",
    currency: "EUR",
    seed: 7,
    today: dayOfInstant(new Date()),
    accounts: 1,
  });
  [pinned, other] = await Promise.all([startAzureSimulator({ datasets }), startAzureSimulator({ datasets })]);
  tempDir = await mkdtemp(join(tmpdir(), "azure-tls-trust-"));
  otherCaFile = join(tempDir, "extra-ca.pem");
  await writeFile(otherCaFile, other.ca);
});

afterAll(async () => {
  await Promise.all([pinned?.stop(), other?.stop()]);
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
  store?.lowLevel.destroy();
});

/** Runs the probe in a fresh Node process; `extraCaFile` becomes its NODE_EXTRA_CA_CERTS. */
async function probe(extraCaFile: string | undefined): Promise<AzureTlsProbeOutcome[]> {
  const { NODE_EXTRA_CA_CERTS: _inherited, ...env } = process.env;
  const input: AzureTlsProbeInput = {
    dynamoEndpoint: store.endpoint,
    tablePrefix: store.prefix,
    pinned: { endpoint: pinned.endpoint, ca: pinned.ca },
    targets: [pinned.endpoint, other.endpoint],
  };
  const child = spawn(process.execPath, ["--import", "tsx", PROBE], {
    cwd: REPO_ROOT,
    env: {
      ...env,
      AZURE_TLS_PROBE: JSON.stringify(input),
      ...(extraCaFile === undefined ? {} : { NODE_EXTRA_CA_CERTS: extraCaFile }),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`probe did not finish within ${PROBE_TIMEOUT_MS} ms; stderr:\n${stderr}`));
    }, PROBE_TIMEOUT_MS);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`probe exited with ${code}; stderr:\n${stderr.slice(-3000)}`);
  const last = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as AzureTlsProbeOutcome[];
}

describe("Azure TLS trust: the simulator's certificate is pinned to its own origin", () => {
  it("trusts the pinned simulator, and a server trusted through NODE_EXTRA_CA_CERTS too", async () => {
    const pinnedBefore = pinned.requestCount();
    const otherBefore = other.requestCount();
    const [toPinned, toOther] = await probe(otherCaFile);

    expect(toPinned).toMatchObject({ endpoint: pinned.endpoint, health: "HEALTHY" });
    expect(toPinned?.collectError).toBeUndefined();
    expect(toOther).toMatchObject({ endpoint: other.endpoint, health: "HEALTHY" });
    expect(toOther?.collectError).toBeUndefined();
    expect(toOther?.lines).toBeGreaterThan(0);
    // Both answered: the health check and the collection reached each simulator.
    expect(pinned.requestCount()).toBeGreaterThan(pinnedBefore);
    expect(other.requestCount()).toBeGreaterThan(otherBefore);
    expect(other.received().filter((request) => request.status === 200).length).toBeGreaterThanOrEqual(2);
  });

  it("without NODE_EXTRA_CA_CERTS, the second server fails its TLS check and says so; the pinned one still works", async () => {
    const otherBefore = other.requestCount();
    const [toPinned, toOther] = await probe(undefined);

    expect(toPinned).toMatchObject({ endpoint: pinned.endpoint, health: "HEALTHY" });
    expect(toOther).toMatchObject({ endpoint: other.endpoint, health: "UNHEALTHY" });
    expect(toOther?.error).toMatch(UNTRUSTED_CERTIFICATE);
    // Refused in the TLS handshake: no request ever reached it.
    expect(other.requestCount()).toBe(otherBefore);
  });
});

describe("pinnedCertificateFor", () => {
  const trusted = [{ origin: "https://127.0.0.1:8443", ca: "PEM-A" }];

  it("matches by origin only: same scheme, host and port", () => {
    expect(pinnedCertificateFor("https://127.0.0.1:8443", trusted)).toBe("PEM-A");
    expect(pinnedCertificateFor("https://127.0.0.1:8443/some/path", trusted)).toBe("PEM-A");
    expect(pinnedCertificateFor("https://127.0.0.1:8444", trusted)).toBeUndefined();
    expect(pinnedCertificateFor("https://localhost:8443", trusted)).toBeUndefined();
    expect(pinnedCertificateFor("http://127.0.0.1:8443", trusted)).toBeUndefined();
  });

  it("never pins the provider's own API (a connection without an endpoint)", () => {
    expect(pinnedCertificateFor(undefined, trusted)).toBeUndefined();
    expect(pinnedCertificateFor("https://management.azure.com", [])).toBeUndefined();
  });

  it("refuses a pin that is not a URL", () => {
    expect(() => pinnedCertificateFor("https://127.0.0.1:8443", [{ origin: "nope", ca: "PEM" }])).toThrow(
      /^trustedCertificates\.origin: /,
    );
  });
});
