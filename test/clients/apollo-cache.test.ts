/**
 * Apollo Client 4 (InMemoryCache; HttpLink, and GraphQLWsLink for subscriptions) with no type
 * policies: every operation of schema/operations mounted together cache-first, live events and
 * mutations; see support/scenario.ts for what each step must hold. The only cache option is
 * `possibleTypes` for the Node interface, generated from the schema, which the `node` query needs
 * to match its inline fragments.
 */
import "./support/apollo-dev-mode.js";
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from "@apollo/client";
import { loadDevMessages, loadErrorMessages } from "@apollo/client/dev";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { __DEV__ } from "@apollo/client/utilities/environment";
import { OperationTypeNode } from "graphql";
import { expect, it } from "vitest";
import { possibleTypes } from "./support/cache-config.js";
import { describeCacheScenario, type CacheClient, type ClientSetUp } from "./support/scenario.js";

loadDevMessages();
loadErrorMessages();

it("runs Apollo Client in development mode, where it warns about the cache", () => {
  expect(__DEV__).toBe(true);
});

function apolloClient({ url, authorization, fetch, ws, schema }: ClientSetUp): CacheClient {
  const client = new ApolloClient({
    cache: new InMemoryCache({ possibleTypes: possibleTypes(schema) }),
    link: ApolloLink.split(
      ({ operationType }) => operationType === OperationTypeNode.SUBSCRIPTION,
      new GraphQLWsLink(ws),
      new HttpLink({ uri: url, fetch, headers: { authorization } }),
    ),
  });
  return {
    watch(query, variables, onResult) {
      const subscription = client.watchQuery({ query, variables, fetchPolicy: "cache-first" }).subscribe({
        next: (result) =>
          onResult({
            data: result.data,
            complete: result.dataState === "complete" && !result.error,
            ...(result.error ? { error: result.error } : {}),
          }),
        error: (error: unknown) => onResult({ data: undefined, complete: false, error }),
      });
      return () => subscription.unsubscribe();
    },
    async mutate(mutation, variables) {
      const { data, error } = await client.mutate({ mutation, variables });
      if (error) throw error;
      return data;
    },
    subscribe(query, variables, onEvent) {
      const subscription = client.subscribe({ query, variables }).subscribe({
        next: (result) => onEvent({ data: result.data, ...(result.error ? { error: result.error } : {}) }),
        error: (error: unknown) => onEvent({ error }),
      });
      return () => subscription.unsubscribe();
    },
    stop: () => client.stop(),
  };
}

describeCacheScenario("Apollo Client 4, InMemoryCache without type policies", apolloClient);
