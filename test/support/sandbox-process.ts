/**
 * `npm start` in its own process, as a user runs it: the real sandbox entry with its own embedded
 * DynamoDB Local on a data directory. Tests start it, read its banner (URL, admin token, backfill
 * job), talk to it over HTTP, and end it with a signal, SIGKILL included.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { graphqlClient, type GraphQLCall } from "./server.js";

const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));
const STARTUP_TIMEOUT_MS = 60_000;
/** What shutdown.ts allows itself before a forced exit. */
const EXIT_TIMEOUT_MS = 15_000;

export interface SandboxProcess {
  child: ChildProcess;
  url: string;
  adminToken: string;
  backfillJobId: string;
  graphql: GraphQLCall;
  /** Everything it wrote to stdout and stderr so far (banner and JSON log lines). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

/** Starts `src/sandbox/main.ts` and resolves once its banner (URL, token, backfill job) is printed. */
export async function startSandboxProcess(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<SandboxProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/sandbox/main.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      PORT: "0",
      SANDBOX_DATA_DIR: dataDir,
      SANDBOX_REFRESH_SECONDS: "0",
      LOG_LEVEL: "info",
      ...env,
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
  return { child, url, adminToken, backfillJobId, graphql: graphqlClient(url), output: () => output, exited };
}

/** Sends the signal; resolves with how the process ended, or fails after EXIT_TIMEOUT_MS. */
export async function stopWith(sandbox: SandboxProcess, signal: NodeJS.Signals) {
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
export async function processesUsingDataDir(dataDir: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ps", ["-eo", "pid,args"]);
  return stdout.split("\n").filter((line) => line.includes(dataDir));
}

/** For afterAll when a test failed half-way: SIGKILL ends each sandbox still running, and its guardian then ends java. */
export function killStartedSandboxes(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}
