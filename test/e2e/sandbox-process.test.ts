/**
 * `npm start` as a user runs it: the real sandbox entry in its own process, with its own embedded
 * DynamoDB Local on a data directory. A signal must end it with code 0 and take DynamoDB Local
 * (java and its guardian) with it, and a restart on the same directory must find the demo data.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  killStartedSandboxes,
  processesUsingDataDir,
  startSandboxProcess as startInDataDir,
  stopWith,
  type SandboxProcess,
} from "../support/sandbox-process.js";
import { addDays } from "../../src/domain/dates.js";
import { PORTFOLIO_TENANTS } from "../../src/sandbox/portfolio-tenants.js";
import {
  CollectionJobStatusDocument,
  CostRecordsDocument,
  PortfolioDocument,
  type CloudProvider,
} from "./generated/graphql.js";

/** Two starts of java and the service share 2 cores with other test files; a start alone can take 40 s. */
const TEST_TIMEOUT_MS = 150_000;

let dataDir: string;
const startSandboxProcess = () => startInDataDir(dataDir);

async function jobOf(sandbox: SandboxProcess, id: string) {
  const { body } = await sandbox.graphql(CollectionJobStatusDocument, { id }, sandbox.adminToken);
  expect(body.errors).toBeUndefined();
  return body.data?.collectionJob;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sandbox-process-"));
});

afterAll(async () => {
  killStartedSandboxes();
  await rm(dataDir, { recursive: true, force: true });
});

describe("the sandbox process", () => {
  /** The first run's backfill, and the first day it stored for each provider. */
  let firstJob: { id: string; firstDays: Record<string, string> };

  it(
    "answers with its printed admin token and on SIGINT exits 0 with DynamoDB Local gone",
    async () => {
      const sandbox = await startSandboxProcess();
      const { body } = await sandbox.graphql<{
        client: { name: string; connections: { provider: string; health: string }[] };
      }>(`{ client(id: "demo") { name connections { provider health } } }`, {}, sandbox.adminToken);
      expect(body.errors).toBeUndefined();
      expect(body.data!.client.name).toBe("Demo Corp");
      expect(body.data!.client.connections.map((c) => c.provider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
      // The check below can see DynamoDB Local: java runs with the data directory on its command line.
      expect((await processesUsingDataDir(dataDir)).some((line) => /\bjava\b/.test(line))).toBe(true);

      // Stop once the backfill has stored its first days, so the restart below has something to find.
      const written = async () => {
        const job = await jobOf(sandbox, sandbox.backfillJobId);
        if (job) {
          // A provider whose API does not reach the period's start begins the day after its skipped days.
          const firstDays = Object.fromEntries(
            job.providers.map((p) => [p.provider, p.skipped ? addDays(p.skipped.end, 1) : job.period.start]),
          );
          firstJob = { id: job.id, firstDays };
        }
        return job?.providers.length === 3 && job.providers.every((p) => p.recordsWritten > 0);
      };
      await expect.poll(written, { timeout: 30_000, interval: 250 }).toBe(true);

      expect(await stopWith(sandbox, "SIGINT")).toEqual({ code: 0, signal: null });
      expect(await processesUsingDataDir(dataDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "restarts on the same data directory with the demo data at once, and on SIGTERM exits 0 the same way",
    async () => {
      expect(firstJob).toBeDefined();
      const sandbox = await startSandboxProcess();
      // The first run's job and the days it stored come from disk: this process cannot have made them.
      const job = await jobOf(sandbox, firstJob.id);
      expect(job?.id).toBe(firstJob.id);
      expect(["QUEUED", "RUNNING"]).not.toContain(job?.status);
      expect(sandbox.backfillJobId).not.toBe(firstJob.id);
      // The portfolio's tenants (the first run's, completed by this one) rank beside demo.
      const today = job!.period.end;
      const ranked = async () => {
        const { body } = await sandbox.graphql(
          PortfolioDocument,
          { period: { start: `${today.slice(0, 8)}01`, end: today }, first: 100 },
          sandbox.adminToken,
        );
        expect(body.errors).toBeUndefined();
        return body.data!.portfolio.edges.map((edge) => edge.node.client!.id).sort();
      };
      await expect
        // The restart's backfill keeps DynamoDB Local busy: the tenants a stopped first run left
        // out may take a while.
        .poll(ranked, { timeout: 60_000, interval: 500 })
        .toEqual(expect.arrayContaining(PORTFOLIO_TENANTS.map((tenant) => tenant.id)));
      const records = [];
      for (const [provider, day] of Object.entries(firstJob.firstDays)) {
        const { body } = await sandbox.graphql(
          CostRecordsDocument,
          {
            clientId: "demo",
            period: { start: day, end: day },
            provider: provider as CloudProvider,
            first: 10,
          },
          sandbox.adminToken,
        );
        expect(body.errors).toBeUndefined();
        records.push(...body.data!.client!.costRecords.edges.map((e) => e.node));
      }
      expect(records.map((r) => r.provider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
      // Re-collecting unchanged days writes nothing, so they still name the job that stored them.
      for (const record of records) expect(record.collection.jobId).toBe(firstJob.id);

      expect(await stopWith(sandbox, "SIGTERM")).toEqual({ code: 0, signal: null });
      expect(await processesUsingDataDir(dataDir)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
