/**
 * Portfolio (admins): the clients ranked by cost or by change against the previous period, a page
 * at a time, with their split by provider; and one provider's cost across clients per month. The
 * filters and the page live in the URL.
 */
import {
  DashboardPortfolioDocument,
  type CloudProvider,
  type DashboardPortfolioQuery,
  type PortfolioOrder,
} from "./generated/graphql.js";
import { addDays, empty, h, monthStart, money, signedPercent, table, today } from "./dom.js";
import { timeChart } from "./chart.js";
import {
  field,
  filterForm,
  link,
  PROVIDERS,
  readProviders,
  section,
  select,
  watch,
  type View,
  type ViewContext,
} from "./view.js";

const PAGE_SIZE = 10;
/** Clients named per month in the chart; the others are summed into one series. */
const TOP = 5;
const CHART_MONTHS = 6;
const ORDERS: { value: PortfolioOrder; label: string }[] = [
  { value: "COST", label: "Cost" },
  { value: "ABSOLUTE_CHANGE", label: "Absolute change" },
  { value: "RELATIVE_CHANGE", label: "Relative change" },
];
const PERIODS = [
  { value: "month", label: "This month to date" },
  { value: "last-month", label: "Last month" },
  { value: "30-days", label: "Last 30 days" },
];

interface Range {
  start: string;
  end: string;
}

interface PortfolioSettings {
  period: string;
  order: PortfolioOrder;
  providers: CloudProvider[];
  /** The chart's provider. */
  provider: CloudProvider;
  after: string | null;
  /** 1 on the first page: where the page's ranks start. */
  page: number;
}

function readSettings(params: URLSearchParams): PortfolioSettings {
  const providers = readProviders(params);
  const after = params.get("after");
  const page = Number(params.get("page"));
  return {
    period: PERIODS.find((p) => p.value === params.get("period"))?.value ?? "month",
    order: ORDERS.find((o) => o.value === params.get("order"))?.value ?? "COST",
    providers,
    provider: PROVIDERS.find((p) => p === params.get("provider")) ?? providers[0] ?? "AWS",
    after,
    page: after && Number.isInteger(page) && page > 1 ? page : 1,
  };
}

function rangeOf(period: string, now: string): Range {
  if (period === "last-month") {
    const end = addDays(monthStart(now), -1);
    return { start: monthStart(end), end };
  }
  if (period === "30-days") return { start: addDays(now, -29), end: now };
  return { start: monthStart(now), end: now };
}

/** The chart's months: the current one and the CHART_MONTHS - 1 before it. */
function chartMonths(now: string): Range {
  let start = monthStart(now);
  for (let i = 1; i < CHART_MONTHS; i += 1) start = monthStart(addDays(start, -1));
  return { start, end: now };
}

const daysIn = ({ start, end }: Range) => (Date.parse(end) - Date.parse(start)) / 86_400_000 + 1;

export const portfolio: View = (root, context) => {
  const s = readSettings(context.params);
  const now = today();
  const period = rangeOf(s.period, now);
  const months = chartMonths(now);
  const variables = {
    period,
    providers: s.providers.length ? s.providers : null,
    orderBy: s.order,
    first: PAGE_SIZE,
    after: s.after,
    provider: s.provider,
    months,
    top: TOP,
  };
  // The ranking compares with the period of equal length just before: a change there moves it too.
  const compared = { start: addDays(period.start, -daysIn(period)), end: period.end };
  const within = (day: string, range: Range) => day >= range.start && day <= range.end;
  const body = h("div");
  root.replaceChildren(h("h1", {}, "Portfolio"), controls(context, s), body);
  return watch(
    context,
    body,
    "the portfolio",
    DashboardPortfolioDocument,
    variables,
    (data) => render(context, s, period, months, data),
    {
      // A day's new cost can move a client in the ranking (on another page, even): read it again.
      staleOn: (_data, { record }) =>
        (within(record.date, compared) && (!s.providers.length || s.providers.includes(record.provider))) ||
        (record.provider === s.provider && within(record.date, months)),
    },
  );
};

function controls(context: ViewContext, s: PortfolioSettings): HTMLElement {
  return filterForm(
    context,
    [
      field("Period", select("period", PERIODS, s.period)),
      field("Order by", select("order", ORDERS, s.order)),
      field(
        "Chart provider",
        select(
          "provider",
          PROVIDERS.map((p) => ({ value: p, label: p })),
          s.provider,
        ),
      ),
    ],
    s.providers,
  );
}

