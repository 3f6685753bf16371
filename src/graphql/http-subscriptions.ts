/**
 * Subscriptions live on the WebSocket (graphql-transport-ws). Apollo would run one sent over HTTP
 * as a query, whose field resolvers then meet no event and fail as internal errors: refuse it
 * up front with a 400 that says where subscriptions are served.
 */
import { GraphQLError } from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";

export function refuseHttpSubscriptions<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== "subscription") return;
          throw new GraphQLError(
            "subscriptions are served over WebSocket (graphql-transport-ws) on this path, not over HTTP",
            { extensions: { code: "BAD_REQUEST", http: { status: 400 } } },
          );
        },
      };
    },
  };
}
