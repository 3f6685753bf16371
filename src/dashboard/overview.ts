/**
 * Overview: month to date against the same days before, the month-end forecast with its band,
 * the split by provider, budgets, the latest anomalies and alerts, and the newest job. Live.
 */
import {
  DashboardBudgetsDocument,
  DashboardOverviewDocument,
  type BudgetFieldsFragment,
  type CostAnomalyListFieldsFragment,
  type DashboardOverviewQuery,
} from "./generated/graphql.js";
import {
  addDays,
  dataTable,
  empty,
  h,
  monthEnd,
  monthStart,
  money,
  percent,
  signedPercent,
  today,
} from "./dom.js";
import type { CostChange } from "./api.js";
import { bar, link, section, watch, type View } from "./view.js";
import { jobProgress } from "./collections.js";

type Data = DashboardOverviewQuery;
type ClientData = NonNullable<Data["client"]>;

const within = (day: string, period: { start: string; end: string }) =>
  day >= period.start && day <= period.end;
const add = (m: { amount: number }, delta: number) => {
  m.amount += delta;
};

/**
 * Whether a budget's spend moves by a day's total delta: its filter names providers at most (a
 * filter by service, region... needs the day's old split, which the event does not carry).
 */
const byProvidersOnly = (f: BudgetFieldsFragment["filter"]) =>
  !f || (!f.services?.length && !f.accountIds?.length && !f.regions?.length && !f.categories?.length);

const budgetsTouched = (client: ClientData, change: CostChange, byProviders: boolean) =>
  client.budgets.filter(
    ({ filter, status }) =>
      byProvidersOnly(filter) === byProviders &&
      (!filter?.providers?.length || filter.providers.includes(change.record.provider)) &&
      within(change.record.date, status.period),
  );

/** A new or restated day, applied to the totals on screen (no request). */
export function applyCostChange(data: Data, change: CostChange, delta: number): Data | null {
  const client = data.client;
  if (!client || delta === 0) return null;
  const { date, provider } = change.record;
  const summary = client.costSummary;
  let changed = false;
  if (within(date, summary.period)) {
    add(summary.total, delta);
    const item = summary.byProvider.find((p) => p.provider === provider);
    if (item) add(item.cost, delta);
    else
      summary.byProvider.push({
        __typename: "ProviderCost",
        provider,
        cost: { __typename: "Money", amount: delta, currency: summary.total.currency },
      } as never);
    changed = true;
  } else if (within(date, summary.previousPeriod)) {
    add(summary.previousTotal, delta);
    changed = true;
  }
  if (changed) {
    const previous = summary.previousTotal.amount;
    summary.changePercent =
      previous === 0 ? null : ((summary.total.amount - previous) / Math.abs(previous)) * 100;
  }
  const forecast = client.costForecast;
  if (within(date, forecast.period) && date <= forecast.basedOnDataUntil) {
    for (const m of [forecast.actual, forecast.expected, forecast.lower, forecast.upper]) add(m, delta);
    changed = true;
  }
  for (const budget of budgetsTouched(client, change, true)) {
    add(budget.status.actual, delta);
    changed = true;
  }
  return changed ? data : null;
}

export function prependAnomaly<
  T extends {
    costAnomalies: {
      totalCount: number | null;
      edges: { cursor: string; node: CostAnomalyListFieldsFragment }[];
    };
  },
>(
  client: T,
  anomaly: CostAnomalyListFieldsFragment,
  period: { start: string; end: string },
  max: number,
): T | null {
  const list = client.costAnomalies;
  if (!within(anomaly.date, period) || list.edges.some((edge) => edge.node.id === anomaly.id)) return null;
  list.edges = [
    { __typename: "CostAnomalyEdge", cursor: `live:${anomaly.id}`, node: anomaly } as never,
    ...list.edges,
  ].slice(0, max);
  list.totalCount = (list.totalCount ?? 0) + 1;
  return client;
}

export function anomalyItem(clientId: string, anomaly: CostAnomalyListFieldsFragment): HTMLElement {
  const where = anomaly.scope.label ?? "Total";
  return h(
    "li",
    { class: `anomaly sev-${anomaly.severity.toLowerCase()}` },
    h(
      "a",
      {
        href: link(
          clientId,
          `anomaly/${encodeURIComponent(anomaly.id)}`,
          new URLSearchParams({ date: anomaly.date }),
        ),
      },
      `${anomaly.date} · ${anomaly.provider ?? "All clouds"} · ${where}`,
    ),
    ` ${anomaly.direction === "SPIKE" ? "▲" : "▼"} ${money(anomaly.impact)} (${signedPercent(anomaly.impactPercent)}) · `,
    h("span", { class: "badge" }, anomaly.severity),
    " ",
    h("span", { class: "badge" }, anomaly.cause),
    anomaly.status === "RESOLVED" ? h("span", { class: "badge" }, "RESOLVED") : null,
  );
}

