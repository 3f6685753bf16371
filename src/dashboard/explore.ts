/**
 * Explore: a breakdown by a dimension (top N and "Other"), series stacked by the same dimension,
 * the forecast band of the current month and anomaly markers; every filter lives in the URL.
 */
import {
  DashboardExploreDocument,
  type CloudProvider,
  type CostDimension,
  type DashboardExploreQuery,
  type Granularity,
} from "./generated/graphql.js";
import { addDays, dataTable, empty, h, monthEnd, monthStart, money, percent, today } from "./dom.js";
import { timeChart } from "./chart.js";
import { anomalyItem, prependAnomaly } from "./overview.js";
import type { CostChange } from "./api.js";
import {
  bar,
  field,
  filterForm,
  readProviders,
  section,
  select,
  watch,
  type View,
  type ViewContext,
} from "./view.js";

const DIMENSIONS: { value: CostDimension; label: string }[] = [
  { value: "SERVICE", label: "Service" },
  { value: "ACCOUNT", label: "Account" },
  { value: "REGION", label: "Region" },
  { value: "SERVICE_CATEGORY", label: "Category" },
  { value: "PROVIDER", label: "Provider" },
];
const GRANULARITIES: Granularity[] = ["DAILY", "WEEKLY", "MONTHLY"];
const OTHER = "Other";
const FOLDED_KEY = "__others__";

export interface ExploreSettings {
  from: string;
  to: string;
  by: CostDimension;
  top: number;
  granularity: Granularity;
  providers: CloudProvider[];
}

export function readSettings(params: URLSearchParams): ExploreSettings {
  const now = today();
  const day = (value: string | null, fallback: string) =>
    value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : fallback;
  const by = params.get("by") as CostDimension | null;
  const granularity = params.get("granularity") as Granularity | null;
  const top = Number(params.get("top") ?? 5);
  return {
    from: day(params.get("from"), addDays(now, -29)),
    to: day(params.get("to"), now),
    by: by && DIMENSIONS.some((d) => d.value === by) ? by : "SERVICE",
    top: Number.isInteger(top) && top >= 1 && top <= 20 ? top : 5,
    granularity: granularity && GRANULARITIES.includes(granularity) ? granularity : "DAILY",
    providers: readProviders(params),
  };
}

export function exploreVariables(clientId: string, s: ExploreSettings) {
  const now = today();
  return {
    clientId,
    period: { start: s.from, end: s.to },
    by: s.by,
    top: s.top,
    granularity: s.granularity,
    filter: s.providers.length ? { providers: s.providers } : null,
    forecastPeriod: { start: monthStart(now), end: monthEnd(now) },
    anomalies: 100,
  };
}

/** The bucket a day falls in. */
function bucketOf(day: string, granularity: Granularity): string {
  if (granularity === "MONTHLY") return monthStart(day);
  if (granularity === "WEEKLY") {
    const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
    return addDays(day, -weekday);
  }
  return day;
}

function controls(context: ViewContext, s: ExploreSettings): HTMLElement {
  return filterForm(
    context,
    [
      field("From", h("input", { type: "date", name: "from", value: s.from, "data-key": "f-from" })),
      field("To", h("input", { type: "date", name: "to", value: s.to, "data-key": "f-to" })),
      field("Group by", select("by", DIMENSIONS, s.by)),
      field(
        "Top",
        select(
          "top",
          [3, 5, 10, 20].map((n) => ({ value: String(n), label: String(n) })),
          String(s.top),
        ),
      ),
      field(
        "Buckets",
        select(
          "granularity",
          GRANULARITIES.map((g) => ({ value: g, label: g.toLowerCase() })),
          s.granularity,
        ),
      ),
    ],
    s.providers,
  );
}

export const explore: View = (root, context) => {
  const s = readSettings(context.params);
  const variables = exploreVariables(context.clientId, s);
  const body = h("div");
  root.replaceChildren(h("h1", {}, "Explore"), controls(context, s), body);
  const concerns = ({ date, provider }: CostChange["record"]) =>
    date >= s.from && date <= s.to && (!s.providers.length || s.providers.includes(provider));
  return watch(
    context,
    body,
    "the breakdown",
    DashboardExploreDocument,
    variables,
    (data) => render(context, s, data),
    {
      // Only the split by provider can be adjusted from the event; any other is read again.
      staleOn: (_data, change) => s.by !== "PROVIDER" && concerns(change.record),
      onCostChange: (data, change, delta) => {
        const client = data.client;
        const { date, provider } = change.record;
        if (!client || s.by !== "PROVIDER" || !concerns(change.record)) return null;
        const bucket = bucketOf(date, s.granularity);
        const series = client.costTimeSeries.find((x) => x.key === provider);
        const point = series?.points.find((p) => p.date === bucket);
        if (point) point.cost.amount += delta;
        const item = client.costBreakdown.find((x) => x.key === provider);
        if (item) item.cost.amount += delta;
        const total = client.costBreakdown.reduce((sum, x) => sum + x.cost.amount, 0);
        for (const x of client.costBreakdown) x.share = total === 0 ? 0 : x.cost.amount / total;
        return point || item ? data : null;
      },
      onAnomaly: (data, anomaly) =>
        data.client && prependAnomaly(data.client, anomaly, variables.period, 100) ? data : null,
    },
  );
};

