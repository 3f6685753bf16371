/**
 * Closed-loop load: `concurrency` workers each run the operation back to back for a fixed time;
 * throughput is completed operations per second, latencies are per operation. A short warm-up
 * (JIT, connection pools, DynamoDB Local's caches) may run first and is not counted.
 */

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LoadResult extends LatencySummary {
  concurrency: number;
  seconds: number;
  throughput: number;
  errors: number;
  /** The first error's message, when there were errors. */
  firstError?: string;
}

/** Nearest-rank percentile of sorted values (0 for none). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] ?? 0;
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? 0,
  };
}

/** One stretch of load: latencies of the operations that completed, and the wall time it took. */
export interface LoadSample {
  latenciesMs: number[];
  seconds: number;
  errors: number;
  firstError?: string;
}

export async function sampleLoad(
  operation: () => Promise<unknown>,
  options: { concurrency: number; seconds: number; warmupOperations?: number },
): Promise<LoadSample> {
  for (let i = 0; i < (options.warmupOperations ?? 0); i++) await operation();
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: unknown;
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        await operation();
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        errors++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  if (errors > 0 && latenciesMs.length === 0) throw firstError;
  return {
    latenciesMs,
    seconds: (performance.now() - started) / 1000,
    errors,
    ...(errors > 0
      ? { firstError: firstError instanceof Error ? firstError.message : String(firstError) }
      : {}),
  };
}

/** Several samples of one operation as one result: throughput over their summed wall time. */
export function combineSamples(concurrency: number, samples: readonly LoadSample[]): LoadResult {
  const seconds = samples.reduce((sum, sample) => sum + sample.seconds, 0);
  const latencies = samples.flatMap((sample) => sample.latenciesMs);
  const errors = samples.reduce((sum, sample) => sum + sample.errors, 0);
  const firstError = samples.find((sample) => sample.firstError)?.firstError;
  return {
    concurrency,
    seconds,
    throughput: latencies.length / seconds,
    errors,
    ...(firstError ? { firstError } : {}),
    ...summarizeLatencies(latencies),
  };
}

/** Runs `work` and returns its result with the wall time in seconds. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; seconds: number }> {
  const t0 = performance.now();
  const result = await work();
  return { result, seconds: (performance.now() - t0) / 1000 };
}
