/**
 * DynamoDB's item size, computed the way its documentation counts it: attribute names plus values,
 * numbers at about one byte per two digits plus one, 3 bytes of overhead per list/map and 1 per
 * element. Used to decide when a record must be split and whether a transaction fits 4 MB.
 */
import { NumberValue } from "@aws-sdk/lib-dynamodb";

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

function numberSize(text: string): number {
  const digits = text.replace(/^-/, "").replace(/e.*$/i, "").replace(".", "").replace(/^0+/, "");
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1;
}

export function attributeValueSize(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === "boolean") return 1;
  if (typeof value === "string") return utf8(value);
  if (typeof value === "number") return numberSize(String(value));
  if (value instanceof NumberValue) return numberSize(value.value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce<number>((sum, v) => sum + 1 + attributeValueSize(v), 3);
  if (typeof value === "object") {
    return Object.entries(value).reduce((sum, [k, v]) => sum + utf8(k) + 1 + attributeValueSize(v), 3);
  }
  throw new TypeError(`cannot size a ${typeof value}`);
}

export function itemSize(item: Record<string, unknown>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + utf8(name) + attributeValueSize(value), 0);
}
