/**
 * The only configuration the normalized caches need, derived from schema/schema.graphql so that it
 * follows the schema: which object types are value objects (no `id`: embedded in the entity that
 * holds them) and which types implement each interface (the Node interface, for `node` queries).
 * Everything else (entity identity, merging, pagination arguments) works with the caches' defaults.
 */
import { readFileSync } from "node:fs";
import {
  buildSchema,
  getNamedType,
  introspectionFromSchema,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from "graphql";

export const SCHEMA_PATH = new URL("../../../schema/schema.graphql", import.meta.url);

export function loadSchema(): GraphQLSchema {
  return buildSchema(readFileSync(SCHEMA_PATH, "utf8"));
}

const ROOT_TYPES = new Set(["Query", "Mutation", "Subscription"]);

/** Object types without an `id` field: value objects (Money, CostSeries, PageInfo, edges...). */
export function valueObjectTypes(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith("__") && !ROOT_TYPES.has(type.name))
    .filter((type) => isObjectType(type) && !("id" in type.getFields()))
    .map((type) => type.name)
    .sort();
}

/** Object types with an `id` field: entities, each of them a Node. */
export function entityTypes(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type) => isObjectType(type) && !type.name.startsWith("__") && !ROOT_TYPES.has(type.name))
    .filter((type) => isObjectType(type) && "id" in type.getFields())
    .map((type) => type.name)
    .sort();
}

/** Interface -> the object types implementing it, as both caches take `possibleTypes`. */
export function possibleTypes(schema: GraphQLSchema): Record<string, string[]> {
  return Object.fromEntries(
    Object.values(schema.getTypeMap())
      .filter(isInterfaceType)
      .map((type) => [
        type.name,
        schema
          .getPossibleTypes(type)
          .map((object) => object.name)
          .sort(),
      ]),
  );
}

/** urql Graphcache's `keys`: every value object embedded in its parent (`() => null`), entities keyed by id. */
export function graphcacheKeys(schema: GraphQLSchema): Record<string, () => null> {
  return Object.fromEntries(valueObjectTypes(schema).map((name) => [name, () => null]));
}

/**
 * urql Graphcache's `schema`: without it, Graphcache writes a result through every fragment of a
 * selection, matching or not, and warns about the fields a non-matching one lacks (the inline
 * fragments of a `node` query). With it, fragments match by type (and `possibleTypes` is implied).
 */
export function graphcacheSchema(schema: GraphQLSchema): IntrospectionQuery {
  return introspectionFromSchema(schema);
}

/**
 * urql Graphcache's `updates.Mutation`: an updater for each mutation answering an entity. Without
 * one, a mutation field answering an entity new to the cache makes Graphcache invalidate every
 * cached entity of its type, so that any list holding one refetches: createClient would refetch
 * every query holding a Client, triggerCollection every query holding a CollectionJob. These do
 * nothing more; an application that shows the new item in a list adds it there.
 */
export function graphcacheMutationUpdates(schema: GraphQLSchema): Record<string, () => void> {
  const entities = new Set(entityTypes(schema));
  return Object.fromEntries(
    Object.values(schema.getMutationType()?.getFields() ?? {})
      .filter((field) => entities.has(getNamedType(field.type).name))
      .map((field) => [field.name, () => undefined]),
  );
}
