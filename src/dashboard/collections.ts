/** Collections: provider links with their health, jobs with live per-provider progress, a trigger for editors. */
import {
  DashboardCollectionsDocument,
  TriggerCollectionDocument,
  type CollectionJobFieldsFragment,
} from "./generated/graphql.js";
import { describeError } from "./api.js";
import { addDays, announce, empty, errorState, h, replace, today } from "./dom.js";
import { section, watch, type View } from "./view.js";

export function jobProgress(job: CollectionJobFieldsFragment): HTMLElement {
  return h(
    "div",
    { class: "job", "data-job": job.id },
    h(
      "p",
      {},
      h("strong", {}, job.status),
      ` · ${job.period.start} to ${job.period.end} · started ${job.createdAt.slice(0, 19).replace("T", " ")} UTC`,
    ),
    h(
      "ul",
      { class: "list" },
      job.providers.map((p) =>
        h(
          "li",
          { "data-provider": p.provider },
          `${p.provider}: ${p.status}, ${p.recordsWritten} days written, ${p.apiRequests} API requests`,
          p.error ? h("span", { class: "error-text" }, ` · ${p.error.code}: ${p.error.message}`) : null,
          p.skipped
            ? h("span", { class: "muted" }, ` · skipped ${p.skipped.start} to ${p.skipped.end}`)
            : null,
        ),
      ),
    ),
  );
}

export const collections: View = (root, context) => {
  const variables = { clientId: context.clientId, jobs: 10 };
  const status = h("div", { "aria-live": "polite" });
  const body = h("div");
  root.replaceChildren(h("h1", {}, "Collections"), body, status);
  const trigger = async () => {
    const end = today();
    const result = await context.api.client
      .mutation(TriggerCollectionDocument, {
        input: { clientId: context.clientId, period: { start: addDays(end, -2), end } },
      })
      .toPromise();
    if (result.error) {
      const { message, requestId } = describeError(result.error);
      replace(status, errorState(`Could not start a collection: ${message}`, requestId));
    } else {
      replace(
        status,
        h("p", { role: "status" }, `Collection ${result.data?.triggerCollection.status.toLowerCase()}.`),
      );
      announce("Collection started");
    }
  };
  return watch(
    context,
    body,
    "the collections",
    DashboardCollectionsDocument,
    variables,
    (data) => {
      const client = data.client!;
      return [
        section(
          "Connections",
          "connections",
          client.connections.length
            ? h(
                "div",
                { class: "scroll" },
                h(
                  "table",
                  { "data-testid": "connections" },
                  h("caption", {}, "Provider connections and their last health check"),
                  h(
                    "thead",
                    {},
                    h(
                      "tr",
                      {},
                      ["Provider", "Health", "Credentials", "Last check", "Error"].map((c) =>
                        h("th", { scope: "col" }, c),
                      ),
                    ),
                  ),
                  h(
                    "tbody",
                    {},
                    client.connections.map((c) =>
                      h(
                        "tr",
                        {},
                        h("th", { scope: "row" }, c.provider),
                        h("td", {}, h("span", { class: `badge health-${c.health.toLowerCase()}` }, c.health)),
                        h("td", {}, c.credentialSummary),
                        h("td", {}, c.lastHealthCheckAt?.slice(0, 19).replace("T", " ") ?? "never"),
                        h("td", {}, c.lastHealthError ?? ""),
                      ),
                    ),
                  ),
                ),
              )
            : empty("No provider is connected."),
        ),
        section(
          "Jobs",
          "jobs",
          context.canEdit
            ? h(
                "p",
                {},
                h(
                  "button",
                  { type: "button", "data-key": "trigger", onclick: () => void trigger() },
                  "Collect the last 3 days",
                ),
              )
            : h("p", { class: "muted" }, "Editors can start a collection."),
          client.collectionJobs.edges.length
            ? h(
                "div",
                { "data-testid": "jobs" },
                client.collectionJobs.edges.map((edge) => jobProgress(edge.node)),
              )
            : empty("No collection yet."),
        ),
      ];
    },
    {
      onJob: (data, job) => {
        const list = data.client?.collectionJobs;
        if (!list || list.edges.some((edge) => edge.node.id === job.id)) return null;
        list.edges = [
          { __typename: "CollectionJobEdge", cursor: `live:${job.id}`, node: job } as never,
          ...list.edges,
        ].slice(0, 10);
        list.totalCount = (list.totalCount ?? 0) + 1;
        return data;
      },
    },
  );
};