export const overview: View = (root, context) => {
  const now = today();
  const variables = {
    clientId: context.clientId,
    monthToDate: { start: monthStart(now), end: now },
    month: { start: monthStart(now), end: monthEnd(now) },
    recent: { start: addDays(now, -59), end: now },
    latest: 5,
  };
  return watch(
    context,
    root,
    "the overview",
    DashboardOverviewDocument,
    variables,
    (data) => render(context.clientId, data.client!),
    {
      onCostChange: applyCostChange,
      staleOn: (data, change) => !!data.client && budgetsTouched(data.client, change, false).length > 0,
      refetch: { query: DashboardBudgetsDocument, variables: { clientId: context.clientId } },
      onAnomaly: (data, anomaly) =>
        data.client && prependAnomaly(data.client, anomaly, variables.recent, 5) ? data : null,
      onBudgetAlert: (data, alert) => {
        const list = data.client?.budgetAlerts;
        if (!list || list.edges.some((edge) => edge.node.id === alert.id)) return null;
        list.edges = [
          { __typename: "BudgetAlertEdge", cursor: `live:${alert.id}`, node: alert } as never,
          ...list.edges,
        ].slice(0, 5);
        list.totalCount = (list.totalCount ?? 0) + 1;
        return data;
      },
      onJob: (data, job) => {
        const list = data.client?.collectionJobs;
        if (!list || list.edges[0]?.node.id === job.id) return null;
        if (list.edges[0] && list.edges[0].node.createdAt > job.createdAt) return null;
        list.edges = [{ __typename: "CollectionJobEdge", cursor: `live:${job.id}`, node: job } as never];
        return data;
      },
    },
  );
};

function render(clientId: string, client: ClientData): Node[] {
  const summary = client.costSummary;
  const forecast = client.costForecast;
  const largest = Math.max(1e-9, ...summary.byProvider.map((p) => Math.abs(p.cost.amount)));
  const providers = [...summary.byProvider].sort((a, b) => b.cost.amount - a.cost.amount);
  const job = client.collectionJobs.edges[0]?.node;
  return [
    h("h1", {}, `Overview · ${client.name}`),
    h(
      "div",
      { class: "kpis" },
      h(
        "section",
        { class: "card kpi", "aria-labelledby": "mtd-h" },
        h("h2", { id: "mtd-h" }, "Month to date"),
        h("p", { class: "big", "data-testid": "mtd-total" }, money(summary.total)),
        h("p", { class: "muted" }, `${summary.period.start} to ${summary.period.end}`),
      ),
      h(
        "section",
        { class: "card kpi", "aria-labelledby": "change-h" },
        h("h2", { id: "change-h" }, "Against the last period"),
        h("p", { class: "big", "data-testid": "change" }, signedPercent(summary.changePercent)),
        h(
          "p",
          { class: "muted" },
          `${money(summary.previousTotal)} from ${summary.previousPeriod.start} to ${summary.previousPeriod.end}`,
        ),
      ),
      h(
        "section",
        { class: "card kpi", "aria-labelledby": "forecast-h" },
        h("h2", { id: "forecast-h" }, "Month-end forecast"),
        h("p", { class: "big", "data-testid": "forecast-expected" }, money(forecast.expected)),
        h(
          "p",
          { class: "muted", "data-testid": "forecast-band" },
          `${percent(forecast.confidence, 0)} band: ${money(forecast.lower)} to ${money(forecast.upper)}`,
        ),
        h(
          "p",
          { class: "muted" },
          `Method ${forecast.accuracy.method}${forecast.accuracy.mape !== null ? `, MAPE ${percent(forecast.accuracy.mape)}` : ""}; data until ${forecast.basedOnDataUntil}`,
        ),
      ),
    ),
    h(
      "div",
      { class: "grid" },
      section(
        "By provider, month to date",
        "providers",
        providers.length
          ? h(
              "div",
              { class: "bars", "data-testid": "providers" },
              providers.map((p) => bar(p.provider, money(p.cost), Math.abs(p.cost.amount) / largest)),
            )
          : empty("No costs this month yet."),
        dataTable(
          "providers",
          "Cost by provider, month to date",
          ["Provider", "Cost"],
          providers.map((p) => [p.provider, money(p.cost)]),
        ),
      ),
      section(
        "Budgets",
        "budgets",
        client.budgets.length
          ? h(
              "div",
              { class: "bars", "data-testid": "budgets" },
              client.budgets.map((budget) =>
                bar(
                  budget.name,
                  `${money(budget.status.actual)} of ${money(budget.amount)}`,
                  budget.status.actual.amount / budget.amount.amount,
                  `· breach ${percent(budget.status.breachProbability, 0)}${
                    budget.status.crossedThresholds.length
                      ? ` · crossed ${budget.status.crossedThresholds.map((t) => percent(t, 0)).join(", ")}`
                      : ""
                  }`,
                ),
              ),
            )
          : empty("No budgets set."),
      ),
      section(
        "Latest anomalies",
        "anomalies",
        client.costAnomalies.edges.length
          ? h(
              "ul",
              { class: "list", "data-testid": "anomalies" },
              client.costAnomalies.edges.map((edge) => anomalyItem(clientId, edge.node)),
            )
          : empty("No anomalies in the last 60 days."),
        client.costAnomalies.totalCount !== null
          ? h("p", { class: "muted" }, `${client.costAnomalies.totalCount} in the last 60 days`)
          : null,
      ),
      section(
        "Budget alerts",
        "alerts",
        client.budgetAlerts.edges.length
          ? h(
              "ul",
              { class: "list", "data-testid": "alerts" },
              client.budgetAlerts.edges.map(({ node }) =>
                h(
                  "li",
                  {},
                  `${node.at.slice(0, 10)} · ${client.budgets.find((b) => b.id === node.budget.id)?.name ?? "A budget"} · ${
                    node.kind === "ACTUAL" ? "spent" : "forecast to reach"
                  } ${percent(node.threshold, 0)} (${money(node.actual)}, breach ${percent(node.breachProbability, 0)})`,
                ),
              ),
            )
          : empty("No budget alerts."),
      ),
      section(
        "Latest collection",
        "job",
        job ? jobProgress(job) : empty("No collection yet."),
        h("p", {}, h("a", { href: link(clientId, "collections") }, "All collections")),
      ),
    ),
  ];
}
