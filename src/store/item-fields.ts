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
  numberList(name: string): number[];
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

const isString = (v: unknown): v is string => typeof v === "string";
const isNumber = (v: unknown): v is number => typeof v === "number";
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isBinary = (v: unknown): v is Uint8Array => v instanceof Uint8Array;
const isList = (v: unknown): v is unknown[] => Array.isArray(v);

/**
 * Methods on a prototype, not closures per item: a cost record header decodes into dozens of
 * nested readers, and hundreds of headers are read per dashboard request.
 */
class FieldReader implements ItemFields {
  constructor(
    private readonly item: StoredItem,
    private readonly what: string,
  ) {}

  string(name: string): string {
    return this.typed(name, "a string", isString);
  }

  optionalString(name: string): string | undefined {
    return this.item[name] === undefined ? undefined : this.string(name);
  }

  number(name: string): number {
    return this.typed(name, "a number", isNumber);
  }

  optionalNumber(name: string): number | undefined {
    return this.item[name] === undefined ? undefined : this.number(name);
  }

  nullableNumber(name: string): number | null {
    return this.item[name] === null ? null : this.typed(name, "a number or null", isNumber);
  }

  boolean(name: string): boolean {
    return this.typed(name, "a boolean", isBoolean);
  }

  binary(name: string): Uint8Array {
    return this.typed(name, "binary", isBinary);
  }

  list(name: string): ItemFields[] {
    return this.typed(name, "a list", isList).map((v, i) =>
      isMap(v) ? new FieldReader(v, `${this.what}.${name}[${i}]`) : this.fail(`${name}[${i}]`, "a map"),
    );
  }

  optionalList(name: string): ItemFields[] | undefined {
    return this.item[name] === undefined ? undefined : this.list(name);
  }

  stringList(name: string): string[] {
    return this.typed(name, "a list", isList).map((v, i) =>
      isString(v) ? v : this.fail(`${name}[${i}]`, "a string"),
    );
  }

  numberList(name: string): number[] {
    return this.typed(name, "a list", isList).map((v, i) =>
      isNumber(v) ? v : this.fail(`${name}[${i}]`, "a number"),
    );
  }

  map(name: string): ItemFields {
    return new FieldReader(this.typed(name, "a map", isMap), `${this.what}.${name}`);
  }

  optionalMap(name: string): ItemFields | undefined {
    return this.item[name] === undefined ? undefined : this.map(name);
  }

  names(): string[] {
    return Object.keys(this.item);
  }

  private typed<T>(name: string, expected: string, check: (v: unknown) => v is T): T {
    const value = this.item[name];
    return check(value) ? value : this.fail(name, expected);
  }

  private fail(name: string, expected: string): never {
    throw new CorruptItemError(`${this.what}: field "${name}" is missing or not ${expected}`);
  }
}

/** `what` names the item in errors, e.g. `cost record CLIENT#acme/COST#AWS#2026-01-02`. */
export function itemFields(item: StoredItem, what: string): ItemFields {
  return new FieldReader(item, what);
}
