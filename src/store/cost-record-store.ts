/**
 * Cost records: idempotent day upserts (cost-record-upsert.ts) and every read the API needs. Header
 * reads never touch the line chunks, except for the rare record whose marginal lists had to move
 * there (`detailInChunks`): those are reassembled transparently.
 */
import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { monthOf } from "../domain/dates.js";
import { validateCostRecord } from "../domain/validation.js";
import type { CostLine, CostRecordHeader, IsoDay, UnifiedCostRecord } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import type { ProviderDayCost } from "../domain/portfolio.js";
import { ValidationError } from "../domain/validation.js";
import { keyedRead, type KeyedRead } from "./batch.js";
import {
  costHeaderFromItem,
  decodeChunks,
  headerRecord,
  lineChunkFromItem,
  TornReadError,
  type LineChunk,
  type StoredCostHeader,
} from "./cost-record-item.js";
import { upsertCostRecordsOfMonth, type UpsertResult } from "./cost-record-upsert.js";
import {
  checkClientProviderRange,
  checkDayRange,
  checkProvider,
  checkRecordKey,
  throwIfIssues,
} from "./input.js";
import { itemFields } from "./item-fields.js";
import { keys } from "./keys.js";
import { queryAll, type StoredItem } from "./query.js";
import type { TableNames } from "./table-definitions.js";

export type { UpsertResult } from "./cost-record-upsert.js";

export interface CostRecordKey {
  clientId: string;
  provider: CloudProvider;
  date: IsoDay;
}

/** Reads that met chunks of another version (a writer in between) are retried this often. */
const TORN_READ_ATTEMPTS = 4;
/** Months written at once by upsertDays (each writes its transactions one after another). */
export const DEFAULT_UPSERT_CONCURRENCY = 4;
/** Above every chunk number keys.costLines can produce ("#999"), so a day's chunks sort below it. */
const LAST_CHUNK = 999;

/**
 * Input indexes grouped by client and month (whatever the providers: a round moves each day's
 * rollup once for all of them), each group in rounds in which a (provider, day) occurs once; rounds
 * keep the input order of a repeated day.
 */
function monthGroups(records: readonly UnifiedCostRecord[]): number[][][] {
  const groups = new Map<string, number[][]>();
  records.forEach((record, index) => {
    const key = `${record.clientId}\u0000${monthOf(record.date)}`;
    const rounds = groups.get(key) ?? [];
    groups.set(key, rounds);
    const same = (other: number) =>
      records[other]!.date === record.date && records[other]!.provider === record.provider;
    const free = rounds.find((round) => !round.some(same));
    if (free) free.push(index);
    else rounds.push([index]);
  });
  return [...groups.values()];
}

/** Runs a read again when it met chunks of another version (a writer came in between). */
async function retryTornReads<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof TornReadError) || attempt >= TORN_READ_ATTEMPTS) throw error;
    }
  }
}