function render(context: ViewContext, s: ExploreSettings, data: DashboardExploreQuery): (Node | null)[] {
  const client = data.client!;
  const currency = client.reportingCurrency;
  const breakdown = client.costBreakdown;
  // The API folds everything after the top N into one item keyed "__others__"; the series do the same.
  const topKeys = breakdown.filter((item) => item.key !== FOLDED_KEY).map((item) => item.key);
  const named = client.costTimeSeries.filter((series) => topKeys.includes(series.key));
  const rest = client.costTimeSeries.filter((series) => !topKeys.includes(series.key));
  const days = client.costTimeSeries[0]?.points.map((p) => p.date) ?? [];
  const stacked: { label: string; values: (number | null)[] }[] = named.map((series) => ({
    label: series.label,
    values: series.points.map((p) => p.cost.amount),
  }));
  if (rest.length) {
    stacked.push({
      label: OTHER,
      values: days.map((_, i) => rest.reduce((sum, series) => sum + (series.points[i]?.cost.amount ?? 0), 0)),
    });
  }
  const forecast = client.costForecast;
  const now = today();
  let axis = days;
  let band: { expected: (number | null)[]; lower: (number | null)[]; upper: (number | null)[] } | undefined;
  const showBand =
    s.granularity === "DAILY" && s.to >= forecast.period.start && s.from <= forecast.period.end;
  if (showBand) {
    const future = forecast.points
      .filter((p) => p.date > forecast.basedOnDataUntil && p.date <= forecast.period.end)
      .map((p) => p.date);
    axis = [...new Set([...days, ...future])].sort();
    const at = (day: string) =>
      forecast.points.find((p) => p.date === day && p.date > forecast.basedOnDataUntil);
    band = {
      expected: axis.map((d) => at(d)?.expected.amount ?? null),
      lower: axis.map((d) => at(d)?.lower.amount ?? null),
      upper: axis.map((d) => at(d)?.upper.amount ?? null),
    };
    for (const series of stacked)
      series.values = axis.map((d) => (days.includes(d) ? series.values[days.indexOf(d)]! : null));
  }
  const anomalies = client.costAnomalies.edges.map((edge) => edge.node);
  const markers = anomalies.map((a) => ({
    day: bucketOf(a.date, s.granularity),
    label: a.scope.label ?? "total",
  }));
  const largest = Math.max(1e-9, ...breakdown.map((item) => Math.abs(item.cost.amount)));
  const dimension = DIMENSIONS.find((d) => d.value === s.by)!.label.toLowerCase();
  return [
    section(
      `Cost by ${dimension}, ${s.from} to ${s.to}`,
      "breakdown",
      breakdown.length
        ? h(
            "div",
            { class: "bars", "data-testid": "breakdown" },
            breakdown.map((item) =>
              bar(item.label, money(item.cost), Math.abs(item.cost.amount) / largest, percent(item.share)),
            ),
          )
        : empty("No costs in this period."),
      dataTable(
        "breakdown",
        `Cost by ${dimension}`,
        [DIMENSIONS.find((d) => d.value === s.by)!.label, "Cost", "Share"],
        breakdown.map((item) => [item.label, money(item.cost), percent(item.share)]),
      ),
    ),
    days.length
      ? timeChart({
          key: "series",
          title: `${s.granularity.toLowerCase()} cost stacked by ${dimension}${showBand ? `, with the forecast to ${forecast.period.end}` : ""}`,
          currency,
          days: axis,
          series: stacked,
          stacked: true,
          ...(band ? { band } : {}),
          markers,
        })
      : empty("No series for this period."),
    showBand && now <= forecast.period.end
      ? h(
          "p",
          { class: "muted", "data-testid": "explore-forecast" },
          `Month-end forecast${s.providers.length ? ` (${s.providers.join(", ")})` : ""}: ${money(forecast.expected)}, ${percent(forecast.confidence, 0)} band ${money(forecast.lower)} to ${money(forecast.upper)}.`,
        )
      : null,
    section(
      "Anomalies in the period",
      "explore-anomalies",
      anomalies.length
        ? h(
            "ul",
            { class: "list" },
            anomalies.map((a) => anomalyItem(context.clientId, a)),
          )
        : empty("No anomalies in this period."),
    ),
  ];
}
