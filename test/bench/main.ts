/**
 * `npm run bench`: read, live, write and portfolio paths against an embedded in-memory DynamoDB Local and the
 * service started in this process. Prints a table; writes the figures to bench-results/bench.json.
 * Sizes and durations come from BENCH_* variables (settings.ts). Progress goes to stderr.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import { startEmbeddedDynamoDb } from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";
import { runLivePath } from "./live-path.js";
import { runPortfolioPath } from "./portfolio-path.js";
import { runReadPath } from "./read-path.js";
import { evaluateTargets, formatReport, type BenchResults } from "./report.js";
import { loadBenchSettings } from "./settings.js";
import { runWritePath } from "./write-path.js";

const RESULTS_DIR = new URL("../../bench-results/", import.meta.url);

const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

/**
 * Each section gets a fresh in-memory DynamoDB Local: on AWS one table's data never slows another's
 * streams or reads, but in one DynamoDB Local process the read path's 24,000 days would.
 */
async function withDynamo<T>(section: (endpoint: string) => Promise<T>): Promise<T> {
  const dynamo = await startEmbeddedDynamoDb();
  try {
    return await section(dynamo.endpoint);
  } finally {
    await dynamo.stop();
  }
}

async function main(): Promise<void> {
  const settings = loadBenchSettings(process.env);
  const cpu = cpus();
  const results: BenchResults = {
    settings,
    machine: {
      node: process.version,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? "unknown",
      platform: `${process.platform}-${process.arch}`,
    },
    startedAt: new Date().toISOString(),
  };
  log(`settings: ${JSON.stringify(settings)}`);
  const sections = new Set(settings.sections);
  if (sections.has("read"))
    results.read = await withDynamo((endpoint) => runReadPath(endpoint, settings, log));
  if (sections.has("live"))
    results.live = await withDynamo((endpoint) => runLivePath(endpoint, settings, log));
  if (sections.has("write"))
    results.write = await withDynamo((endpoint) => runWritePath(endpoint, settings, log));
  if (sections.has("portfolio"))
    results.portfolio = await withDynamo((endpoint) => runPortfolioPath(endpoint, settings, log));
  results.targets = evaluateTargets(results);
  results.totalSeconds = (performance.now() - started) / 1000;
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = new URL("bench.json", RESULTS_DIR);
  await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`${formatReport(results)}\n`);
  log(`figures written to ${fileURLToPath(file)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
