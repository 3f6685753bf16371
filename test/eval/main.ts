/**
 * `npm run eval`: anomaly detection and forecasting measured against labelled ground truth. Per
 * seed, one tenant's three simulated clouds carry planned events and decoys (labelled-events.ts);
 * the service, started in this process over an embedded in-memory DynamoDB Local, backfills them
 * and detects as it does in production (stream consumer). Prints a table with each target met or
 * missed; writes bench-results/eval.json and eval.md. Settings come from EVAL_* variables
 * (settings.ts); progress goes to stderr.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { cpus } from "node:os";
import { scoreAnomalies } from "./anomaly-eval.js";
import { scoreForecasts, seriesOf } from "./forecast-eval.js";
import { evaluateTargets, formatReport, type EvalResults, type TenantSummary } from "./report.js";
import { loadEvalSettings } from "./settings.js";
import { runTenant, type TenantRun } from "./tenant-run.js";

const RESULTS_DIR = new URL("../../bench-results/", import.meta.url);

const started = performance.now();
const log = (line: string) =>
  process.stderr.write(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

const summary = (run: TenantRun): TenantSummary => ({
  seed: run.seed,
  detection: run.detection,
  labels: run.labels.length,
  records: run.records,
  backfill: run.backfill,
  anomalies: run.anomalies.length,
  labelKeysMissing: run.labelKeysMissing,
});

async function main(): Promise<void> {
  const settings = loadEvalSettings(process.env);
  const startedAt = new Date().toISOString();
  const cpu = cpus();
  log(`settings: ${JSON.stringify(settings)}`);
  const runs: TenantRun[] = [];
  for (const seed of settings.seeds) {
    const latencyWrites = seed === settings.seeds[0] ? settings.latencyWrites : 0;
    runs.push(await runTenant(seed, settings, { detection: true, latencyWrites }, log));
  }
  const off = settings.detectionOffRun
    ? await runTenant(settings.seeds[0]!, settings, { detection: false, latencyWrites: 0 }, log)
    : undefined;
  log("scoring ...");
  const latency = runs.find((run) => run.latency)?.latency;
  const results: EvalResults = {
    settings,
    machine: {
      node: process.version,
      cpus: cpu.length,
      cpuModel: cpu[0]?.model.trim() ?? "unknown",
      platform: `${process.platform}-${process.arch}`,
    },
    startedAt,
    tenants: runs.map(summary),
    ...(off ? { detectionOff: summary(off) } : {}),
    ...(latency ? { latency } : {}),
    anomaly: scoreAnomalies(runs, settings.months),
    forecast: scoreForecasts(seriesOf(runs), settings),
  };
  results.targets = evaluateTargets(results);
  results.totalSeconds = (performance.now() - started) / 1000;
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(new URL("eval.json", RESULTS_DIR), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(new URL("eval.md", RESULTS_DIR), `${formatReport(results, true)}\n`);
  process.stdout.write(`${formatReport(results)}\n`);
  log("figures written to bench-results/eval.json and bench-results/eval.md");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
