import "reflect-metadata";
import { buildSchema } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { ClientResolver } from "./resolvers/client.resolver.js";
import { ClientCostResolver } from "./resolvers/client-cost.resolver.js";
import { CollectionJobResolver } from "./resolvers/collection-job.resolver.js";
import { SubscriptionResolver } from "./resolvers/subscription.resolver.js";

export const RESOLVERS = [
  ClientResolver,
  ClientCostResolver,
  CollectionJobResolver,
  SubscriptionResolver,
] as const;

/** Every type names its scalars explicitly (tsx emits no decorator metadata), so no scalarsMap is needed. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, validate: false });
}
