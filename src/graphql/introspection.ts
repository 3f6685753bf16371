/**
 * Who introspection (`__schema`, `__type`) answers. In production only admins: the schema is no
 * secret (schema/schema.graphql is published with the code), but a map of every field for any
 * holder of a token is more than a dashboard needs. INTROSPECTION=all opens it to every caller; the
 * sandbox opens it by default, since its playground explores the schema. `__typename` is not
 * introspection and always answers.
 */
import {
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from "graphql";
import type { ApolloServerPlugin } from "@apollo/server";
import type { Authentication } from "../domain/identity.js";
import { authIsAdmin } from "../application/authorization.js";

/** `admins`: introspection answers admins only; `all`: every authenticated caller. */
export type IntrospectionMode = "admins" | "all";

export const INTROSPECTION_REFUSED_MESSAGE = "introspection is answered to admins only on this server";

/** The refusal of a non-admin's introspection when only admins may introspect; undefined when it may run. */
export function introspectionRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  auth: Authentication,
  mode: IntrospectionMode,
): GraphQLError | undefined {
  if (mode === "all" || authIsAdmin(auth)) return undefined;
  // graphql-js's own rule finds __schema and __type anywhere, fragments included.
  if (validate(schema, document, [NoSchemaIntrospectionCustomRule]).length === 0) return undefined;
  return new GraphQLError(INTROSPECTION_REFUSED_MESSAGE, {
    extensions: { code: "FORBIDDEN", http: { status: 403 } },
  });
}

/** Refuses a non-admin's introspection over HTTP before anything runs (app.ts does so over WebSocket). */
export function introspectionPlugin<C extends { auth: Authentication }>(
  mode: IntrospectionMode,
): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      if (mode === "all") return;
      return {
        async didResolveOperation({ document, schema, contextValue }) {
          const refusal = introspectionRefusal(schema, document, contextValue.auth, mode);
          if (refusal) throw refusal;
        },
      };
    },
  };
}
