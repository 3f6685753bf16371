/** Anomaly detail: actual against expected, root causes, the cause, and feedback for editors. */
import {
  DashboardAnomalyDocument,
  DashboardAnomalyFeedbackDocument,
  type AnomalyFeedback,
} from "./generated/graphql.js";
import { describeError } from "./api.js";
import {
  addDays,
  announce,
  dataTable,
  errorState,
  h,
  money,
  percent,
  replace,
  signedPercent,
  today,
} from "./dom.js";
import { timeChart } from "./chart.js";
import { bar, link, section, watch, type View } from "./view.js";

const FEEDBACK: { value: AnomalyFeedback; label: string }[] = [
  { value: "CONFIRMED", label: "Confirm: a real problem" },
  { value: "NOT_ANOMALY", label: "Not an anomaly" },
  { value: "PLANNED", label: "Planned" },
];

export const anomalyDetail: View = (root, context) => {
  const id = decodeURIComponent(context.path[1] ?? "");
  const date = context.params.get("date") ?? today();
  const end = addDays(date, 7) < today() ? addDays(date, 7) : today();
  const variables = {
    clientId: context.clientId,
    day: { start: date, end: date },
    around: { start: addDays(date, -27), end: end < date ? date : end },
    anomalies: 100,
  };
  const status = h("div", { "aria-live": "polite" });
  const body = h("div");
  root.replaceChildren(body, status);
  const sendFeedback = async (feedback: AnomalyFeedback) => {
    const result = await context.api.client
      .mutation(DashboardAnomalyFeedbackDocument, { input: { anomalyId: id, feedback } })
      .toPromise();
    if (result.error) {
      const { message, requestId } = describeError(result.error);
      replace(status, errorState(`Could not save the feedback: ${message}`, requestId));
    } else {
      replace(status, h("p", { role: "status" }, "Feedback saved."));
      announce("Feedback saved");
    }
  };
  return watch(context, body, "the anomaly", DashboardAnomalyDocument, variables, (data) => {
    const client = data.client!;
    const anomaly = client.costAnomalies.edges.find((edge) => edge.node.id === id)?.node;
    if (!anomaly) return [h("h1", {}, "Anomaly"), errorState(`No anomaly ${id} on ${date}.`)];
    const largest = Math.max(anomaly.actual.amount, anomaly.expectedUpper.amount, 1e-9);
    const series = client.costTimeSeries[0];
    return [
      h("p", {}, h("a", { href: link(context.clientId, "overview") }, "← Overview")),
      h(
        "h1",
        {},
        `Anomaly on ${anomaly.date}: ${anomaly.provider ?? "all clouds"} · ${anomaly.scope.label ?? "total"}`,
      ),
      h(
        "p",
        { "data-testid": "anomaly-summary" },
        `${anomaly.direction === "SPIKE" ? "Spike" : "Drop"} of ${money(anomaly.impact)} (${signedPercent(anomaly.impactPercent)}), severity ${anomaly.severity}, cause ${anomaly.cause}, ${anomaly.status.toLowerCase()}`,
        anomaly.feedback ? `, feedback ${anomaly.feedback}` : "",
        ".",
      ),
      h(
        "div",
        { class: "grid" },
        section(
          "Actual against expected",
          "vs",
          h(
            "div",
            { class: "bars" },
            bar("Actual", money(anomaly.actual), anomaly.actual.amount / largest),
            bar(
              "Expected",
              money(anomaly.expected),
              anomaly.expected.amount / largest,
              `(range ${money(anomaly.expectedLower)} to ${money(anomaly.expectedUpper)})`,
            ),
          ),
        ),
        section(
          "Root causes",
          "causes",
          anomaly.rootCauses.length
            ? h(
                "div",
                { class: "bars", "data-testid": "root-causes" },
                anomaly.rootCauses.map((cause) =>
                  bar(
                    `${cause.dimension}: ${cause.label}`,
                    money(cause.impact),
                    cause.share,
                    percent(cause.share, 0),
                  ),
                ),
              )
            : h("p", { class: "muted" }, "No deeper value explains it: the move is spread out."),
          dataTable(
            "causes",
            "Root causes",
            ["Value", "Impact", "Share"],
            anomaly.rootCauses.map((c) => [
              `${c.dimension}: ${c.label}`,
              money(c.impact),
              percent(c.share, 0),
            ]),
          ),
        ),
        section(
          "Feedback",
          "feedback",
          context.canEdit
            ? h(
                "div",
                { class: "buttons" },
                FEEDBACK.map((f) =>
                  h(
                    "button",
                    {
                      type: "button",
                      "data-key": `fb-${f.value}`,
                      "aria-pressed": String(anomaly.feedback === f.value),
                      onclick: () => void sendFeedback(f.value),
                    },
                    f.label,
                  ),
                ),
              )
            : h("p", { class: "muted" }, "Editors can give feedback."),
        ),
      ),
      series
        ? timeChart({
            key: "around",
            title: `Client total per day around ${anomaly.date}`,
            currency: client.reportingCurrency,
            days: series.points.map((p) => p.date),
            series: [{ label: "Total", values: series.points.map((p) => p.cost.amount) }],
            markers: [{ day: anomaly.date, label: "anomaly" }],
          })
        : null,
    ];
  });
};
