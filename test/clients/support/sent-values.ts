/**
 * What the server last sent, field by field, keyed the way a normalized cache keys it: an object
 * with `__typename` and `id` is an entity ("CostRecord:…") whose fields any response or event may
 * carry; any other object (Money, a series, a connection) belongs to the entity or root that holds
 * it, under the field's name and arguments. Feeding it every HTTP response and live event in arrival
 * order, then walking a query's cached result the same way, tells which value a cache shows that
 * the server never sent or has since replaced, and which selected field is missing.
 */
import {
  Kind,
  getNamedType,
  getOperationAST,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  valueFromASTUntyped,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";

type Variables = Record<string, unknown>;

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Variables;
  /** Called with every leaf: a scalar, null, a list's length, or a reference to an entity. */
  leaf(owner: string, path: string, value: unknown): void;
  missing(where: string): void;
}

const ROOTS = { query: "ROOT_QUERY", mutation: "ROOT_MUTATION", subscription: "ROOT_SUBSCRIPTION" } as const;

/** JSON with sorted keys and without undefined members: equal arguments, equal text. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, member]) => `${JSON.stringify(key)}:${stableStringify(member)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** `name` or `name({"arg":…})`, the arguments' values resolved against the variables. */
function storeKey(field: FieldNode, variables: Variables): string {
  const args: Record<string, unknown> = {};
  for (const argument of field.arguments ?? []) {
    const value = valueFromASTUntyped(argument.value, variables);
    if (value !== undefined) args[argument.name.value] = value;
  }
  return Object.keys(args).length === 0 ? field.name.value : `${field.name.value}(${stableStringify(args)})`;
}

function typeConditionMatches(walk: Walk, condition: string | undefined, typename: string): boolean {
  if (condition === undefined || condition === typename) return true;
  const abstract = walk.schema.getType(condition);
  const object = walk.schema.getType(typename);
  return (
    !!abstract && isAbstractType(abstract) && isObjectType(object) && walk.schema.isSubType(abstract, object)
  );
}

/** The fields a selection set selects on an object of `typename`, fragments spread, by response key. */
function collectFields(
  walk: Walk,
  selectionSets: readonly SelectionSetNode[],
  typename: string,
  into = new Map<string, FieldNode[]>(),
): Map<string, FieldNode[]> {
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        into.set(key, [...(into.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (typeConditionMatches(walk, selection.typeCondition?.name.value, typename)) {
          collectFields(walk, [selection.selectionSet], typename, into);
        }
      } else {
        const fragment = walk.fragments.get(selection.name.value);
        if (!fragment) throw new Error(`fragment ${selection.name.value} is not in the document`);
        if (typeConditionMatches(walk, fragment.typeCondition.name.value, typename)) {
          collectFields(walk, [fragment.selectionSet], typename, into);
        }
      }
    }
  }
  return into;
}

/**
 * `fieldType`: the field's type in the schema. A result without `__typename` (urql leaves out the
 * ones it added) has the field's type, unless that is an interface.
 */
function walkValue(
  walk: Walk,
  value: unknown,
  fields: FieldNode[],
  fieldType: GraphQLNamedType | undefined,
  owner: string,
  path: string,
): void {
  if (value === null || value === undefined) {
    walk.leaf(owner, path, null);
    return;
  }
  if (Array.isArray(value)) {
    walk.leaf(owner, `${path}#`, value.length);
    value.forEach((item, index) => walkValue(walk, item, fields, fieldType, owner, `${path}.${index}`));
    return;
  }
  const selectionSets = fields.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  if (selectionSets.length === 0 || typeof value !== "object") {
    walk.leaf(owner, path, value);
    return;
  }
  const object = value as Record<string, unknown>;
  const typename = object.__typename ?? (isObjectType(fieldType) ? fieldType.name : undefined);
  if (typeof typename !== "string") throw new Error(`no __typename at ${owner} ${path}`);
  walkObject(walk, object, typename, selectionSets, owner, path);
}

function walkObject(
  walk: Walk,
  object: Record<string, unknown>,
  typename: string,
  selectionSets: readonly SelectionSetNode[],
  owner: string,
  path: string,
): void {
  let base = path;
  if (typeof object.id === "string" || typeof object.id === "number") {
    const entity = `${typename}:${object.id}`;
    walk.leaf(owner, path, `-> ${entity}`);
    owner = entity;
    base = "";
  }
  for (const [responseKey, nodes] of collectFields(walk, selectionSets, typename)) {
    const key = storeKey(nodes[0]!, walk.variables);
    const childPath = base === "" ? key : `${base}.${key}`;
    const child = object[responseKey];
    const name = nodes[0]!.name.value;
    const type = walk.schema.getType(typename);
    const fieldType = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name]?.type : undefined;
    // urql leaves out of its results the __typename fields it added to the document.
    if (child === undefined && name === "__typename") continue;
    if (child === undefined) walk.missing(`${typename}.${name} at ${owner} ${childPath}`);
    else walkValue(walk, child, nodes, fieldType && getNamedType(fieldType), owner, childPath);
  }
}

/** Walks an operation's result: every leaf with the entity (or root) holding it and its path there. */
function walkResult(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Variables | undefined,
  data: unknown,
  leaf: Walk["leaf"],
  missing: Walk["missing"],
): void {
  const operation = getOperationAST(document);
  if (!operation) throw new Error("the document has no single operation");
  const withDefaults: Variables = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (withDefaults[name] === undefined && definition.defaultValue) {
      withDefaults[name] = valueFromASTUntyped(definition.defaultValue, {});
    }
  }
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new Error(`the schema has no ${operation.operation} type`);
  const walk: Walk = { schema, fragments, variables: withDefaults, leaf, missing };
  if (data === null || data === undefined) return;
  walkObject(
    walk,
    data as Record<string, unknown>,
    rootType.name,
    [operation.selectionSet],
    ROOTS[operation.operation],
    "",
  );
}

export interface CacheComparison {
  /** "Type.field at Type:id path" of each selected field the cached result lacks. */
  missing: string[];
  /** "Type:id path: cache <value>, server last sent <value>" of each value that differs. */
  differing: string[];
}

export class SentValues {
  private readonly values = new Map<string, Map<string, unknown>>();

  constructor(private readonly schema: GraphQLSchema) {}

  /** Records a response or event of `document`: its values replace what earlier ones sent. */
  record(document: DocumentNode, variables: Variables | undefined, data: unknown): void {
    walkResult(
      this.schema,
      document,
      variables,
      data,
      (owner, path, value) => {
        let fields = this.values.get(owner);
        if (!fields) this.values.set(owner, (fields = new Map()));
        fields.set(path, value);
      },
      () => undefined,
    );
  }

  /** Compares a result read from a cache with what the server last sent for each of its values. */
  compare(document: DocumentNode, variables: Variables | undefined, data: unknown): CacheComparison {
    const comparison: CacheComparison = { missing: [], differing: [] };
    walkResult(
      this.schema,
      document,
      variables,
      data,
      (owner, path, value) => {
        const fields = this.values.get(owner);
        if (!fields?.has(path)) {
          comparison.differing.push(`${owner} ${path}: cache ${JSON.stringify(value)}, never sent`);
        } else if (!Object.is(fields.get(path), value)) {
          comparison.differing.push(
            `${owner} ${path}: cache ${JSON.stringify(value)}, server last sent ${JSON.stringify(fields.get(path))}`,
          );
        }
      },
      (where) => comparison.missing.push(where),
    );
    return comparison;
  }
}