function render(
  context: ViewContext,
  s: PortfolioSettings,
  period: Range,
  months: Range,
  data: DashboardPortfolioQuery,
): (Node | null)[] {
  const { edges, pageInfo, totalCount } = data.portfolio;
  const providers = s.providers.length ? s.providers : PROVIDERS;
  const first = (s.page - 1) * PAGE_SIZE + 1;
  const pageLink = (after: string | null, page: number) => {
    const params = new URLSearchParams(context.params);
    params.delete("after");
    params.delete("page");
    if (after) {
      params.set("after", after);
      params.set("page", String(page));
    }
    return link(context.clientId, "portfolio", params);
  };
  const order = ORDERS.find((o) => o.value === s.order)!.label.toLowerCase();
  const caption = `Clients by ${order}, ${period.start} to ${period.end}${
    s.providers.length ? ` (${s.providers.join(", ")})` : ""
  }`;
  return [
    section(
      caption,
      "ranking",
      edges.length
        ? table(
            "Each client's total, its change against the period before and its split by provider",
            ["#", "Client", "Total", "Previous period", "Change", "Change %", ...providers],
            edges.map(({ node }, i) => [
              String(first + i),
              node.client
                ? h("a", { href: link(node.client.id, "overview") }, node.client.name)
                : "A deleted client",
              money(node.summary.total),
              money(node.summary.previousTotal),
              money(node.change),
              signedPercent(node.summary.changePercent),
              ...providers.map((p) => money(node.summary.byProvider.find((x) => x.provider === p)?.cost)),
            ]),
            { "data-testid": "ranking" },
            1,
          )
        : empty("No client has costs in this period or the one before."),
      h(
        "p",
        { class: "buttons" },
        edges.length
          ? h(
              "span",
              { class: "muted", "data-testid": "ranking-range" },
              `${first} to ${first + edges.length - 1} of ${totalCount ?? "?"}`,
            )
          : null,
        s.after ? h("a", { href: pageLink(null, 1), "data-key": "first-page" }, "First page") : null,
        pageInfo.hasNextPage && pageInfo.endCursor
          ? h("a", { href: pageLink(pageInfo.endCursor, s.page + 1), "data-key": "next-page" }, "Next page")
          : null,
      ),
    ),
    providerChart(s.provider, months, data.providerCosts),
  ];
}

/**
 * The provider's months stacked by their largest clients and the rest. Nothing is converted, so
 * the chart holds the largest currency; other currencies' totals are named below it.
 */
function providerChart(
  provider: CloudProvider,
  months: Range,
  buckets: DashboardPortfolioQuery["providerCosts"],
): HTMLElement {
  const title = `${provider} cost per month across clients, ${months.start} to ${months.end}`;
  const totals = buckets.flatMap((b) => b.totals);
  if (!totals.length) return empty(`No ${provider} costs from ${months.start} to ${months.end}.`);
  const currency = totals.reduce((a, b) => (b.amount > a.amount ? b : a)).currency;
  const named = new Map<string, { label: string; values: number[] }>();
  const others = buckets.map((bucket, i) => {
    let rest = bucket.totals.find((t) => t.currency === currency)?.amount ?? 0;
    for (const { client, cost } of bucket.topClients) {
      if (cost.currency !== currency) continue;
      const key = client?.id ?? "";
      const series = named.get(key) ?? {
        label: client?.name ?? "Deleted clients",
        values: buckets.map(() => 0),
      };
      series.values[i] = series.values[i]! + cost.amount;
      named.set(key, series);
      rest -= cost.amount;
    }
    // Cents, and no "-0.00" where the named clients are the whole total.
    return Math.round(rest * 100) / 100 || 0;
  });
  const elsewhere = [...new Set(totals.map((t) => t.currency))].filter((c) => c !== currency);
  return h(
    "div",
    { "data-testid": "provider-costs" },
    timeChart({
      key: "provider-costs",
      title,
      currency,
      days: buckets.map((b) => b.date),
      series: [...named.values(), { label: "Other clients", values: others }],
      stacked: true,
      height: 220,
    }),
    elsewhere.length
      ? h("p", { class: "muted" }, `Not charted: costs in ${elsewhere.join(", ")} (nothing is converted).`)
      : null,
  );
}
