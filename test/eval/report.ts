/**
 * The evaluation's figures: targets with their verdicts, and the report as plain text (stdout) or
 * Markdown (bench-results/eval.md); main.ts writes the same figures as JSON.
 */
import type { TargetVerdict } from "../bench/report.js";
import type { AnomalyReport, Score } from "./anomaly-eval.js";
import type { ForecastReport } from "./forecast-eval.js";
import type { LatencyRun } from "./latency.js";
import type { EvalSettings } from "./settings.js";

export type { TargetVerdict };

export interface TenantSummary {
  seed: number;
  detection: boolean;
  labels: number;
  records: number;
  backfill: { jobSeconds: number; drainedSeconds: number };
  anomalies: number;
  labelKeysMissing: string[];
}

export interface EvalResults {
  settings: EvalSettings;
  machine: { node: string; cpus: number; cpuModel: string; platform: string };
  startedAt: string;
  totalSeconds?: number;
  tenants: TenantSummary[];
  detectionOff?: TenantSummary;
  latency?: LatencyRun;
  anomaly?: AnomalyReport;
  forecast?: ForecastReport;
  targets?: TargetVerdict[];
}

const fixed = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || Number.isNaN(value) ? "n/a" : value.toFixed(digits);
const percent = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined || Number.isNaN(value) ? "n/a" : `${(100 * value).toFixed(digits)}%`;

/**
 * Backfill until judged, detection on over off: the median of the tenants' runs (one of them is the
 * process's first, JIT-cold) over the detection-off run of the first seed.
 */
function backfillRatio(results: EvalResults): { on: number; off: number; ratio: number } | undefined {
  if (!results.detectionOff || results.tenants.length === 0) return undefined;
  const times = results.tenants.map((t) => t.backfill.drainedSeconds).sort((a, b) => a - b);
  const middle = times.length >> 1;
  const on = times.length % 2 ? times[middle]! : (times[middle - 1]! + times[middle]!) / 2;
  const off = results.detectionOff.backfill.drainedSeconds;
  return { on, off, ratio: on / off };
}

export function evaluateTargets(results: EvalResults): TargetVerdict[] {
  const verdicts: TargetVerdict[] = [];
  const { anomaly, forecast, latency } = results;
  if (anomaly) {
    const { overall, rootCause, decoys, falseAlarms } = anomaly;
    verdicts.push(
      {
        target: "anomalies, events of >= 3σ: precision >= 0.9",
        actual: `${fixed(overall.precision)} (${overall.found} found, ${overall.falseAlarms} false alarms)`,
        met: (overall.precision ?? 0) >= 0.9,
      },
      {
        target: "anomalies, events of >= 3σ: recall >= 0.9",
        actual: `${fixed(overall.recall)} (${overall.found} of ${overall.labels})`,
        met: (overall.recall ?? 0) >= 0.9,
      },
      {
        target: "anomalies: root cause top-1 names the labelled item >= 0.9",
        actual: `${fixed(rootCause.share)} (${rootCause.correct} of ${rootCause.checked})`,
        met: (rootCause.share ?? 0) >= 0.9,
      },
      {
        target: "anomalies: no decoy raises a USAGE anomaly",
        actual: `${decoys.all.usage} of ${decoys.all.decoys} decoys`,
        met: decoys.all.usage === 0,
      },
      {
        target: "anomalies: false alarms per tenant-month <= 1",
        actual: `${fixed(falseAlarms.perTenantMonth)} (${falseAlarms.count} in ${anomaly.tenantMonths})`,
        met: falseAlarms.perTenantMonth <= 1,
      },
    );
  }
  if (latency) {
    verdicts.push({
      target: "anomalies: stored day -> subscriber p99 <= 2 s",
      actual: `p50 ${fixed(latency.p50Ms, 0)} ms, p99 ${fixed(latency.p99Ms, 0)} ms, ${latency.missed} missed of ${latency.writes}`,
      met: latency.p99Ms <= 2000 && latency.missed === 0,
    });
  }
  const backfill = backfillRatio(results);
  if (backfill) {
    verdicts.push({
      target: "backfill until judged, detection on (median) / off <= 1.2x",
      actual: `${fixed(backfill.ratio)}x (${fixed(backfill.on, 1)} s / ${fixed(backfill.off, 1)} s)`,
      met: backfill.ratio <= 1.2,
    });
  }
  if (forecast) {
    const day = forecast.breach.originDay;
    const totals = forecast.byOrigin.find((o) => o.day === day && o.series === "client totals");
    verdicts.push(
      {
        target: `forecast: month-end MAPE from day ${day}, client totals <= 5%`,
        actual: `${percent(totals?.mape, 2)} (${totals?.forecasts ?? 0} forecasts)`,
        met: (totals?.mape ?? Infinity) <= 0.05,
      },
      {
        target: "forecast: MASE (seasonal-naive-7 scale) < 1 on >= 80% of series",
        actual: `${percent(forecast.mase.share, 0)} (${forecast.mase.belowOne} of ${forecast.mase.series.length})`,
        met: forecast.mase.share >= 0.8,
      },
      {
        target: "forecast: 80% interval covers 75-85% of month totals",
        actual: percent(forecast.coverage.total80),
        met: forecast.coverage.total80 >= 0.75 && forecast.coverage.total80 <= 0.85,
      },
      {
        target: `forecast: breach Brier (day ${day}) >= 30% better than the run-rate rule`,
        actual: `${percent(forecast.breach.improvement, 0)} (${fixed(forecast.breach.brier, 3)} vs ${fixed(forecast.breach.brierRunRate, 3)})`,
        met:
          forecast.breach.improvement === null
            ? forecast.breach.brier === 0
            : forecast.breach.improvement >= 0.3,
      },
    );
  }
  return verdicts;
}

