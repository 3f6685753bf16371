/**
 * A few DOM helpers and formats: no framework. Text is always set as text (never as HTML), so
 * nothing the API returns can inject markup.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") element.addEventListener(name.replace(/^on/, ""), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** The data-key of the focused control (or of its keyed ancestor), if any. */
export const focusedKey = (): string | null | undefined =>
  document.activeElement?.closest?.("[data-key]")?.getAttribute("data-key");

/** Focuses the element with this data-key in the container; whether there was one. */
export function refocus(container: Element, key: string | null | undefined): boolean {
  const target = key ? container.querySelector<HTMLElement>(`[data-key="${key}"]`) : null;
  target?.focus();
  return !!target;
}

/** Replaces a container's content, keeping the focus on the element with the same data-key. */
export function replace(container: Element, ...children: (Child | Child[])[]): void {
  const focused = focusedKey();
  const open = [...container.querySelectorAll("details[open][data-key]")].map((d) =>
    d.getAttribute("data-key"),
  );
  container.replaceChildren(
    ...children
      .flat()
      .filter((c): c is Node | string => !!c || c === 0)
      .map(String2Node),
  );
  for (const key of open) container.querySelector(`details[data-key="${key}"]`)?.setAttribute("open", "");
  refocus(container, focused);
}

const String2Node = (child: Node | string | number): Node =>
  child instanceof Node ? child : document.createTextNode(String(child));

export interface MoneyLike {
  amount: number;
  currency: string;
}

/** Money always shows its currency: "USD 1,234.56". */
export function money(value: MoneyLike | null | undefined, digits = 2): string {
  if (!value) return "–";
  const amount = value.amount.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return `${value.currency} ${amount}`;
}

export const percent = (value: number | null | undefined, digits = 1): string =>
  value === null || value === undefined ? "–" : `${(value * 100).toFixed(digits)} %`;

export const signedPercent = (value: number | null | undefined): string =>
  value === null || value === undefined ? "n/a" : `${value > 0 ? "+" : ""}${value.toFixed(1)} %`;

/** UTC days as the API writes them. */
export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);
export const addDays = (day: string, days: number): string =>
  isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
export const today = (): string => isoDay(new Date());
export const monthStart = (day: string): string => `${day.slice(0, 8)}01`;
export function monthEnd(day: string): string {
  const [year, month] = day.split("-").map(Number) as [number, number];
  return isoDay(new Date(Date.UTC(year, month, 0)));
}
export const dayToSeconds = (day: string): number => Date.parse(`${day}T00:00:00Z`) / 1000;

/** A loading, empty or error state, announced to screen readers. */
export const loading = (what: string) => h("p", { role: "status", class: "state" }, `Loading ${what}…`);
export const empty = (what: string) => h("p", { class: "state empty" }, what);

export function errorState(message: string, requestId?: string | null): HTMLElement {
  return h(
    "div",
    { role: "alert", class: "state error" },
    h("p", {}, message),
    requestId ? h("p", {}, "Request id: ", h("code", { class: "request-id" }, requestId)) : null,
  );
}

/** A table with its caption; the cells of column `rowHeader` head their rows. */
export function table(
  caption: string,
  head: string[],
  rows: (Node | string | number)[][],
  attrs: Attrs = {},
  rowHeader = 0,
): HTMLElement {
  return h(
    "div",
    { class: "scroll" },
    h(
      "table",
      attrs,
      h("caption", {}, caption),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          head.map((cell) => h("th", { scope: "col" }, cell)),
        ),
      ),
      h(
        "tbody",
        {},
        rows.map((row) =>
          h(
            "tr",
            {},
            row.map((cell, index) =>
              index === rowHeader ? h("th", { scope: "row" }, cell) : h("td", {}, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

/** A table of the same numbers a chart shows, behind a disclosure. */
export function dataTable(
  key: string,
  caption: string,
  head: string[],
  rows: (string | number)[][],
): HTMLElement {
  return h(
    "details",
    { class: "table-view", "data-key": `table-${key}` },
    h("summary", { "data-key": `summary-${key}` }, `Table: ${caption}`),
    table(caption, head, rows),
  );
}

export function announce(message: string): void {
  const live = document.getElementById("live");
  if (live) live.textContent = message;
}
