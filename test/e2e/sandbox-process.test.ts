/**
 * `npm start` as a user runs it: the real sandbox entry in its own process, with its own embedded
 * DynamoDB Local on a data directory. A signal must end it with code 0 and take DynamoDB Local
 * (java and its guardian) with it, and a restart on the same directory must find the demo data.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { graphqlClient, type GraphQLCall } from "../support/server.js";
import { CollectionJobStatusDocument, CostRecordsDocument } from "./generated/graphql.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
/** What shutdown.ts allows itself before a forced exit. */
const EXIT_TIMEOUT_MS = 15_000;
/** Two starts of java and the service share 2 cores with other test files; a start alone can take 40 s. */
const TEST_TIMEOUT_MS = 150_000;

interface SandboxProcess {
  child: ChildProcess;
  url: string;
  adminToken: string;
  backfillJobId: string;
  graphql: GraphQLCall;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

let dataDir: string;
const started: ChildProcess[] = [];

/** Starts `src/sandbox/main.ts` and resolves once its banner (URL, token, backfill job) is printed. */
async function startSandboxProcess(): Promise<SandboxProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/sandbox/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      SANDBOX_DATA_DIR: dataDir,
      SANDBOX_REFRESH_SECONDS: "0",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(child);
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const banner = await new Promise<RegExpExecArray>((resolve, reject) => {
    const pattern = /Playground: +(\S+)[\s\S]*backfill job (\S+),[\s\S]*Admin token: +(\S+)/;
    const timer = setTimeout(
      () => reject(new Error(`no banner within ${STARTUP_TIMEOUT_MS} ms; output:\n${output.slice(-3000)}`)),
      STARTUP_TIMEOUT_MS,
    );
    const check = () => {
      const match = pattern.exec(output);
      if (!match) return;
      clearTimeout(timer);
      resolve(match);
    };
    child.stdout?.on("data", check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(
        new Error(`sandbox exited (${code ?? signal}) before its banner; output:\n${output.slice(-3000)}`),
      );
    });
  });
  const [, url = "", backfillJobId = "", adminToken = ""] = banner;
  return { child, url, adminToken, backfillJobId, graphql: graphqlClient(url), exited };
}

/** Sends the signal; resolves with how the process ended, or fails after EXIT_TIMEOUT_MS. */
async function stopWith(sandbox: SandboxProcess, signal: NodeJS.Signals) {
  sandbox.child.kill(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`still running ${EXIT_TIMEOUT_MS} ms after ${signal}`)),
      EXIT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([sandbox.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every process (java, its guardian, the sandbox) whose command line names the data directory. */
async function processesUsingDataDir(): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ps", ["-eo", "pid,args"]);
  return stdout.split("\n").filter((line) => line.includes(dataDir));
}

async function jobOf(sandbox: SandboxProcess, id: string) {
  const { body } = await sandbox.graphql(CollectionJobStatusDocument, { id }, sandbox.adminToken);
  expect(body.errors).toBeUndefined();
  return body.data?.collectionJob;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "sandbox-process-"));
});

afterAll(async () => {
  // Only when a test failed half-way: SIGKILL ends the sandbox, and its guardian then ends java.
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await rm(dataDir, { recursive: true, force: true });
});

describe("the sandbox process", () => {
  let firstJob: { id: string; start: string };

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
      expect((await processesUsingDataDir()).some((line) => /\bjava\b/.test(line))).toBe(true);

      // Stop once the backfill has stored its first days, so the restart below has something to find.
      const written = async () => {
        const job = await jobOf(sandbox, sandbox.backfillJobId);
        if (job) firstJob = { id: job.id, start: job.period.start };
        return job?.providers.length === 3 && job.providers.every((p) => p.recordsWritten > 0);
      };
      await expect.poll(written, { timeout: 30_000, interval: 250 }).toBe(true);

      expect(await stopWith(sandbox, "SIGINT")).toEqual({ code: 0, signal: null });
      expect(await processesUsingDataDir()).toEqual([]);
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
      const { body } = await sandbox.graphql(
        CostRecordsDocument,
        { clientId: "demo", period: { start: firstJob.start, end: firstJob.start }, first: 10 },
        sandbox.adminToken,
      );
      expect(body.errors).toBeUndefined();
      const records = body.data!.client!.costRecords.edges.map((e) => e.node);
      expect(records.map((r) => r.provider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
      // Re-collecting unchanged days writes nothing, so they still name the job that stored them.
      for (const record of records) expect(record.collection.jobId).toBe(firstJob.id);

      expect(await stopWith(sandbox, "SIGTERM")).toEqual({ code: 0, signal: null });
      expect(await processesUsingDataDir()).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
