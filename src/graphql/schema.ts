import "reflect-metadata";
import { buildSchema, type PubSub as TypeGraphQLPubSub } from "type-graphql";
import type { GraphQLSchema } from "graphql";
import { ClientResolver } from "./resolvers/client.resolver.js";
import { ClientCostResolver } from "./resolvers/client-cost.resolver.js";
import { CollectionJobResolver } from "./resolvers/collection-job.resolver.js";
import { SubscriptionResolver } from "./resolvers/subscription.resolver.js";
import { MutationResolver } from "./resolvers/mutation.resolver.js";
import { InProcessPubSub, type PubSub } from "../live/pubsub.js";

export const RESOLVERS = [
  ClientResolver,
  ClientCostResolver,
  CollectionJobResolver,
  SubscriptionResolver,
  MutationResolver,
] as const;

/** type-graphql's view of our pubsub (its subscriptions name their topics themselves, per tenant). */
function typeGraphQLPubSub(pubsub: PubSub): TypeGraphQLPubSub {
  return {
    publish: (topic: string, event: unknown) => void pubsub.publish(topic, event),
    subscribe: (topic: string) => pubsub.subscribe(topic),
  };
}

/** Every type names its scalars explicitly (tsx emits no decorator metadata), so no scalarsMap is needed. */
export function buildApiSchema(pubsub: PubSub = new InProcessPubSub()): Promise<GraphQLSchema> {
  return buildSchema({ resolvers: RESOLVERS, validate: false, pubSub: typeGraphQLPubSub(pubsub) });
}
