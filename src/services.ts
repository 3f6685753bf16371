/**
 * The composition root's types: the stores over one pair of tables, and the services the GraphQL
 * layer calls. Built once per process by createServices.
 */
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ClientStore } from "./store/client-store.js";
import { ConnectionStore } from "./store/connection-store.js";
import { CollectionJobStore } from "./store/collection-job-store.js";
import { CostRecordStore } from "./store/cost-record-store.js";
import { TimeSeriesStore } from "./store/time-series-store.js";
import { ExchangeRateStore } from "./store/exchange-rate-store.js";
import type { TableNames } from "./store/table-definitions.js";
import type { PubSub } from "./live/pubsub.js";
import type { ClientManager } from "./collection/client-manager.js";
import type { CollectionService } from "./collection/collection-service.js";
import type { ExchangeRateService } from "./collection/exchange-rates.js";

export interface AppStores {
  clients: ClientStore;
  connections: ConnectionStore;
  jobs: CollectionJobStore;
  costs: CostRecordStore;
  timeseries: TimeSeriesStore;
  rates: ExchangeRateStore;
}

export function createStores(doc: DynamoDBDocumentClient, names: TableNames): AppStores {
  const options = { doc, names };
  return {
    clients: new ClientStore(options),
    connections: new ConnectionStore(options),
    jobs: new CollectionJobStore(options),
    costs: new CostRecordStore(options),
    timeseries: new TimeSeriesStore(options),
    rates: new ExchangeRateStore(options),
  };
}

export interface AppServices {
  stores: AppStores;
  pubsub: PubSub;
  clientManager: ClientManager;
  collections: CollectionService;
  exchangeRates: ExchangeRateService;
}
