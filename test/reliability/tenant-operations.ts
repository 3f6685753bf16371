/**
 * Generates, from the built schema, one operation per field that takes or returns a tenant's data:
 * every Query/Mutation/Subscription field with a `clientId` or `id` argument, an input with a
 * `clientId`, or a result that reaches a Client or a type carrying `clientId`; and every field of
 * Client (reached through `client(id:)`). A field added later is attacked without editing a list.
 */
import {
  astFromValue,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  print,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from "graphql";

export interface TenantTarget {
  clientId: string;
  /**
   * Ids of the tenant's other entities: by the type a root field returns (for its `id`), or by the
   * name of the argument or input field that takes one (e.g. `anomalyId`).
   */
  ids: Record<string, string>;
  /** A day inside the tenant's data, for every Date argument. */
  day: string;
}

export interface TenantOperation {
  /** "Query.client", "Client.costSummary", ... */
  field: string;
  kind: "query" | "mutation" | "subscription";
  document: string;
  /**
   * A query that names no tenant: it answers across the caller's own tenants (clients, portfolio),
   * so it must answer, and hold nothing of another tenant.
   */
  callerWide: boolean;
}

/** Argument values a generated one cannot provide (valid credentials), by field; the tenant's id is added. */
export type ArgumentSamples = Record<string, Record<string, unknown>>;

const MAX_SELECTION_DEPTH = 4;
const TENANT_ARGUMENTS = new Set(["clientId", "id", "ids"]);

function ownsTenantData(type: GraphQLNamedType, seen = new Set<string>()): boolean {
  if (!isObjectType(type) || seen.has(type.name)) return false;
  seen.add(type.name);
  const fields = Object.values(type.getFields());
  return (
    type.name === "Client" ||
    fields.some((field) => field.name === "clientId") ||
    fields.some((field) => ownsTenantData(getNamedType(field.type), seen))
  );
}

function inputHasClientId(type: GraphQLInputType): boolean {
  const named = getNamedType(type);
  return isInputObjectType(named) && "clientId" in named.getFields();
}

const namesTenant = (field: GraphQLField<unknown, unknown>): boolean =>
  field.args.some((arg) => TENANT_ARGUMENTS.has(arg.name) || inputHasClientId(arg.type));

/** True when the root field takes a tenant's id or returns a tenant's data. */
export function isTenantScoped(field: GraphQLField<unknown, unknown>): boolean {
  return namesTenant(field) || ownsTenantData(getNamedType(field.type));
}

/** A value for a required input, the tenant's id wherever a client id goes. */
function sampleValue(type: GraphQLInputType, name: string, target: TenantTarget, idFor: string): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, name, target, idFor);
  if (isListType(type)) return [sampleValue(type.ofType, name, target, idFor)];
  if (name === "clientId") return target.clientId;
  if (name in target.ids) return target.ids[name];
  if (name === "id" || name === "ids") return idFor;
  // A month is a String in the form YYYY-MM (costByInvoiceMonth): the target day's.
  if (name === "month") return target.day.slice(0, 7);
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter(
      (f) => f.name === "clientId" || isNonNullType(f.type),
    );
    return Object.fromEntries(fields.map((f) => [f.name, sampleValue(f.type, f.name, target, idFor)]));
  }
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isScalarType(type)) {
    const byScalar: Record<string, unknown> = { Date: target.day, Int: 5, Float: 1, Boolean: false };
    return byScalar[type.name] ?? "x";
  }
  throw new Error(`no sample for ${String(type)}`);
}

function argumentsOf(
  args: readonly GraphQLArgument[],
  target: TenantTarget,
  idFor: string,
  sample: Record<string, unknown> = {},
): string {
  const given = args.filter(
    (arg) => arg.name in sample || isNonNullType(arg.type) || TENANT_ARGUMENTS.has(arg.name),
  );
  if (given.length === 0) return "";
  const printed = given.map((arg) => {
    const generated = sampleValue(arg.type, arg.name, target, idFor);
    const given = sample[arg.name];
    const value = !(arg.name in sample)
      ? generated
      : typeof given === "object" && given !== null
        ? { ...given, ...(inputHasClientId(arg.type) ? { clientId: target.clientId } : {}) }
        : given;
    const ast = astFromValue(value, arg.type);
    if (!ast) throw new Error(`cannot print ${arg.name}`);
    return `${arg.name}: ${print(ast)}`;
  });
  return `(${printed.join(", ")})`;
}

/** Every field without required arguments, to MAX_SELECTION_DEPTH; empty for leaves. */
function selectionOf(type: GraphQLNamedType, depth = 0): string {
  // An interface (Node): its id and type name, which a refused lookup must not answer.
  if (isInterfaceType(type)) return `{ id __typename }`;
  if (!isObjectType(type)) return "";
  const fields = Object.values(type.getFields())
    .filter((field) => !field.args.some((arg) => isNonNullType(arg.type)))
    .map((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named) && !isInterfaceType(named)) return field.name;
      if (depth + 1 >= MAX_SELECTION_DEPTH) return "";
      const inner = selectionOf(named, depth + 1);
      return inner ? `${field.name} ${inner}` : "";
    })
    .filter(Boolean);
  return `{ ${fields.length > 0 ? fields.join(" ") : "__typename"} }`;
}

function idForReturn(field: GraphQLField<unknown, unknown>, target: TenantTarget): string {
  const returned = getNamedType(field.type).name;
  if (returned === "Client") return target.clientId;
  const id = target.ids[field.name] ?? target.ids[returned];
  if (!field.args.some((arg) => arg.name === "id")) return target.clientId;
  if (!id) throw new Error(`${field.name}(id:) returns ${returned}: give the tenant's ${returned} id`);
  return id;
}

export function tenantOperations(
  schema: GraphQLSchema,
  target: TenantTarget,
  samples: ArgumentSamples = {},
): TenantOperation[] {
  const roots: [TenantOperation["kind"], GraphQLObjectType | null | undefined][] = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ];
  const operations: TenantOperation[] = [];
  for (const [kind, root] of roots) {
    for (const field of Object.values(root?.getFields() ?? {}).filter(isTenantScoped)) {
      const name = `${root!.name}.${field.name}`;
      const args = argumentsOf(field.args, target, idForReturn(field, target), samples[name]);
      const selection = selectionOf(getNamedType(field.type));
      operations.push({
        field: name,
        kind,
        document: `${kind} { ${field.name}${args} ${selection} }`,
        callerWide: kind === "query" && !namesTenant(field),
      });
    }
  }
  const client = schema.getType("Client");
  if (!isObjectType(client)) throw new Error("the schema has no Client type");
  for (const field of Object.values(client.getFields())) {
    const args = argumentsOf(field.args, target, target.clientId, samples[`Client.${field.name}`]);
    const selection = selectionOf(getNamedType(field.type));
    operations.push({
      field: `Client.${field.name}`,
      kind: "query",
      document: `query { client(id: ${JSON.stringify(target.clientId)}) { ${field.name}${args} ${selection} } }`,
      callerWide: false,
    });
  }
  return operations;
}

/** Root fields that are not about any tenant (admin-wide settings); the test lists them explicitly. */
export function unscopedRootFields(schema: GraphQLSchema): string[] {
  return [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((root) =>
    Object.values(root?.getFields() ?? {})
      .filter((field) => !isTenantScoped(field))
      .map((field) => `${root!.name}.${field.name}`),
  );
}