export class CostRecordStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly names: TableNames;
  private readonly now: () => Date;
  private readonly onWritten: ((clientId: string) => void) | undefined;
  private readonly indexPageLimit: number | undefined;
  private readonly read: KeyedRead;

  /** `indexPageLimit`: items per index Query page (DynamoDB's 1 MB when absent); tests page with it. */
  constructor(options: {
    doc: DynamoDBDocumentClient;
    names: TableNames;
    now?: () => Date;
    /** Told after days of a client may have been committed (this process's read cache drops it). */
    onWritten?: (clientId: string) => void;
    indexPageLimit?: number;
  }) {
    this.doc = options.doc;
    this.names = options.names;
    this.now = options.now ?? (() => new Date());
    this.onWritten = options.onWritten;
    this.indexPageLimit = options.indexPageLimit;
    this.read = keyedRead(options.doc);
  }

  /**
   * Upserts many days, results in input order. Every record is validated before anything is
   * written. Days are written per client and month (a round under each provider's write lease:
   * a read of headers per provider and of rollups, one small transaction moving the rollups and
   * BatchWriteItem of the changed items, see cost-record-upsert.ts), `concurrency` months at a
   * time; a day given twice is written twice, in input order. After a failure no new month
   * starts; the ones in flight finish, then the first error is thrown.
   */
  async upsertDays(
    records: readonly UnifiedCostRecord[],
    options: { concurrency?: number } = {},
  ): Promise<UpsertResult[]> {
    for (const record of records) throwIfIssues(validateCostRecord(record));
    const groups = monthGroups(records);
    const results: UpsertResult[] = new Array(records.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async () => {
      while (!failure && next < groups.length) {
        const group = groups[next++]!;
        try {
          for (const round of group) {
            try {
              const written = await upsertCostRecordsOfMonth(
                this.context(),
                round.map((index) => records[index]!),
              );
              round.forEach((index, i) => (results[index] = written[i]!));
            } finally {
              // Also after a failure: the round's earlier transactions stay committed.
              this.onWritten?.(records[round[0]!]!.clientId);
            }
          }
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    const concurrency = Math.max(
      1,
      Math.min(options.concurrency ?? DEFAULT_UPSERT_CONCURRENCY, groups.length),
    );
    await Promise.all(Array.from({ length: concurrency }, worker));
    if (failure) throw failure.error;
    return results;
  }

  private context() {
    return { doc: this.doc, names: this.names, now: this.now };
  }

  /**
   * Headers (records without lines) in request order, null where missing; BatchGetItem, 100 keys a
   * call, or shared with other reads through `read`.
   */
  async getHeaders(
    recordKeys: readonly CostRecordKey[],
    read: KeyedRead = this.read,
  ): Promise<(CostRecordHeader | null)[]> {
    const itemKeys = recordKeys.map((key, i) => {
      const { clientId, provider, date } = checkRecordKey(key, `keys[${i}].`);
      return keys.costRecord(clientId, provider, date);
    });
    return this.toHeaders(await read(this.names.data, itemKeys));
  }

  /** The full record, lines reassembled from the chunks; null when the day is not stored. */
  async getRecord(clientId: string, provider: CloudProvider, day: IsoDay): Promise<UnifiedCostRecord | null> {
    const key = checkRecordKey({ clientId, provider, date: day });
    return retryTornReads(async () => {
      const { Item } = await this.doc.send(
        new GetCommand({
          TableName: this.names.data,
          Key: keys.costRecord(key.clientId, key.provider, key.date),
        }),
      );
      if (!Item) return null;
      const stored = costHeaderFromItem(Item);
      const decoded = decodeChunks(await this.chunksOf(key), expectedChunks(stored));
      return { ...headerRecord(stored, decoded.detail), lines: decoded.lines };
    });
  }

  /**
   * Lines of many days of one client and provider, by day; days without lines are absent. One
   * paginated Query over the chunk items.
   */
  async getLines(
    clientId: string,
    provider: CloudProvider,
    start: IsoDay,
    end: IsoDay,
  ): Promise<Map<IsoDay, CostLine[]>> {
    const range = checkClientProviderRange(clientId, provider, start, end);
    return retryTornReads(async () => {
      const { items } = await queryAll(this.doc, {
        TableName: this.names.data,
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: {
          ":pk": keys.costLines(clientId, provider, range.start, 0).PK,
          ":from": keys.costLines(clientId, provider, range.start, 0).SK,
          ":to": keys.costLines(clientId, provider, range.end, LAST_CHUNK).SK,
        },
      });
      const byDay = new Map<IsoDay, LineChunk[]>();
      for (const chunk of items.map(lineChunkFromItem))
        byDay.set(chunk.date, [...(byDay.get(chunk.date) ?? []), chunk]);
      return new Map(
        [...byDay].map(([day, chunks]) => {
          const first = chunks[0] as LineChunk;
          return [day, decodeChunks(chunks, { version: first.version, count: first.chunkCount }).lines];
        }),
      );
    });
  }

  /**
   * One provider's stored days from `start` to `end` (one calendar month at most) across every
   * client, in date then client order: one Query on GSI1 (`PROVIDER#{p}#{month}`), followed to its
   * last page. Only the totals are projected: headers can be large, and a page ends at 1 MB.
   */
  async queryProviderAcrossClients(
    provider: CloudProvider,
    start: IsoDay,
    end: IsoDay,
  ): Promise<ProviderDayCost[]> {
    const checked = checkProvider(provider, "provider");
    const range = checkDayRange(start, end);
    if (monthOf(range.start) !== monthOf(range.end))
      throw new ValidationError("end", `${range.end} is not in the month of start ${range.start}`);
    const index = keys.costRecordIndexes("", checked, range.start);
    const { items } = await queryAll(this.doc, {
      TableName: this.names.data,
      IndexName: "GSI1",
      // "~" sorts after every character a safe client id may contain.
      KeyConditionExpression: "GSI1PK = :pk AND GSI1SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": index.GSI1PK, ":from": range.start, ":to": `${range.end}#~` },
      ProjectionExpression: "clientId, #date, #total, reportingCurrency",
      ExpressionAttributeNames: { "#date": "date", "#total": "total" },
      ...(this.indexPageLimit === undefined ? {} : { Limit: this.indexPageLimit }),
    });
    return items.map((item) => {
      const fields = itemFields(
        item,
        `cost record index entry ${String(item.clientId)}/${String(item.date)}`,
      );
      return {
        clientId: fields.string("clientId"),
        provider: checked,
        date: fields.string("date"),
        total: fields.number("total"),
        currency: fields.string("reportingCurrency"),
      };
    });
  }

  /**
   * Decodes header items in order. One whose marginal lists live in the chunks is re-read whole
   * (header and chunks, version-checked); null if it vanished meanwhile.
   */
  private async toHeaders(items: readonly (StoredItem | null)[]): Promise<(CostRecordHeader | null)[]> {
    return Promise.all(
      items.map(async (item) => {
        if (!item) return null;
        const stored = costHeaderFromItem(item);
        if (!stored.storage.detailInChunks) return headerRecord(stored);
        const { clientId, provider, date } = stored.summary;
        const record = await this.getRecord(clientId, provider, date);
        if (!record) return null;
        const { lines: _lines, ...header } = record;
        return header;
      }),
    );
  }

  private async chunksOf({ clientId, provider, date }: CostRecordKey): Promise<LineChunk[]> {
    const { items } = await queryAll(this.doc, {
      TableName: this.names.data,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: {
        ":pk": keys.costLines(clientId, provider, date, 0).PK,
        ":from": keys.costLines(clientId, provider, date, 0).SK,
        ":to": keys.costLines(clientId, provider, date, LAST_CHUNK).SK,
      },
    });
    return items.map(lineChunkFromItem);
  }
}

function expectedChunks(stored: StoredCostHeader): { version: number; count: number } {
  return { version: stored.summary.version, count: stored.storage.lineChunks };
}
