/**
 * Embedded DynamoDB Local for the sandbox (file-backed) and the tests (in memory).
 *
 * Java never runs as our direct child: a guardian process (dynamodb-guardian.ts) owns it and kills
 * it when its stdin pipe from us ends. That covers every way this process can end (stop(), normal
 * exit, a signal, an uncaught error, SIGKILL) without this module touching the process's own signal
 * handling, which stays the application's business. The guardian runs in its own process group so
 * a terminal's Ctrl+C reaches only the application, which can shut down before calling stop().
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import type { Logger } from "../../observability/logger.js";
import { createDynamoClients } from "../../store/dynamo-client.js";
import { OutputTail } from "./output-tail.js";

export interface EmbeddedDynamoDbOptions {
  /** File-backed under this directory (created if missing); in memory when absent. */
  dataDir?: string;
  logger?: Logger;
  /** How long to wait for DynamoDB Local to answer; the JVM needs a few seconds on a busy machine. */
  startupTimeoutMs?: number;
}

export interface EmbeddedDynamoDb {
  endpoint: string;
  port: number;
  /** Absolute data directory, or null in memory. */
  dataDir: string | null;
  /** Stops java and waits until it is gone. Safe to call more than once. */
  stop(): Promise<void>;
}

export const JAVA_MISSING_MESSAGE =
  "DynamoDB Local needs Java 17+: java was not found on PATH (install e.g. openjdk-17-jre-headless)";
const MIN_JAVA_MAJOR = 17;
const DEFAULT_STARTUP_TIMEOUT_MS = 60_000;
const POLL_INTERVAL_MS = 200;
/** Another process can take the free port between our probe and java's bind; then we try again. */
const PORT_ATTEMPTS = 3;
/** The guardian gives java a grace period before SIGKILL; past this we kill the guardian too. */
const STOP_TIMEOUT_MS = 10_000;

export async function startEmbeddedDynamoDb(
  options: EmbeddedDynamoDbOptions = {},
): Promise<EmbeddedDynamoDb> {
  await assertJavaAvailable();
  const dataDir = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (dataDir !== null) await mkdir(dataDir, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    try {
      const db = await startOnPort(port, dataDir, options);
      options.logger?.info({ endpoint: db.endpoint, dataDir }, "DynamoDB Local started");
      return db;
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= PORT_ATTEMPTS) throw error;
      options.logger?.warn({ port }, "DynamoDB Local port was taken, retrying on another port");
    }
  }
}

class PortTakenError extends Error {}

async function startOnPort(
  port: number,
  dataDir: string | null,
  options: EmbeddedDynamoDbOptions,
): Promise<EmbeddedDynamoDb> {
  const guardian = spawn(
    process.execPath,
    [...guardianArguments(), String(port), ...(dataDir ? [dataDir] : [])],
    {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    },
  );
  const output = new OutputTail();
  guardian.stdout?.on("data", (chunk: Buffer) => output.append(chunk));
  guardian.stderr?.on("data", (chunk: Buffer) => output.append(chunk));
  const exited = new Promise<string>((resolveExit) => {
    guardian.once("exit", (code, signal) => resolveExit(signal ? `signal ${signal}` : `code ${code}`));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilAnswering(
      endpoint,
      exited,
      output,
      options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS,
    );
  } catch (error) {
    await stopGuardian(guardian, exited);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  void exited.then((how) => {
    if (!stopping)
      options.logger?.error({ endpoint, how, output: output.text() }, "DynamoDB Local exited unexpectedly");
  });
  // The database lives as long as the process, but is no reason for the process to stay alive.
  for (const handle of [guardian, guardian.stdin, guardian.stdout, guardian.stderr]) {
    (handle as { unref?: () => void } | null)?.unref?.();
  }
  return {
    endpoint,
    port,
    dataDir,
    stop: () => (stopping ??= stopGuardian(guardian, exited)),
  };
}

/** The guardian's source run through tsx (the sandbox is never compiled: it is not in the build). */
function guardianArguments(): string[] {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
  return ["--import", tsx, fileURLToPath(new URL("./dynamodb-guardian.ts", import.meta.url))];
}

async function waitUntilAnswering(
  endpoint: string,
  exited: Promise<string>,
  output: OutputTail,
  timeoutMs: number,
): Promise<void> {
  const { lowLevel: dynamo } = createDynamoClients({ endpoint, maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  let exitedHow: string | undefined;
  void exited.then((how) => (exitedHow = how));
  try {
    while (exitedHow === undefined) {
      try {
        await dynamo.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(
            `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms` +
              ` (${(error as Error).message}); its output ends with:\n${output.text()}`,
          );
        }
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, POLL_INTERVAL_MS))]);
    }
    const tail = output.text();
    const message = `DynamoDB Local exited during startup (${exitedHow}); its output ends with:\n${tail}`;
    throw tail.includes("BindException") ? new PortTakenError(message) : new Error(message);
  } finally {
    dynamo.destroy();
  }
}

async function stopGuardian(guardian: ChildProcess, exited: Promise<string>): Promise<void> {
  if (guardian.exitCode !== null || guardian.signalCode !== null) return;
  guardian.stdin?.end();
  const timer = setTimeout(() => guardian.kill("SIGKILL"), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function assertJavaAvailable(): Promise<void> {
  const versionOutput = await new Promise<string>((resolveOutput, reject) => {
    execFile("java", ["-version"], (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === "ENOENT") reject(new Error(JAVA_MISSING_MESSAGE));
      else if (error)
        reject(new Error(`DynamoDB Local needs Java 17+: "java -version" failed: ${error.message}`));
      else resolveOutput(`${stderr}${stdout}`);
    });
  });
  const major = javaMajorVersion(versionOutput);
  if (major !== undefined && major < MIN_JAVA_MAJOR) {
    throw new Error(`DynamoDB Local needs Java 17+: java on PATH is version ${major}`);
  }
}

/** The major version from `java -version` output: "1.8.0_392" is 8, "17.0.15" is 17. */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
