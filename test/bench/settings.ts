/**
 * The benchmark's knobs, from the environment, validated (a bad value names its variable). The
 * defaults fit a few minutes on a 2-core machine; BENCH_CLIENTS=20 runs the full size.
 */
import { z } from "zod";

const count = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const list = (fallback: string, max: number) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(",").map((part) => Number(part.trim())))
    .pipe(z.array(z.number().int().min(1).max(max)).min(1));

const envSchema = z.object({
  /**
   * Clients of the read path (each with 3 providers x BENCH_DAYS days). The issue's size is 20;
   * the default is 12 because writing 24,000 days through upsertDays takes about 4 minutes on
   * DynamoDB Local on 2 cores, which alone would break the few-minute budget.
   */
  BENCH_CLIENTS: count(12, 1, 100),
  /** Days of data per client and provider (read path), ending at the dataset's last day. */
  BENCH_DAYS: count(400, 30, 1000),
  /** Seconds of load per measurement (scenario x variant x concurrency). */
  BENCH_SECONDS: z.coerce.number().min(0.5).max(120).default(4),
  BENCH_CONCURRENCY: list("1,16", 256),
  /** Subscriber counts of the live path. */
  BENCH_SUBSCRIBERS: list("1,200", 2000),
  /** Writes timed per subscriber count. */
  BENCH_LIVE_WRITES: count(30, 3, 1000),
  /** Days the write path backfills (400: the 13 months a collection job may cover). */
  BENCH_BACKFILL_DAYS: count(400, 1, 400),
  /** Sections to run: any of read, live, write, portfolio. */
  BENCH_SECTIONS: z
    .string()
    .default("read,live,write,portfolio")
    .transform((value) => value.split(",").map((part) => part.trim()))
    .pipe(z.array(z.enum(["read", "live", "write", "portfolio"])).min(1)),
});

export interface BenchSettings {
  clients: number;
  days: number;
  seconds: number;
  concurrency: number[];
  subscribers: number[];
  liveWrites: number;
  backfillDays: number;
  sections: ("read" | "live" | "write" | "portfolio")[];
}

export function loadBenchSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid benchmark settings: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    clients: e.BENCH_CLIENTS,
    days: e.BENCH_DAYS,
    seconds: e.BENCH_SECONDS,
    concurrency: e.BENCH_CONCURRENCY,
    subscribers: e.BENCH_SUBSCRIBERS,
    liveWrites: e.BENCH_LIVE_WRITES,
    backfillDays: e.BENCH_BACKFILL_DAYS,
    sections: e.BENCH_SECTIONS,
  };
}
