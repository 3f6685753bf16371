/**
 * A cost record's content hash: SHA-256 of its canonical JSON (sorted keys) without the collection
 * metadata and version, which change on every run, nor the data quality, which is derived from the
 * content and the collection time (its timeliness grows by the minute for the last two days). Equal
 * hashes mean a re-collection found nothing new, so the store writes nothing and no stream event
 * fires; the stored quality and collection metadata keep describing the run that stored the content.
 */
import { createHash } from "node:crypto";
import type { UnifiedCostRecord } from "../domain/cost-record.js";

function canonicalJson(value: unknown): string {
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value);
}

export function costRecordContentHash(record: UnifiedCostRecord): string {
  const { collection: _collection, version: _version, dataQuality: _dataQuality, ...content } = record;
  return createHash("sha256").update(canonicalJson(content)).digest("hex");
}
