/**
 * The dashboard's one connection to the API: urql with the Graphcache normalized cache (set up as
 * README "Using it from a frontend" says), HTTP POST for queries and mutations, graphql-ws on the
 * same origin for subscriptions. Live events are applied to the cache: an entity in an event (an
 * anomaly, a job) merges by id, and the aggregates the views hold (totals, series, lists) are
 * adjusted by `updates.Subscription` below from the event itself. Figures an event cannot adjust
 * are read again, in one request per burst of events.
 */
import {
  Client,
  fetchExchange,
  makeOperation,
  mapExchange,
  subscriptionExchange,
  type AnyVariables,
  type CombinedError,
} from "@urql/core";
import { cacheExchange, type Cache } from "@urql/exchange-graphcache";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { DocumentNode } from "graphql";
import type {
  BudgetAlertFieldsFragment,
  CollectionJobFieldsFragment,
  CostAnomalyFieldsFragment,
  CostRecordChangedSubscription,
} from "./generated/graphql.js";

/** Object types without `id` (value objects): embedded in the entity holding them. */
const VALUE_TYPES = [
  "AnomalyRootCause",
  "AnomalyScope",
  "BucketClientCost",
  "BudgetAlertConnection",
  "BudgetAlertEdge",
  "BudgetStatus",
  "ChargeCategoryCostItem",
  "ClientConnection",
  "ClientEdge",
  "CollectionError",
  "CollectionJobConnection",
  "CollectionJobEdge",
  "CollectionMetadata",
  "CostAnomalyConnection",
  "CostAnomalyEdge",
  "CostBreakdownItem",
  "CostFilter",
  "CostForecast",
  "CostPoint",
  "CostRecordChange",
  "CostRecordConnection",
  "CostRecordEdge",
  "CostSeries",
  "DataQuality",
  "DateRange",
  "ExchangeRate",
  "ForecastAccuracy",
  "ForecastPoint",
  "Money",
  "PageInfo",
  "PortfolioEntry",
  "PortfolioEntryConnection",
  "PortfolioEntryEdge",
  "ProviderCost",
  "ProviderCostBucket",
  "RegionCostItem",
  "ServiceCostItem",
  "SkippedDays",
];
export const valueTypes = (): readonly string[] => VALUE_TYPES;

export type CostChange = CostRecordChangedSubscription["costRecordChanged"];

/**
 * How long cost changes must stop arriving before figures they made stale are read again: a
 * collection lands its days as a burst of events, which then cost one request.
 */
const REFETCH_AFTER_MS = 1_000;

/**
 * A query a view keeps on screen, and how each kind of event changes its data. Each returns the
 * data changed, or null when the event does not concern it.
 */
export interface LiveQuery<D = unknown, V extends AnyVariables = AnyVariables> {
  query: TypedDocumentNode<D, V>;
  variables: V;
  onCostChange?(data: D, change: CostChange, delta: number): D | null;
  /**
   * Whether a change touches figures the event cannot adjust: it carries a restated day's new split
   * (by service, region...) and only its old total. Those are read again, REFETCH_AFTER_MS after the
   * last such change, in one request.
   */
  staleOn?(data: D, change: CostChange): boolean;
  /** What is read again then (default: the query itself); the view follows through the cache. */
  refetch?: { query: DocumentNode; variables: AnyVariables };
  onAnomaly?(data: D, anomaly: CostAnomalyFieldsFragment): D | null;
  onBudgetAlert?(data: D, alert: BudgetAlertFieldsFragment): D | null;
  onJob?(data: D, job: CollectionJobFieldsFragment): D | null;
}

export interface Api {
  client: Client;
  /** Registers a query for live adjustments; returns the unregistering function. */
  live<D, V extends AnyVariables>(query: LiveQuery<D, V>): () => void;
  setToken(token: string | null): void;
  /** Events seen per kind (shown in the footer, and read by the tests). */
  counts: Record<"costs" | "anomalies" | "alerts" | "jobs", number>;
  dispose(): void;
}

