/**
 * The load generator, in a process of its own so its requests never share the measured server's
 * event loop. It also runs the in-process baseline: hand-written SDK reads made by the client itself.
 *
 * Run as a child of the benchmark (LoadGenerator below): one JSON job a line on stdin, one JSON
 * result a line on stdout.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { BENCH_DYNAMO_TIMEOUT_MS } from "./bench-server.js";
import { sampleLoad, type LoadSample } from "./measure.js";
import { DirectReads, type DirectReadCall } from "./read-baseline.js";

/** What the generator repeats: an HTTP request (checked: 2xx, no GraphQL errors) or direct reads. */
export type LoadOperation =
  | { kind: "http"; url: string; method: "GET" | "POST"; headers: Record<string, string>; body?: string }
  | { kind: "direct"; endpoint: string; tablePrefix: string; call: DirectReadCall };

export interface LoadJob {
  operation: LoadOperation;
  concurrency: number;
  seconds: number;
  warmupOperations: number;
}

function httpOperation(op: Extract<LoadOperation, { kind: "http" }>): () => Promise<unknown> {
  const init = {
    method: op.method,
    headers: op.headers,
    ...(op.body === undefined ? {} : { body: op.body }),
  };
  return async () => {
    const response = await fetch(op.url, init);
    const payload = (await response.json()) as { errors?: unknown };
    if (!response.ok || payload.errors) {
      throw new Error(`HTTP ${response.status}: ${JSON.stringify(payload).slice(0, 300)}`);
    }
    return payload;
  };
}

const directReads = new Map<string, DirectReads>();

function directOperation(op: Extract<LoadOperation, { kind: "direct" }>): () => Promise<unknown> {
  const at = `${op.endpoint}|${op.tablePrefix}`;
  let reads = directReads.get(at);
  if (!reads) {
    const { doc } = createDynamoClients({ endpoint: op.endpoint, requestTimeoutMs: BENCH_DYNAMO_TIMEOUT_MS });
    reads = new DirectReads(doc, tableNames(op.tablePrefix));
    directReads.set(at, reads);
  }
  const direct = reads;
  return () => direct.run(op.call);
}

async function serve(): Promise<void> {
  for await (const line of createInterface({ input: process.stdin })) {
    const { id, job } = JSON.parse(line) as { id: number; job: LoadJob };
    try {
      const { operation } = job;
      const run = operation.kind === "http" ? httpOperation(operation) : directOperation(operation);
      const sample = await sampleLoad(run, job);
      process.stdout.write(`${JSON.stringify({ id, sample })}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ id, error: (error as Error).message })}\n`);
    }
  }
}

/** The benchmark's handle on a generator process. */
export class LoadGenerator {
  private readonly pending = new Map<number, (reply: { sample?: LoadSample; error?: string }) => void>();
  private nextId = 0;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on("line", (line) => {
      const reply = JSON.parse(line) as { id: number; sample?: LoadSample; error?: string };
      this.pending.get(reply.id)?.(reply);
      this.pending.delete(reply.id);
    });
    child.stderr.pipe(process.stderr);
  }

  static start(): LoadGenerator {
    const file = fileURLToPath(import.meta.url);
    return new LoadGenerator(
      spawn(process.execPath, ["--import", "tsx", file, "--serve"], { stdio: "pipe" }),
    );
  }

  run(job: LoadJob): Promise<LoadSample> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) =>
        reply.sample ? resolve(reply.sample) : reject(new Error(reply.error ?? "no sample")),
      );
      this.child.stdin.write(`${JSON.stringify({ id, job })}\n`);
    });
  }

  async stop(): Promise<void> {
    this.child.stdin.end();
    if (this.child.exitCode === null) await new Promise((resolve) => this.child.once("exit", resolve));
  }
}

if (process.argv.includes("--serve")) {
  serve().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
