/**
 * The evaluation's knobs, from EVAL_* variables, validated (a bad value names its variable). The
 * defaults (3 seeds, 13 months, the three providers) finish in a few minutes on a 2-core machine.
 */
import { z } from "zod";
import { isIsoDay } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";

const count = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const numbers = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value) => value.split(",").map((part) => Number(part.trim())));

const envSchema = z
  .object({
    /** Seeds 1..EVAL_SEEDS: each is one tenant (three datasets and their planned events). */
    EVAL_SEEDS: count(3, 1, 50),
    /** Months of history backfilled and planned with events (13: the most one collection job covers). */
    EVAL_MONTHS: count(13, 6, 13),
    /** Usage events (SPIKE, DROP, LEVEL_SHIFT) planned per provider and month. */
    EVAL_EVENTS_PER_MONTH: z.coerce.number().min(0.1).max(2).default(1),
    EVAL_PROVIDERS: z
      .string()
      .default(CLOUD_PROVIDERS.join(","))
      .transform((value) => value.split(",").map((part) => part.trim().toUpperCase()))
      .pipe(z.array(z.enum(CLOUD_PROVIDERS)).min(1)),
    /** The datasets' and the service's today: fixed, so runs compare (the real date changes the plans). */
    EVAL_TODAY: z.string().refine(isIsoDay, "must be a calendar day (YYYY-MM-DD)").default("2026-10-15"),
    /** Spike days timed from their write to the subscriber's costAnomalyDetected event (0: skip). */
    EVAL_LATENCY_WRITES: count(20, 0, 500),
    /** Run one more backfill (the first seed) with ANOMALY_DETECTION=off to compare its time. */
    EVAL_DETECTION_OFF_RUN: z.enum(["on", "off"]).default("on"),
    /** Complete months before today's that the forecasts are backtested on. */
    EVAL_FORECAST_MONTHS: count(6, 1, 10),
    /** Days of the month the forecasts are made on (data through the day before). */
    EVAL_FORECAST_DAYS: numbers("1,10,20").pipe(z.array(z.number().int().min(1).max(28)).min(1)),
    /**
     * Budgets of the breach-probability check, as multiples of the month's true total. 1.0 itself is
     * left out by default: a total equal to its budget is no breach by definition, so it tests nothing.
     */
    EVAL_BUDGET_FACTORS: numbers("0.9,0.95,1.05,1.1").pipe(z.array(z.number().min(0.5).max(2)).min(1)),
  })
  .refine((e) => e.EVAL_FORECAST_MONTHS <= e.EVAL_MONTHS - 3, {
    message: "EVAL_FORECAST_MONTHS must leave at least 3 months of history before the first one",
    path: ["EVAL_FORECAST_MONTHS"],
  });

export interface EvalSettings {
  seeds: number[];
  months: number;
  eventsPerMonth: number;
  providers: CloudProvider[];
  today: string;
  latencyWrites: number;
  detectionOffRun: boolean;
  forecastMonths: number;
  forecastDays: number[];
  budgetFactors: number[];
}

export function loadEvalSettings(env: NodeJS.ProcessEnv): EvalSettings {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid evaluation settings: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  return {
    seeds: Array.from({ length: e.EVAL_SEEDS }, (_, i) => i + 1),
    months: e.EVAL_MONTHS,
    eventsPerMonth: e.EVAL_EVENTS_PER_MONTH,
    providers: [...new Set(e.EVAL_PROVIDERS)],
    today: e.EVAL_TODAY,
    latencyWrites: e.EVAL_LATENCY_WRITES,
    detectionOffRun: e.EVAL_DETECTION_OFF_RUN === "on",
    forecastMonths: e.EVAL_FORECAST_MONTHS,
    forecastDays: [...new Set(e.EVAL_FORECAST_DAYS)].sort((a, b) => a - b),
    budgetFactors: e.EVAL_BUDGET_FACTORS,
  };
}
