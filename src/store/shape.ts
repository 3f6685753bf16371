/**
 * One declaration per stored entity shape serves both directions: `encodeShape` picks exactly the
 * declared fields (absent optionals stay absent) and `decodeShape` reads them back with type checks.
 * Declaring a shape once keeps toItem and fromItem from drifting apart.
 */
import { itemFields, type ItemFields } from "./item-fields.js";
import type { StoredItem } from "./query.js";

export type FieldKind =
  | "string"
  | "string?"
  | "number"
  | "number?"
  | "number|null"
  | "boolean"
  | "string[]"
  | "number[]"
  | { list: Shape<object> }
  | { map: Shape<object>; optional?: true };

/** Every property of T must be declared, optional ones included. */
export type Shape<T> = { readonly [K in keyof T]-?: FieldKind };

export function encodeShape<T extends object>(shape: Shape<T>, value: T): StoredItem {
  const out: StoredItem = {};
  for (const [name, kind] of Object.entries(shape) as [string, FieldKind][]) {
    const field = (value as Record<string, unknown>)[name];
    if (field === undefined) continue;
    if (typeof kind === "string") out[name] = field;
    else if ("list" in kind)
      out[name] = (field as object[]).map((element) => encodeShape(kind.list, element));
    else out[name] = encodeShape(kind.map, field as object);
  }
  return out;
}

function decodeField(fields: ItemFields, name: string, kind: FieldKind): unknown {
  switch (kind) {
    case "string":
      return fields.string(name);
    case "string?":
      return fields.optionalString(name);
    case "number":
      return fields.number(name);
    case "number?":
      return fields.optionalNumber(name);
    case "number|null":
      return fields.nullableNumber(name);
    case "boolean":
      return fields.boolean(name);
    case "string[]":
      return fields.stringList(name);
    case "number[]":
      return fields.numberList(name);
  }
  if ("list" in kind) return fields.list(name).map((element) => decodeShape(kind.list, element));
  const map = kind.optional ? fields.optionalMap(name) : fields.map(name);
  return map === undefined ? undefined : decodeShape(kind.map, map);
}

export function decodeShape<T extends object>(shape: Shape<T>, fields: ItemFields): T {
  const out: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(shape) as [string, FieldKind][]) {
    const value = decodeField(fields, name, kind);
    if (value !== undefined) out[name] = value;
  }
  return out as T;
}

/** Decodes a whole stored item; `what` names it in errors. */
export function decodeItem<T extends object>(shape: Shape<T>, item: StoredItem, what: string): T {
  return decodeShape(shape, itemFields(item, what));
}
