/**
 * urql 6 with Graphcache 9 (normalized cache; fetchExchange, and subscriptionExchange over
 * graphql-ws): every operation of schema/operations mounted together cache-first, live events and
 * mutations; see support/scenario.ts for what each step must hold. Graphcache's configuration is
 * generated from the schema (support/cache-config.ts): `keys` embedding each value object (a type
 * without `id`) in its parent; the schema itself (introspection), which the `node` query needs so
 * that only the fragment of the node's type is written; and a no-op updater for each mutation
 * answering an entity, so that a new client or job does not refetch every query of its type.
 */
import { Client, fetchExchange, subscriptionExchange } from "@urql/core";
import { cacheExchange } from "@urql/exchange-graphcache";
import { expect, it } from "vitest";
import { graphcacheKeys, graphcacheMutationUpdates, graphcacheSchema } from "./support/cache-config.js";
import { describeCacheScenario, type CacheClient, type ClientSetUp } from "./support/scenario.js";

it("runs Graphcache in development mode, where it warns about the cache", () => {
  expect(process.env.NODE_ENV).not.toBe("production");
});

function urqlClient({ url, authorization, fetch, ws, schema }: ClientSetUp): CacheClient {
  const client = new Client({
    url,
    fetch,
    // Apollo Server refuses a GET without a preflight header (CSRF prevention): queries go as POST.
    preferGetMethod: false,
    fetchOptions: { headers: { authorization } },
    requestPolicy: "cache-first",
    exchanges: [
      cacheExchange({
        schema: graphcacheSchema(schema),
        keys: graphcacheKeys(schema),
        updates: { Mutation: graphcacheMutationUpdates(schema) },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({
            unsubscribe: ws.subscribe({ ...request, query: request.query ?? "" }, sink),
          }),
        }),
      }),
    ],
  });
  return {
    watch(query, variables, onResult) {
      const { unsubscribe } = client
        .query(query, variables, { requestPolicy: "cache-first" })
        .subscribe((result) =>
          onResult({
            data: result.data,
            // With a schema, Graphcache may answer a partial result (missing nullable fields) at once.
            complete:
              result.data !== undefined &&
              result.data !== null &&
              !result.error &&
              result.operation.context.meta?.cacheOutcome !== "partial",
            ...(result.error ? { error: result.error } : {}),
          }),
        );
      return unsubscribe;
    },
    async mutate(mutation, variables) {
      const result = await client.mutation(mutation, variables).toPromise();
      if (result.error) throw result.error;
      return result.data;
    },
    subscribe(query, variables, onEvent) {
      const { unsubscribe } = client
        .subscription(query, variables)
        .subscribe((result) =>
          onEvent({ data: result.data, ...(result.error ? { error: result.error } : {}) }),
        );
      return unsubscribe;
    },
    stop: () => undefined,
  };
}

describeCacheScenario("urql Graphcache", urqlClient);
