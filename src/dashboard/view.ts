/** What every view gets, and the one way views read: a cached query re-rendered on every cache change. */
import type { AnyVariables, OperationResult } from "@urql/core";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { describeError, type Api, type LiveQuery } from "./api.js";
import { errorState, h, loading, replace } from "./dom.js";
import type { CloudProvider } from "./generated/graphql.js";

export interface ViewContext {
  api: Api;
  clientId: string;
  /** The view's route below the client, e.g. ["anomaly", "<id>"]. */
  path: string[];
  params: URLSearchParams;
  canEdit: boolean;
  /** Sets the view's parameters in the URL (a new history entry) and shows the view again. */
  setParams(params: URLSearchParams): void;
}

export type View = (root: HTMLElement, context: ViewContext) => () => void;

/** Hash links: `#/<client>/<view>?<params>`. */
export const link = (clientId: string, view: string, params?: URLSearchParams): string =>
  `#/${encodeURIComponent(clientId)}/${view}${params && [...params].length ? `?${params}` : ""}`;

/**
 * Runs a query cache-first and calls `render` with its data each time the cache changes (live
 * events included); loading and error states are drawn here. `live` adjusts the data on events.
 */
export function watch<D, V extends AnyVariables>(
  context: ViewContext,
  root: HTMLElement,
  what: string,
  query: TypedDocumentNode<D, V>,
  variables: V,
  render: (data: D) => (Node | string | null)[] | Node,
  live?: Omit<LiveQuery<D, V>, "query" | "variables">,
): () => void {
  replace(root, loading(what));
  const unregister = live ? context.api.live({ query, variables, ...live }) : () => undefined;
  const subscription = context.api.client
    .query(query, variables)
    .subscribe((result: OperationResult<D, V>) => {
      if (result.error) {
        const { message, requestId, forbidden } = describeError(result.error);
        replace(
          root,
          errorState(forbidden ? `Not allowed: ${message}` : `Could not load ${what}: ${message}`, requestId),
        );
        return;
      }
      const data = result.data as (D & { client?: unknown }) | undefined;
      if (!data) return;
      if ("client" in data && data.client === null) {
        replace(root, errorState(`There is no client "${context.clientId}".`));
        return;
      }
      const content = render(data);
      replace(root, ...(Array.isArray(content) ? content : [content]));
      sizeBars(root);
      root.setAttribute("aria-busy", "false");
    });
  return () => {
    subscription.unsubscribe();
    unregister();
  };
}

export const PROVIDERS: CloudProvider[] = ["AWS", "AZURE", "GCP"];

/** The URL's `providers` filter: the known providers it names. */
export const readProviders = (params: URLSearchParams): CloudProvider[] =>
  (params.get("providers") ?? "")
    .split(",")
    .filter((p): p is CloudProvider => PROVIDERS.includes(p as CloudProvider));

/** A labelled control of a filter form. */
export const field = (label: string, control: HTMLElement): HTMLElement =>
  h("label", {}, h("span", {}, label), control);

export const select = (name: string, options: { value: string; label: string }[], value: string) =>
  h(
    "select",
    { name, "data-key": `f-${name}` },
    options.map((o) => h("option", { value: o.value, selected: o.value === value }, o.label)),
  );

/**
 * A view's filters: its fields, a checkbox per provider and Apply, which puts every field into the
 * URL (the providers checked as one `providers`); what the form does not hold, a page, is dropped.
 */
export function filterForm(
  context: ViewContext,
  fields: HTMLElement[],
  providers: CloudProvider[],
): HTMLFormElement {
  const form = h(
    "form",
    { class: "filters", "aria-label": "Filters" },
    fields,
    h(
      "fieldset",
      {},
      h("legend", {}, "Providers"),
      PROVIDERS.map((p) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            name: "providers",
            value: p,
            checked: providers.includes(p),
            "data-key": `f-${p}`,
          }),
          p,
        ),
      ),
    ),
    h("button", { type: "submit", "data-key": "f-apply" }, "Apply"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const params = new URLSearchParams();
    for (const [name, value] of data) if (name !== "providers") params.set(name, String(value));
    const checked = data.getAll("providers").map(String);
    if (checked.length) params.set("providers", checked.join(","));
    context.setParams(params);
  });
  return form;
}

/** A section with a heading and a body the caller fills. */
export function section(title: string, id: string, ...body: (Node | string | null)[]): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": `${id}-h` },
    h("h2", { id: `${id}-h` }, title),
    ...body,
  );
}

/** A horizontal bar (share of the largest), with its text beside it. */
export function bar(label: string, value: string, fraction: number, extra?: string): HTMLElement {
  const width = Math.max(0, Math.min(100, Math.round(fraction * 100)));
  return h(
    "div",
    { class: "bar-row" },
    h("span", { class: "bar-label" }, label),
    h(
      "span",
      { class: "bar-track", "aria-hidden": "true" },
      h("span", { class: "bar-fill", "data-w": String(width) }),
    ),
    h("span", { class: "bar-value" }, value, extra ? h("span", { class: "muted" }, ` ${extra}`) : null),
  );
}

/** Bars take their width from a class (the page allows no inline style): 0..100 in steps of 1. */
export function sizeBars(root: HTMLElement): void {
  for (const fill of root.querySelectorAll<HTMLElement>(".bar-fill[data-w]")) {
    fill.style.width = `${fill.dataset.w}%`;
  }
}
