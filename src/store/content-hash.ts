/**
 * A cost record's content hash: SHA-256 of its canonical JSON (sorted keys) without the collection
 * metadata and version, which change on every run, nor the data quality, which is derived from the
 * content and the collection time (its timeliness grows by the minute for the last two days). Equal
 * hashes mean a re-collection found nothing new, so the store writes nothing and no stream event
 * fires; the stored quality and collection metadata keep describing the run that stored the content.
 */
import { createHash } from "node:crypto";
import type { UnifiedCostRecord } from "../domain/cost-record.js";

/** Sorted keys with their JSON spelling, per key set: a record's lines share a handful of key sets. */
const sortedKeysBySet = new Map<string, [string, string][]>();
const MAX_KEY_SETS = 1_000;

function sortedKeys(value: object): [string, string][] {
  const names = Object.keys(value);
  const set = names.join("\u0000");
  let sorted = sortedKeysBySet.get(set);
  if (!sorted) {
    sorted = [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, JSON.stringify(k)]);
    if (sortedKeysBySet.size < MAX_KEY_SETS) sortedKeysBySet.set(set, sorted);
  }
  return sorted;
}

/** JSON with every object's keys sorted and undefined members left out (as JSON.stringify does). */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    let out = "[";
    for (let i = 0; i < value.length; i++) {
      const member: unknown = value[i];
      out += `${i > 0 ? "," : ""}${member === undefined ? "null" : canonicalJson(member)}`;
    }
    return `${out}]`;
  }
  if (value !== null && typeof value === "object") {
    let out = "{";
    for (const [name, quoted] of sortedKeys(value)) {
      const member: unknown = (value as Record<string, unknown>)[name];
      if (member === undefined) continue;
      out += `${out.length > 1 ? "," : ""}${quoted}:${canonicalJson(member)}`;
    }
    return `${out}}`;
  }
  return JSON.stringify(value);
}

export function costRecordContentHash(record: UnifiedCostRecord): string {
  const { collection: _collection, version: _version, dataQuality: _dataQuality, ...content } = record;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}
