/**
 * The shape of schema/operations that keeps normalized caches whole, checked without a server: a
 * live event carries every field the queries read of the entity it updates (the subscriptions spread
 * the queries' fragments), and each entity and value object is selected through its one shared
 * fragment wherever a query reads it.
 */
import { readdirSync, readFileSync } from "node:fs";
import {
  Kind,
  TypeInfo,
  parse,
  visit,
  visitWithTypeInfo,
  type DocumentNode,
  type OperationDefinitionNode,
} from "graphql";
import { describe, expect, it } from "vitest";
import { entityTypes, loadSchema } from "./support/cache-config.js";

const directory = new URL("../../schema/operations/", import.meta.url);
const document: DocumentNode = {
  kind: Kind.DOCUMENT,
  definitions: readdirSync(directory)
    .filter((file) => file.endsWith(".graphql"))
    .flatMap((file) => parse(readFileSync(new URL(file, directory), "utf8")).definitions),
};
const schema = loadSchema();
const operations = document.definitions.filter(
  (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
);

/** Type -> the fragments an operation spreads on it (in its own selections, not in fragments). */
function spreadsByType(operation: OperationDefinitionNode): Map<string, Set<string>> {
  const spreads = new Map<string, Set<string>>();
  const typeInfo = new TypeInfo(schema);
  visit(
    operation,
    visitWithTypeInfo(typeInfo, {
      FragmentSpread(node) {
        const type = typeInfo.getParentType()!.name;
        spreads.set(type, (spreads.get(type) ?? new Set()).add(node.name.value));
      },
    }),
  );
  return spreads;
}

const ofKind = (kind: string) => operations.filter((operation) => operation.operation === kind);

describe("schema/operations", () => {
  it("has subscriptions that spread, on each entity they carry, every fragment the queries read it with", () => {
    const read = new Map<string, Set<string>>();
    for (const query of ofKind("query")) {
      for (const [type, fragments] of spreadsByType(query)) {
        read.set(type, new Set([...(read.get(type) ?? []), ...fragments]));
      }
    }
    const entities = new Set(entityTypes(schema));
    const subscriptions = ofKind("subscription");
    expect(subscriptions.length).toBeGreaterThan(0);
    for (const subscription of subscriptions) {
      const carried = [...spreadsByType(subscription)].filter(([type]) => entities.has(type));
      expect(carried.length, subscription.name!.value).toBeGreaterThan(0);
      for (const [type, fragments] of carried) {
        expect([...fragments].sort(), `${subscription.name!.value} on ${type}`).toEqual(
          expect.arrayContaining([...(read.get(type) ?? [])]),
        );
      }
    }
  });

  it("selects each type that has a shared fragment (TypeFields) only through it, besides id and fields with arguments", () => {
    const shared = new Set(
      document.definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [definition.name.value] : [],
      ),
    );
    const strays: string[] = [];
    for (const operation of operations) {
      const typeInfo = new TypeInfo(schema);
      visit(
        operation,
        visitWithTypeInfo(typeInfo, {
          Field(node) {
            const type = typeInfo.getParentType()!.name;
            const own =
              node.name.value === "id" || node.name.value === "__typename" || !!node.arguments?.length;
            // A field of a type with a shared fragment is either in the fragment, or has arguments (a
            // query's own question, like Client.costSummary(period)), or leads to one (connections).
            if (shared.has(`${type}Fields`) && !own && !node.selectionSet) {
              strays.push(`${operation.name!.value}: ${type}.${node.name.value}`);
            }
          },
        }),
      );
    }
    expect(strays).toEqual([]);
  });
});
