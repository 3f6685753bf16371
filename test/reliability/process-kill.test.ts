/**
 * The sandbox process SIGKILLed in the middle of its backfill (no shutdown code runs), then started
 * again on the same data directory: the dead job is FAILED with INTERRUPTED at once (not left
 * RUNNING), the new start's backfill is a new job, and every day the killed process stored is
 * whole: its header reconciles with its lines (a day's items travel in one BatchWriteItem call, which
 * DynamoDB carries out even when its sender dies, so a kill cannot split it).
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { CostRecordStore } from "../../src/store/cost-record-store.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { validateCostRecord } from "../../src/domain/validation.js";
import { daysInRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { DEMO_CLIENT_ID } from "../../src/sandbox/sandbox.js";
import {
  killStartedSandboxes,
  processesUsingDataDir,
  startSandboxProcess,
  stopWith,
  type SandboxProcess,
} from "../support/sandbox-process.js";
import { CollectionJobStatusDocument } from "../e2e/generated/graphql.js";
import { expectNoSecretIn } from "../e2e/collections-fixture.js";
import { FULL } from "./stack.js";
import { storedCosts } from "../support/stored-costs.js";

const JWT_SECRET = randomBytes(32).toString("base64url");
/** The sandbox's own provider secrets (demo-tenant.ts): fixed, so they can be searched for. */
const SANDBOX_PROVIDER_SECRETS = [
  "sandboxSecretAccessKeyNotValid0000000000",
  "sandbox-client-secret-not-valid-anywhere",
];
const TEST_TIMEOUT_MS = FULL ? 300_000 : 150_000;
/** Days read at once: the check must not itself be the load that times DynamoDB Local out. */
const READ_CONCURRENCY = 25;

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "reliability-kill-"));
});

afterAll(async () => {
  killStartedSandboxes();
  await rm(dataDir, { recursive: true, force: true });
});

async function jobOf(sandbox: SandboxProcess, id: string) {
  const { body } = await sandbox.graphql(CollectionJobStatusDocument, { id }, sandbox.adminToken);
  expect(body.errors).toBeUndefined();
  return body.data!.collectionJob!;
}

/** The embedded DynamoDB Local the process logged at start. */
function dynamoEndpointOf(sandbox: SandboxProcess): string {
  const line = sandbox
    .output()
    .split("\n")
    .find((l) => l.includes("DynamoDB Local started"));
  const endpoint = line ? (JSON.parse(line) as { endpoint?: string }).endpoint : undefined;
  if (!endpoint) throw new Error("the sandbox did not log its DynamoDB endpoint");
  return endpoint;
}

/** Every stored day of the demo tenant in the period, read whole (header and line chunks), with its problems. */
async function storedDays(sandbox: SandboxProcess, period: { start: string; end: string }) {
  const { lowLevel: client, doc } = createDynamoClients({ endpoint: dynamoEndpointOf(sandbox) });
  try {
    const names = tableNames("");
    const costs = new CostRecordStore({ doc, names });
    const headers = await storedCosts({ doc, names }).headersOfClient(
      DEMO_CLIENT_ID,
      period.start,
      period.end,
    );
    const days: { key: string; problems: unknown[] }[] = [];
    for (let i = 0; i < headers.length; i += READ_CONCURRENCY) {
      const read = headers.slice(i, i + READ_CONCURRENCY).map(async (header) => {
        const record = await costs.getRecord(DEMO_CLIENT_ID, header.provider, header.date);
        return {
          key: `${header.provider} ${header.date}`,
          problems: record ? validateCostRecord(record) : ["gone"],
        };
      });
      days.push(...(await Promise.all(read)));
    }
    return days;
  } finally {
    client.destroy();
  }
}

describe("the sandbox process killed during a collection", () => {
  it(
    "restarts with the killed job FAILED (INTERRUPTED) and no half-written day",
    async () => {
      const env = { AUTH_JWT_SECRET: JWT_SECRET };
      const first = await startSandboxProcess(dataDir, env);
      // Kill once the backfill has stored days, while it still runs.
      const midway = async () => {
        const job = await jobOf(first, first.backfillJobId);
        return job.status === "RUNNING" && job.providers.some((p) => p.recordsWritten > 0);
      };
      await expect.poll(midway, { timeout: 60_000, interval: 100 }).toBe(true);
      first.child.kill("SIGKILL");
      expect(await first.exited).toEqual({ code: null, signal: "SIGKILL" });
      // Its guardian ends java when the pipe from the killed process closes.
      await expect.poll(() => processesUsingDataDir(dataDir), { timeout: 20_000, interval: 200 }).toEqual([]);

      const second = await startSandboxProcess(dataDir, env);
      const killed = await jobOf(second, first.backfillJobId);
      expect(killed.status).toBe("FAILED");
      expect(killed.providers.map((p) => p.error?.code).filter(Boolean)).toContain("INTERRUPTED");
      expect(killed.providers.every((p) => !["QUEUED", "RUNNING"].includes(p.status))).toBe(true);
      expect(second.backfillJobId).not.toBe(first.backfillJobId);

      const days = await storedDays(second, killed.period);
      expect(days.length).toBeGreaterThan(0);
      expect(days.filter((d) => d.problems.length > 0)).toEqual([]);

      if (FULL) {
        // The new backfill completes what the killed one left: every day of every provider, once.
        await expect
          .poll(async () => (await jobOf(second, second.backfillJobId)).status, {
            timeout: 180_000,
            interval: 500,
          })
          .toBe("SUCCEEDED");
        const after = await storedDays(second, killed.period);
        const expected = CLOUD_PROVIDERS.flatMap((p) =>
          daysInRange(killed.period.start, killed.period.end).map((d) => `${p} ${d}`),
        );
        expect(after.map((d) => d.key).sort()).toEqual(expected.sort());
        expect(after.filter((d) => d.problems.length > 0)).toEqual([]);
      }

      expect(await stopWith(second, "SIGTERM")).toEqual({ code: 0, signal: null });
      const credentialsKey = (await readFile(join(dataDir, "credentials.key"), "utf8")).trim();
      expectNoSecretIn(
        [first.output(), second.output()],
        [JWT_SECRET, credentialsKey, ...SANDBOX_PROVIDER_SECRETS],
      );
      console.info(
        `[reliability] process kill: SIGKILL mid-backfill; ${days.length} stored days read whole, none torn; job ${killed.status} ` +
          `(${killed.providers.map((p) => `${p.provider} ${p.error?.code ?? p.status}`).join(", ")})`,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
