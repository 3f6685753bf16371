/**
 * A cost record as items: one HEADER (`COST#p#day`, with the GSI attributes) holding everything but
 * the lines, and LINE CHUNK items (`LINES#p#day#nnn`) holding the lines gzipped as Binary. Summary
 * and breakdown reads touch only the small header; items over 400 KB can never occur because the
 * gzipped lines are cut into chunks of at most LINE_CHUNK_BYTES, and when even the marginal lists
 * make the header too big they move into the chunk payload too (`detailInChunks`).
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { CostLine, CostRecordHeader, UnifiedCostRecord } from "../domain/cost-record.js";
import { CorruptItemError, RecordTooLargeError } from "./errors.js";
import { itemFields } from "./item-fields.js";
import { itemSize } from "./item-size.js";
import { keys } from "./keys.js";
import type { StoredItem } from "./query.js";
import { decodeItem, decodeShape, encodeShape } from "./shape.js";
import {
  COST_LINE,
  COST_RECORD_DETAIL,
  COST_RECORD_STORAGE,
  COST_RECORD_SUMMARY,
  type CostRecordDetail,
  type CostRecordStorage,
  type CostRecordSummary,
} from "./cost-record-shapes.js";

export const LINE_CHUNK_BYTES = 300_000;
export const HEADER_MAX_BYTES = 350_000;

/** What the header item holds: the summary, the detail when it fits, and the storage bookkeeping. */
export interface StoredCostHeader {
  summary: CostRecordSummary;
  /** Absent when `storage.detailInChunks`: then it is in the chunk payload. */
  detail?: CostRecordDetail;
  storage: CostRecordStorage;
}

/** The gzipped JSON inside the chunks: the lines, plus the detail when the header could not hold it. */
interface ChunkPayload {
  lines: unknown[];
  detail?: unknown;
}

export interface LineChunk {
  provider: string;
  date: string;
  version: number;
  chunkIndex: number;
  chunkCount: number;
  payload: Uint8Array;
}

export interface CostRecordItems {
  header: StoredItem;
  chunks: StoredItem[];
}

const headerName = (r: { clientId: string; provider: string; date: string }) =>
  `cost record ${r.clientId}/${r.provider}/${r.date}`;

export function costRecordToItems(
  record: UnifiedCostRecord,
  version: number,
  contentHash: string,
): CostRecordItems {
  const { clientId, provider, date } = record;
  const base = {
    ...keys.costRecord(clientId, provider, date),
    ...keys.costRecordIndexes(clientId, provider, date),
    entity: "COST_RECORD",
    ...encodeShape(COST_RECORD_SUMMARY, { ...record, version }),
  };
  const detail = encodeShape(COST_RECORD_DETAIL, record);
  const detailInChunks = itemSize({ ...base, ...detail }) > HEADER_MAX_BYTES;
  const payload: ChunkPayload = {
    lines: record.lines.map((line) => encodeShape(COST_LINE, line)),
    ...(detailInChunks ? { detail } : {}),
  };
  const blobs =
    payload.lines.length > 0 || detailInChunks ? splitBytes(gzipSync(JSON.stringify(payload))) : [];
  const storage: CostRecordStorage = {
    lineChunks: blobs.length,
    lineCount: record.lines.length,
    contentHash,
    detailInChunks,
  };
  const header = { ...base, ...(detailInChunks ? {} : detail), ...encodeShape(COST_RECORD_STORAGE, storage) };
  if (itemSize(header) > HEADER_MAX_BYTES) {
    throw new RecordTooLargeError(
      `${headerName(record)}: header is ${itemSize(header)} bytes even without its marginal lists (limit ${HEADER_MAX_BYTES})`,
    );
  }
  const chunks = blobs.map((blob, chunkIndex) => ({
    ...keys.costLines(clientId, provider, date, chunkIndex),
    entity: "COST_LINES",
    clientId,
    provider,
    date,
    version,
    chunkIndex,
    chunkCount: blobs.length,
    payload: blob,
    expiresAt: record.expiresAt,
  }));
  return { header, chunks };
}

function splitBytes(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += LINE_CHUNK_BYTES) {
    parts.push(bytes.subarray(offset, offset + LINE_CHUNK_BYTES));
  }
  return parts;
}

export function costHeaderFromItem(item: StoredItem): StoredCostHeader {
  const what = headerName({
    clientId: String(item.clientId),
    provider: String(item.provider),
    date: String(item.date),
  });
  const storage = decodeItem(COST_RECORD_STORAGE, item, what);
  return {
    summary: decodeItem(COST_RECORD_SUMMARY, item, what),
    ...(storage.detailInChunks ? {} : { detail: decodeItem(COST_RECORD_DETAIL, item, what) }),
    storage,
  };
}

export function lineChunkFromItem(item: StoredItem): LineChunk {
  const fields = itemFields(item, `line chunk ${String(item.PK)}/${String(item.SK)}`);
  return {
    provider: fields.string("provider"),
    date: fields.string("date"),
    version: fields.number("version"),
    chunkIndex: fields.number("chunkIndex"),
    chunkCount: fields.number("chunkCount"),
    payload: fields.binary("payload"),
  };
}

/** Raised when chunks do not match their header: read while a writer replaced them. Callers re-read. */
export class TornReadError extends Error {}

export interface DecodedChunks {
  lines: CostLine[];
  detail?: CostRecordDetail;
}

/** Reassembles one day's chunks, checking they are complete and of the expected version. */
export function decodeChunks(
  chunks: readonly LineChunk[],
  expected: { version: number; count: number },
): DecodedChunks {
  const ordered = [...chunks].sort((a, b) => a.chunkIndex - b.chunkIndex);
  const complete =
    ordered.length === expected.count &&
    ordered.every(
      (c, i) => c.chunkIndex === i && c.version === expected.version && c.chunkCount === expected.count,
    );
  if (!complete) throw new TornReadError(`line chunks do not match header version ${expected.version}`);
  if (ordered.length === 0) return { lines: [] };
  const what = `line chunks ${ordered[0]?.provider}/${ordered[0]?.date}`;
  const parsed: unknown = JSON.parse(
    gunzipSync(Buffer.concat(ordered.map((c) => c.payload))).toString("utf8"),
  );
  if (typeof parsed !== "object" || parsed === null)
    throw new CorruptItemError(`${what}: payload is not an object`);
  const fields = itemFields(parsed as Record<string, unknown>, what);
  const detail = fields.optionalMap("detail");
  return {
    lines: fields.list("lines").map((line) => decodeShape(COST_LINE, line)),
    ...(detail ? { detail: decodeShape(COST_RECORD_DETAIL, detail) } : {}),
  };
}

/** The public header: summary plus detail (from the header item, or from the chunks when moved). */
export function headerRecord(stored: StoredCostHeader, chunkDetail?: CostRecordDetail): CostRecordHeader {
  const detail = stored.detail ?? chunkDetail;
  if (!detail) throw new CorruptItemError(`${headerName(stored.summary)}: marginal lists are missing`);
  return { ...stored.summary, services: detail.services, accounts: detail.accounts, regions: detail.regions };
}
