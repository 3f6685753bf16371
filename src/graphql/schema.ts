import "reflect-metadata";
import { buildSchema, type ClassType, type PubSub as TypeGraphQLPubSub } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { ClientResolver } from "./resolvers/client.resolver.js";
import { ClientCostResolver } from "./resolvers/client-cost.resolver.js";
import { CollectionJobResolver } from "./resolvers/collection-job.resolver.js";
import { SubscriptionResolver } from "./resolvers/subscription.resolver.js";
import { MutationResolver } from "./resolvers/mutation.resolver.js";
import { NodeResolver } from "./resolvers/node.resolver.js";
import { CostAnomalyResolver } from "./resolvers/cost-anomaly.resolver.js";
import { BudgetAlertResolver, BudgetResolver, ClientInsightResolver } from "./resolvers/budget.resolver.js";
import { ProviderConnectionResolver } from "./resolvers/provider-connection.resolver.js";
import {
  BucketClientCostResolver,
  PortfolioEntryResolver,
  PortfolioResolver,
} from "./resolvers/portfolio.resolver.js";

import { CONNECTION_RESOLVERS } from "./types/page-info.type.js";

export const RESOLVERS = [
  ClientResolver,
  ClientCostResolver,
  CollectionJobResolver,
  SubscriptionResolver,
  MutationResolver,
  NodeResolver,
  ProviderConnectionResolver,
  CostAnomalyResolver,
  ClientInsightResolver,
  BudgetResolver,
  BudgetAlertResolver,
  PortfolioResolver,
  PortfolioEntryResolver,
  BucketClientCostResolver,
] as const;

/**
 * type-graphql insists on a pubsub when there are subscriptions; ours subscribe through their use
 * cases (the tenant's topic, after the access check), so this one is never asked.
 */
const USE_CASES_SUBSCRIBE: TypeGraphQLPubSub = {
  publish: () => {
    throw new Error("events are published by the stream consumer, not the schema");
  },
  subscribe: () => {
    throw new Error("subscriptions subscribe through their use case");
  },
};

/** Every type names its scalars explicitly (tsx emits no decorator metadata), so no scalarsMap is needed. */
export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...RESOLVERS, ...CONNECTION_RESOLVERS] as [ClassType, ...ClassType[]],
    validate: false,
    pubSub: USE_CASES_SUBSCRIBE,
  });
  // type-graphql has no option for the root types' descriptions.
  schema.getQueryType()!.description =
    "Reads: clients, their costs and insights (anomalies, forecasts, budgets), the portfolio across clients, collection jobs, any object by id.";
  schema.getMutationType()!.description =
    "Writes: clients, provider connections, collections, exchange rates, anomaly feedback, budgets.";
  schema.getSubscriptionType()!.description =
    "Live updates over graphql-ws (graphql-transport-ws) on /graphql.";
  return schema;
}
