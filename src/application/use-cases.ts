/**
 * Every use case, built per request over the process's services and the request's loaders: the one
 * thing the GraphQL layer (and the sandbox) calls. Each takes the caller's identity and checks it.
 */
import type { ClientManager } from "../tenancy/client-manager.js";
import type { CollectionService } from "../collection/collection-service.js";
import type { ExchangeRateService } from "../collection/exchange-rates.js";
import type { PubSub } from "../live/pubsub.js";
import type { CollectionJobStore } from "../store/collection-job-store.js";
import type { Clock } from "../shared/clock.js";
import type { CostAnomalyStore } from "../store/anomaly-store.js";
import type { BudgetStore } from "../store/budget-store.js";
import { Anomalies } from "./anomalies.js";
import { Budgets } from "./budgets.js";
import { CostForecasts } from "./forecasts.js";
import type { ReadCache } from "./read-cache.js";
import { Collections } from "./collections.js";
import { CostQueries } from "./costs/cost-queries.js";
import { CostReads } from "./costs/cost-reads.js";
import type { CursorCodec } from "./cursors.js";
import { ExchangeRates } from "./exchange-rates.js";
import { LiveUpdates } from "./live-updates.js";
import { createLoaders, loaderCostSources, type LoadedStores } from "./request-loaders.js";
import { Nodes } from "./nodes.js";
import { createIndexLoaders } from "./index-loaders.js";
import { Portfolio } from "./portfolio.js";
import { Tenants } from "./tenants.js";

export interface UseCaseDeps {
  stores: LoadedStores & { jobs: CollectionJobStore; anomalies: CostAnomalyStore; budgets: BudgetStore };
  clientManager: ClientManager;
  collections: CollectionService;
  exchangeRates: ExchangeRateService;
  pubsub: PubSub;
  cursors: CursorCodec;
  clock: Clock;
  /** Process-wide: reads kept across requests until their client's data changes. */
  readCache?: ReadCache;
}

export interface RequestOptions {
  /** Live (subscription) requests must not cache loader results across events. */
  cache: boolean;
  /** Off: one store call per item and no read cache, the N+1 the benchmark compares against. */
  batch: boolean;
}

export function createUseCases(deps: UseCaseDeps, request: RequestOptions) {
  const readCache = request.batch ? deps.readCache : undefined;
  const loaders = createLoaders(deps.stores, { ...request, ...(readCache ? { readCache } : {}) });
  const sources = loaderCostSources(loaders);
  const { cursors } = deps;
  const tenants = new Tenants({
    clients: deps.stores.clients,
    clientManager: deps.clientManager,
    loaders,
    cursors,
  });
  const reads = new CostReads(sources, readCache);
  const costs = new CostQueries(reads, sources, cursors);
  const forecasts = new CostForecasts({ reads, clock: deps.clock });
  const budgets = new Budgets({
    budgets: deps.stores.budgets,
    tenants,
    forecasts,
    cursors,
    clock: deps.clock,
  });
  const collections = new Collections({ jobs: deps.stores.jobs, collections: deps.collections, cursors });
  const anomalies = new Anomalies({ anomalies: deps.stores.anomalies, cursors, clock: deps.clock });
  return {
    tenants,
    costs,
    collections,
    anomalies,
    forecasts,
    budgets,
    nodes: new Nodes({ tenants, collections, costs, anomalies, budgets }),
    exchangeRates: new ExchangeRates(deps.exchangeRates),
    live: new LiveUpdates(deps.pubsub),
    portfolio: new Portfolio({ loaders: createIndexLoaders(deps.stores, request), cursors }),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