/**
 * Trusted documents: every operation goes by its document id (codegen's `__meta__.hash`), never as
 * text, so the dashboard works for everyone under TRUSTED_DOCUMENTS=only. Graphcache forwards a
 * reformatted document without that id but keeps the context: the id travels there, and becomes
 * Apollo's persisted-query extension (HTTP and graphql-ws alike) once past the cache.
 */
const keepDocumentId = mapExchange({
  onOperation: (operation) => {
    const id = (operation.query as { __meta__?: { hash?: string } }).__meta__?.hash;
    return id ? makeOperation(operation.kind, operation, { documentId: id }) : operation;
  },
});
const sendDocumentId = mapExchange({
  onOperation: (operation) => {
    const id = operation.context.documentId as string | undefined;
    return id
      ? {
          ...operation,
          extensions: { ...operation.extensions, persistedQuery: { version: 1, sha256Hash: id } },
        }
      : operation;
  },
});

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function createApi(onEvent: (kind: keyof Api["counts"]) => void): Api {
  let token: string | null = null;
  const targets = new Set<LiveQuery>();
  const refetches = new Map<LiveQuery, number>();
  /** Targets being read again, and whether a cost change touched them while their answer was on its way. */
  const inFlight = new Map<LiveQuery, boolean>();
  const refetchSoon = (target: LiveQuery) => {
    window.clearTimeout(refetches.get(target));
    refetches.set(
      target,
      window.setTimeout(() => {
        refetches.delete(target);
        // One read at a time (urql would share the answer on its way, read before these changes).
        if (inFlight.has(target)) return void inFlight.set(target, true);
        inFlight.set(target, false);
        const { query, variables } = target.refetch ?? target;
        void client
          .query(query, variables, { requestPolicy: "network-only" })
          .toPromise()
          .then(() => {
            const touched = inFlight.get(target);
            inFlight.delete(target);
            // The answer may have been read before that change's write, and has just replaced the
            // figures its event adjusted: read once more, after this burst too.
            if (touched && targets.has(target)) refetchSoon(target);
          });
      }, REFETCH_AFTER_MS),
    );
  };
  const stopRefetch = (target: LiveQuery) => {
    window.clearTimeout(refetches.get(target));
    refetches.delete(target);
    inFlight.delete(target);
  };
  const seenEvents = new Set<string>();
  const counts = { costs: 0, anomalies: 0, alerts: 0, jobs: 0 };
  const seen = (kind: keyof typeof counts) => {
    counts[kind] += 1;
    onEvent(kind);
  };

  function apply<E>(
    cache: Cache,
    event: E,
    pick: (target: LiveQuery) => ((data: unknown, event: E) => unknown) | undefined,
  ) {
    for (const target of targets) {
      const handler = pick(target);
      if (!handler) continue;
      cache.updateQuery({ query: target.query, variables: target.variables }, (data) =>
        data ? ((handler(clone(data), event) as typeof data | null) ?? data) : null,
      );
    }
  }

  const origin = window.location.origin;
  let ws: WsClient | null = null;
  const wsClient = () =>
    (ws ??= createWsClient({
      url: `${origin.replace(/^http/, "ws")}/graphql`,
      connectionParams: () => (token ? { authorization: `Bearer ${token}` } : {}),
      lazy: true,
      retryAttempts: 5,
    }));

  const client = new Client({
    url: `${origin}/graphql`,
    preferGetMethod: false,
    requestPolicy: "cache-first",
    fetchOptions: (): RequestInit => ({ headers: token ? { authorization: `Bearer ${token}` } : {} }),
    exchanges: [
      keepDocumentId,
      cacheExchange({
        keys: Object.fromEntries(VALUE_TYPES.map((name) => [name, () => null])),
        updates: {
          Mutation: {
            // Answers entities already cached (or new jobs added below): nothing to invalidate.
            setAnomalyFeedback: () => undefined,
            triggerCollection: (result, _args, cache) => {
              const job = (result as { triggerCollection?: CollectionJobFieldsFragment }).triggerCollection;
              if (job) apply(cache, job, (target) => target.onJob as never);
            },
          },
          Subscription: {
            costRecordChanged: (result, _args, cache) => {
              const change = (result as CostRecordChangedSubscription).costRecordChanged;
              if (seenEvents.has(change.eventId)) return; // at-least-once delivery: a repeat
              seenEvents.add(change.eventId);
              seen("costs");
              const delta = change.record.total.amount - (change.previousTotal?.amount ?? 0);
              for (const target of targets) {
                const request = { query: target.query, variables: target.variables };
                let touched = false;
                if (target.staleOn) {
                  const data = cache.readQuery(request);
                  touched = !!data && target.staleOn(data, change);
                  if (touched) refetchSoon(target);
                }
                const handler = target.onCostChange;
                if (handler) {
                  cache.updateQuery(request, (data) => {
                    const adjusted = data ? handler(clone(data), change, delta) : null;
                    touched ||= adjusted !== null;
                    return adjusted ?? data;
                  });
                }
                if (touched && inFlight.has(target)) inFlight.set(target, true);
              }
            },
            costAnomalyDetected: (result, _args, cache) => {
              const anomaly = (result as { costAnomalyDetected: CostAnomalyFieldsFragment })
                .costAnomalyDetected;
              seen("anomalies");
              apply(cache, anomaly, (target) => target.onAnomaly as never);
            },
            budgetAlert: (result, _args, cache) => {
              const alert = (result as { budgetAlert: BudgetAlertFieldsFragment }).budgetAlert;
              seen("alerts");
              apply(cache, alert, (target) => target.onBudgetAlert as never);
            },
            collectionJobUpdated: (result, _args, cache) => {
              const job = (result as { collectionJobUpdated: CollectionJobFieldsFragment })
                .collectionJobUpdated;
              seen("jobs");
              apply(cache, job, (target) => target.onJob as never);
            },
          },
        },
      }),
      sendDocumentId,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            // The protocol requires `query`: empty when the document goes by its id.
            unsubscribe: wsClient().subscribe({ ...request, query: request.query ?? "" }, sink as never),
          }),
        }),
      }),
    ],
  });

  return {
    client,
    counts,
    live: (target) => {
      const entry = target as unknown as LiveQuery;
      targets.add(entry);
      return () => {
        targets.delete(entry);
        stopRefetch(entry);
      };
    },
    setToken: (next) => {
      const changed = next !== token;
      token = next;
      // A new identity: new subscriptions with the new token (the socket authenticates once).
      if (changed && ws) {
        void ws.dispose();
        ws = null;
      }
    },
    dispose: () => {
      for (const target of refetches.keys()) stopRefetch(target);
      void ws?.dispose();
      ws = null;
    },
  };
}

/** What an error says, with the request id the server stamps on every answer. */
export function describeError(error: CombinedError): {
  message: string;
  requestId: string | null;
  forbidden: boolean;
  unauthenticated: boolean;
} {
  const codes = error.graphQLErrors.map((e) => String(e.extensions?.code ?? ""));
  const requestId =
    error.response && typeof (error.response as Response).headers?.get === "function"
      ? (error.response as Response).headers.get("x-request-id")
      : null;
  const forbidden = codes.includes("FORBIDDEN");
  const unauthenticated = codes.includes("UNAUTHENTICATED");
  const message = forbidden
    ? "You are not allowed to see this client."
    : unauthenticated
      ? "You are not signed in, or your session ended."
      : error.networkError
        ? "The service could not be reached."
        : (error.graphQLErrors[0]?.message ?? error.message);
  return { message, requestId, forbidden, unauthenticated };
}
