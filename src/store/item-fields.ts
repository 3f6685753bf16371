/**
 * Typed reads of stored items. fromItem functions go through these so a malformed item fails with
 * the field's name instead of leaking `undefined` into the domain.
 */
import { CorruptItemError } from "./errors.js";
import type { StoredItem } from "./query.js";

export interface ItemFields {
  string(name: string): string;
  optionalString(name: string): string | undefined;
  number(name: string): number;
  optionalNumber(name: string): number | undefined;
  nullableNumber(name: string): number | null;
  boolean(name: string): boolean;
  binary(name: string): Uint8Array;
  /** A list of maps, each read through its own ItemFields. */
  list(name: string): ItemFields[];
  optionalList(name: string): ItemFields[] | undefined;
  stringList(name: string): string[];
  map(name: string): ItemFields;
  optionalMap(name: string): ItemFields | undefined;
  /** The raw attribute names, for items with dynamic attributes (rollups). */
  names(): string[];
}

function isMap(value: unknown): value is StoredItem {
  return (
    typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)
  );
}

/** `what` names the item in errors, e.g. `cost record CLIENT#acme/COST#AWS#2026-01-02`. */
export function itemFields(item: StoredItem, what: string): ItemFields {
  const fail = (name: string, expected: string): never => {
    throw new CorruptItemError(`${what}: field "${name}" is missing or not ${expected}`);
  };
  const typed = <T>(name: string, expected: string, check: (v: unknown) => v is T): T => {
    const value = item[name];
    return check(value) ? value : fail(name, expected);
  };
  const isString = (v: unknown): v is string => typeof v === "string";
  const isNumber = (v: unknown): v is number => typeof v === "number";
  const isList = (v: unknown): v is unknown[] => Array.isArray(v);
  const toFields = (name: string, values: unknown[]) =>
    values.map((v, i) =>
      isMap(v) ? itemFields(v, `${what}.${name}[${i}]`) : fail(`${name}[${i}]`, "a map"),
    );
  return {
    string: (name) => typed(name, "a string", isString),
    optionalString: (name) => (item[name] === undefined ? undefined : typed(name, "a string", isString)),
    number: (name) => typed(name, "a number", isNumber),
    optionalNumber: (name) => (item[name] === undefined ? undefined : typed(name, "a number", isNumber)),
    nullableNumber: (name) => (item[name] === null ? null : typed(name, "a number or null", isNumber)),
    boolean: (name) => typed(name, "a boolean", (v): v is boolean => typeof v === "boolean"),
    binary: (name) => typed(name, "binary", (v): v is Uint8Array => v instanceof Uint8Array),
    list: (name) => toFields(name, typed(name, "a list", isList)),
    optionalList: (name) =>
      item[name] === undefined ? undefined : toFields(name, typed(name, "a list", isList)),
    stringList: (name) =>
      typed(name, "a list", isList).map((v, i) => (isString(v) ? v : fail(`${name}[${i}]`, "a string"))),
    map: (name) => itemFields(typed(name, "a map", isMap), `${what}.${name}`),
    optionalMap: (name) =>
      item[name] === undefined ? undefined : itemFields(typed(name, "a map", isMap), `${what}.${name}`),
    names: () => Object.keys(item),
  };
}

/** Drops undefined properties so an absent optional field stays absent in the item. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