/** A table as aligned plain text, or as Markdown. */
function table(headers: string[], rows: (string | number)[][], markdown: boolean): string {
  const cells = [headers, ...rows.map((row) => row.map(String))];
  if (markdown) {
    const line = (row: string[]) => `| ${row.join(" | ")} |`;
    return [
      line(headers),
      line(headers.map((_, c) => (c === 0 ? "---" : "---:"))),
      ...cells.slice(1).map(line),
    ].join("\n");
  }
  const widths = headers.map((_, c) => Math.max(...cells.map((row) => (row[c] ?? "").length)));
  const line = (row: string[]) =>
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

const scoreRow = (name: string, s: Score) => [
  name,
  s.labels,
  s.found,
  fixed(s.recall),
  s.falseAlarms,
  fixed(s.precision),
  fixed(s.f1),
];
const SCORE_HEADERS = ["events", "labelled", "found", "recall", "false alarms", "precision", "F1"];

function tenantsSection(results: EvalResults, md: boolean): string {
  const rows = [...results.tenants, ...(results.detectionOff ? [results.detectionOff] : [])].map((t) => [
    `seed ${t.seed}, detection ${t.detection ? "on" : "off"}`,
    t.labels,
    t.records,
    fixed(t.backfill.jobSeconds, 1),
    fixed(t.backfill.drainedSeconds, 1),
    t.detection ? t.anomalies : "",
  ]);
  const missing = results.tenants.flatMap((t) => t.labelKeysMissing.map((m) => `seed ${t.seed}: ${m}`));
  return [
    table(["tenant", "labels", "records", "backfill job s", "until judged s", "anomalies"], rows, md),
    ...(missing.length > 0 ? [`  labelled keys absent from the stored records: ${missing.join("; ")}`] : []),
  ].join("\n");
}

function anomalySection(a: AnomalyReport, md: boolean): string {
  const byScope = new Map<string, number>();
  for (const f of a.falseAlarms.list) byScope.set(f.scopeKey, (byScope.get(f.scopeKey) ?? 0) + 1);
  const frequent = [...byScope]
    .sort((x, y) => y[1] - x[1])
    .slice(0, 5)
    .map(([scope, n]) => `${scope || "TOTAL"} x${n}`)
    .join(", ");
  const decoyRows = Object.entries(a.decoys).map(([kind, d]) => [
    kind,
    d.decoys,
    d.silent,
    d.rightCause,
    d.usage,
  ]);
  return [
    table(
      SCORE_HEADERS,
      [
        scoreRow("all, >= 3σ", a.overall),
        ...Object.entries(a.byKind).map(([kind, s]) => scoreRow(kind, s)),
        ...Object.entries(a.byBand).map(([band, s]) => scoreRow(band, s)),
      ],
      md,
    ),
    "",
    table(
      ["seed x provider", "labelled", "found", "recall", "false alarms", "precision", "F1"],
      a.bySeedAndProvider.map((row) => scoreRow(`seed ${row.seed} ${row.provider}`, row)),
      md,
    ),
    "",
    table(["decoys", "planned", "no anomaly", "right cause", "USAGE"], decoyRows, md),
    "",
    `  root cause top-1: ${a.rootCause.correct} of ${a.rootCause.checked} found events; found with a cause other than USAGE: ${a.foundWithOtherCause}; duplicate anomalies: ${a.duplicates}`,
    `  false alarms: ${a.falseAlarms.count} in ${a.tenantMonths} tenant-months (${a.falseAlarms.inFirstMonth} in a backfill's first 30 days, ${a.falseAlarms.resolved} resolved later); most frequent scopes: ${frequent || "none"}`,
    `  events under the detector's minImpact: ${a.underMinImpact.labels} (${a.underMinImpact.found} found)`,
  ].join("\n");
}

function forecastSection(f: ForecastReport, md: boolean): string {
  const methods = Object.entries(f.methods)
    .map(([method, n]) => `${method} ${n}`)
    .join(", ");
  return [
    `  months ${f.months[0]}..${f.months.at(-1)}, ${f.forecasts} forecasts (${methods})`,
    "",
    table(
      ["origin (data to day - 1)", "forecasts", "MAPE", "bias", "80% covers", "95% covers"],
      f.byOrigin.map((o) => [
        `day ${o.day}, ${o.series}`,
        o.forecasts,
        percent(o.mape, 2),
        percent(o.bias, 2),
        percent(o.coverage80, 0),
        percent(o.coverage95, 0),
      ]),
      md,
    ),
    "",
    table(
      ["series", "MASE", "vs seasonal-naive-7"],
      f.mase.series.map((s) => [`seed ${s.seed} ${s.name}`, fixed(s.mase), fixed(s.skill)]),
      md,
    ),
    "",
    table(
      [`budget (day ${f.breach.originDay})`, "budgets", "Brier", "Brier run-rate"],
      [
        ...f.breach.byFactor.map((b) => [
          `${b.factor}x the true total`,
          b.budgets,
          fixed(b.brier, 3),
          fixed(b.brierRunRate, 3),
        ]),
        ["all", f.breach.budgets, fixed(f.breach.brier, 3), fixed(f.breach.brierRunRate, 3)],
      ],
      md,
    ),
    "",
    `  coverage, month totals: 80% ${percent(f.coverage.total80)}, 95% ${percent(f.coverage.total95)}; forecast days: 80% ${percent(f.coverage.daily80)}, 95% ${percent(f.coverage.daily95)}`,
  ].join("\n");
}

export function formatReport(results: EvalResults, markdown = false): string {
  const s = results.settings;
  const heading = (title: string) => (markdown ? `## ${title}` : title);
  const sections = [
    `${markdown ? "# " : ""}EVALUATION  ${results.startedAt}  node ${results.machine.node}, ${results.machine.cpus} CPUs (${results.machine.cpuModel})`,
    `  EVAL_SEEDS=${s.seeds.length} EVAL_MONTHS=${s.months} EVAL_EVENTS_PER_MONTH=${s.eventsPerMonth} ` +
      `EVAL_PROVIDERS=${s.providers.join(",")} EVAL_TODAY=${s.today} EVAL_LATENCY_WRITES=${s.latencyWrites} ` +
      `EVAL_DETECTION_OFF_RUN=${s.detectionOffRun ? "on" : "off"} EVAL_FORECAST_MONTHS=${s.forecastMonths} ` +
      `EVAL_FORECAST_DAYS=${s.forecastDays.join(",")} EVAL_BUDGET_FACTORS=${s.budgetFactors.join(",")}`,
    [heading("TENANTS"), "", tenantsSection(results, markdown)].join("\n"),
  ];
  if (results.anomaly)
    sections.push([heading("ANOMALY DETECTION"), "", anomalySection(results.anomaly, markdown)].join("\n"));
  if (results.latency) {
    const l = results.latency;
    sections.push(
      `${heading("LATENCY")}\n\n  stored day -> costAnomalyDetected over graphql-ws: ${l.count} spike days, ` +
        `p50 ${fixed(l.p50Ms, 0)} ms, p95 ${fixed(l.p95Ms, 0)} ms, p99 ${fixed(l.p99Ms, 0)} ms, max ${fixed(l.maxMs, 0)} ms, ${l.missed} missed`,
    );
  }
  if (results.forecast)
    sections.push([heading("FORECAST"), "", forecastSection(results.forecast, markdown)].join("\n"));
  if (results.targets) {
    sections.push(
      [
        heading("TARGETS"),
        "",
        table(
          ["target", "actual", "verdict"],
          results.targets.map((t) => [t.target, t.actual, t.met ? "met" : "MISSED"]),
          markdown,
        ),
      ].join("\n"),
    );
  }
  if (results.totalSeconds !== undefined) sections.push(`total ${fixed(results.totalSeconds, 1)} s`);
  return sections.join("\n\n");
}
