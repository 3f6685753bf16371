/**
 * Time charts (uPlot): series stacked by a dimension, an optional forecast band, anomaly markers on
 * the time axis; every chart comes with a table of the same numbers (the accessible view).
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { dataTable, dayToSeconds, h, money } from "./dom.js";

const PALETTE = [
  "#1f6feb",
  "#d9480f",
  "#2b8a3e",
  "#9c36b5",
  "#e67700",
  "#0b7285",
  "#c2255c",
  "#5c940d",
  "#495057",
];
export const color = (index: number): string => PALETTE[index % PALETTE.length]!;

export interface TimeChartInput {
  key: string;
  title: string;
  currency: string;
  days: string[];
  series: { label: string; values: (number | null)[] }[];
  stacked?: boolean;
  /** Forecast per day (null where none). */
  band?: { expected: (number | null)[]; lower: (number | null)[]; upper: (number | null)[] };
  markers?: { day: string; label: string }[];
  height?: number;
}

const AXIS_FONT = "12px system-ui, sans-serif";
let measure: CanvasRenderingContext2D | null = null;

/** Room for the amounts' axis: its longest label (a currency, a large amount) as wide as drawn. */
function amountAxisSize(labels: string[] | undefined): number {
  measure ??= document.createElement("canvas").getContext("2d")!;
  measure.font = AXIS_FONT;
  const widest = Math.max(0, ...(labels ?? []).map((label) => measure!.measureText(label).width));
  // uPlot's ticks (10 px) and gap (5 px) beside the labels, and a margin.
  return Math.max(60, Math.ceil(widest) + 24);
}

const charts = new Set<uPlot>();
let resizeBound = false;

function chartWidth(): number {
  const main = document.getElementById("main");
  return Math.max(260, Math.min(1200, (main?.clientWidth ?? 800) - 48));
}

export function timeChart(input: TimeChartInput): HTMLElement {
  const xs = input.days.map(dayToSeconds);
  const cumulative: (number | null)[][] = [];
  input.series.forEach((series, index) => {
    const below = cumulative[index - 1];
    cumulative.push(
      series.values.map((value, i) =>
        input.stacked && value !== null ? value + ((below?.[i] as number | null) ?? 0) : value,
      ),
    );
  });
  // Drawn top-down, so each stacked area covers the one under it only where it is higher.
  const order = input.series.map((_, index) => index).reverse();
  const data: uPlot.AlignedData = [xs, ...order.map((index) => cumulative[index]!)];
  const series: uPlot.Series[] = [
    {},
    ...order.map((index) => ({
      label: input.series[index]!.label,
      stroke: color(index),
      fill: input.stacked ? `${color(index)}99` : undefined,
      width: 1.5,
      points: { show: false },
    })),
  ];
  const bands: uPlot.Band[] = [];
  if (input.band) {
    const base = series.length;
    data.push(input.band.upper, input.band.lower, input.band.expected);
    series.push(
      { label: "Forecast upper", stroke: "#868e96", width: 1, dash: [4, 4], points: { show: false } },
      { label: "Forecast lower", stroke: "#868e96", width: 1, dash: [4, 4], points: { show: false } },
      { label: "Forecast", stroke: "#343a40", width: 2, dash: [6, 3], points: { show: false } },
    );
    bands.push({ series: [base, base + 1], fill: "#adb5bd55" });
  }
  const markers = (input.markers ?? []).map((marker) => ({ ...marker, x: dayToSeconds(marker.day) }));
  const holder = h("div", {
    class: "chart",
    role: "img",
    "aria-label": `${input.title}: chart of ${input.series.length} series over ${input.days.length} buckets${
      markers.length ? `, ${markers.length} anomaly markers` : ""
    }; the table below has the same numbers.`,
  });
  const plot = new uPlot(
    {
      width: chartWidth(),
      height: input.height ?? 260,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      series,
      bands,
      scales: { x: { time: true } },
      axes: [
        {},
        {
          font: AXIS_FONT,
          size: (_u, labels) => amountAxisSize(labels),
          values: (_u, ticks) => ticks.map((tick) => `${input.currency} ${tick.toLocaleString("en-US")}`),
        },
      ],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            ctx.save();
            ctx.fillStyle = "#c92a2a";
            for (const marker of markers) {
              const x = u.valToPos(marker.x, "x", true);
              const y = u.bbox.top;
              ctx.beginPath();
              ctx.moveTo(x - 6, y);
              ctx.lineTo(x + 6, y);
              ctx.lineTo(x, y + 10);
              ctx.closePath();
              ctx.fill();
            }
            ctx.restore();
          },
        ],
      },
    },
    data,
    holder,
  );
  charts.add(plot);
  if (!resizeBound) {
    resizeBound = true;
    window.addEventListener("resize", () => {
      for (const chart of charts) {
        if (!chart.root.isConnected) charts.delete(chart);
        else chart.setSize({ width: chartWidth(), height: chart.height });
      }
    });
  }
  const head = [
    "Date",
    ...input.series.map((s) => s.label),
    ...(input.band ? ["Forecast", "Lower", "Upper"] : []),
  ];
  const fmt = (value: number | null | undefined) =>
    value === null || value === undefined ? "–" : money({ amount: value, currency: input.currency });
  const rows = input.days.map((day, i) => [
    day + (markers.some((m) => m.day === day) ? " (anomaly)" : ""),
    ...input.series.map((s) => fmt(s.values[i])),
    ...(input.band ? [fmt(input.band.expected[i]), fmt(input.band.lower[i]), fmt(input.band.upper[i])] : []),
  ]);
  return h(
    "figure",
    { class: "chart-figure" },
    h("figcaption", {}, input.title),
    holder,
    markers.length ? h("p", { class: "legend-note" }, "▼ marks a day with an anomaly.") : null,
    h(
      "ul",
      { class: "legend", "aria-label": "Series" },
      input.series.map((s, index) =>
        h("li", {}, h("span", { class: "swatch", "data-color": String(index % PALETTE.length) }), s.label),
      ),
      input.band ? h("li", {}, h("span", { class: "swatch band" }), "Forecast (80 % band)") : null,
    ),
    dataTable(input.key, input.title, head, rows),
  );
}
