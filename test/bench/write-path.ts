/**
 * Write path: a 13-month, 3-provider backfill from the sandbox's simulators through the real
 * collection service (connect, triggerCollection, wait), with the billing API requests it spent, and
 * those of a daily refresh after it (the month to date, the window providers restate). Then the
 * storage stage alone: the same size of data stored through upsertDays into fresh tables, and the
 * very items it stored (read back with Scan) written again with plain BatchWriteItem calls.
 * And what each index adds to the writes of a stored day, from the items the backfill stored.
 */
import { paginateScan, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { SANDBOX_EXCHANGE_RATES_FILE } from "../../src/sandbox/exchange-rates.js";
import { addDays, dayOfInstant, type DayRange } from "../../src/domain/dates.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import { startDemoClouds } from "../../src/sandbox/demo-tenant.js";
import { batchWriteAll, BATCH_WRITE_LIMIT } from "../../src/store/batch.js";
import { ensureTables } from "../../src/store/bootstrap.js";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import type { StoredItem } from "../../src/store/query.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { DynamoRequestCounter } from "../support/dynamo-request-counter.js";
import { DATASET_SIZE, datasetDays, providerRecords } from "./bench-data.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import { firstDayOfMonth, monthOf } from "../../src/domain/dates.js";
import { createStores } from "../../src/services.js";
import { BENCH_DYNAMO_TIMEOUT_MS, startBenchServer } from "./bench-server.js";
import { indexWriteCost, type IndexWriteCost } from "./index-cost.js";
import { timed } from "./measure.js";
import type { BenchSettings } from "./settings.js";

const CLIENT_ID = "backfill-client";
/** BatchWriteItem calls in flight at once (the collector has up to 3 providers x 8 upserts in flight). */
const DIRECT_CONCURRENCY = 16;
const WRITE_OPERATIONS = ["TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"];

export interface WritePathReport {
  period: DayRange;
  backfill: {
    status: string;
    seconds: number;
    records: number;
    recordsPerSecond: number;
    /** Billing API requests per provider, as the job counted them. */
    apiRequests: Record<CloudProvider, number>;
    /** DynamoDB requests by operation (the collector's reads included). */
    dynamoRequests: Record<string, number>;
    dynamoWriteRequests: number;
  };
  /** A daily refresh after the backfill: the month to date collected again. */
  refresh: { period: DayRange; status: string; seconds: number; apiRequests: Record<CloudProvider, number> };
  /** The storage stage alone: records stored through upsertDays (idempotent, with exact rollups). */
  upsert: {
    seconds: number;
    records: number;
    recordsPerSecond: number;
    dynamoRequests: Record<string, number>;
  };
  /** The same items as the upsert stored, written with plain BatchWriteItem. */
  direct: {
    seconds: number;
    records: number;
    items: number;
    recordsPerSecond: number;
    batchWriteRequests: number;
  };
  /** What each index adds to a stored day's writes (index-cost.ts). */
  indexes: IndexWriteCost;
}

async function scanAll(doc: DynamoDBDocumentClient, table: string): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  for await (const page of paginateScan({ client: doc }, { TableName: table }))
    items.push(...(page.Items ?? []));
  return items;
}

/** Writes the items `DIRECT_CONCURRENCY` BatchWriteItem calls at a time. */
async function writeDirect(doc: DynamoDBDocumentClient, table: string, items: StoredItem[]): Promise<void> {
  const chunks: StoredItem[][] = [];
  for (let i = 0; i < items.length; i += BATCH_WRITE_LIMIT)
    chunks.push(items.slice(i, i + BATCH_WRITE_LIMIT));
  let next = 0;
  const worker = async () => {
    for (let chunk = chunks[next++]; chunk; chunk = chunks[next++]) {
      await batchWriteAll(
        doc,
        table,
        chunk.map((Item) => ({ PutRequest: { Item } })),
      );
    }
  };
  await Promise.all(Array.from({ length: DIRECT_CONCURRENCY }, worker));
}

const apiRequestsOf = (job: { providers: { provider: CloudProvider; apiRequests: number }[] }) =>
  Object.fromEntries(job.providers.map((p) => [p.provider, p.apiRequests])) as Record<CloudProvider, number>;

/** Requests by operation (a transaction over both tables counts once). */
function requestsByOperation(counter: DynamoRequestCounter): Record<string, number> {
  const operations = new Set(counter.snapshot().map((row) => row.operation));
  return Object.fromEntries([...operations].map((operation) => [operation, counter.requests({ operation })]));
}

export async function runWritePath(
  endpoint: string,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<WritePathReport> {
  const clouds = await startDemoClouds({ size: DATASET_SIZE });
  const tablePrefix = "bench-write-";
  const server = await startBenchServer({
    endpoint,
    tablePrefix,
    runtime: { adapterDefaults: { trustedCertificates: clouds.trustedCertificates } },
  });
  const plain = createDynamoClients({ endpoint, requestTimeoutMs: BENCH_DYNAMO_TIMEOUT_MS });
  const direct = createDynamoClients({ endpoint, requestTimeoutMs: BENCH_DYNAMO_TIMEOUT_MS });
  const directCounter = new DynamoRequestCounter().attach(direct.lowLevel);
  const upserting = createDynamoClients({ endpoint, requestTimeoutMs: BENCH_DYNAMO_TIMEOUT_MS });
  const upsertCounter = new DynamoRequestCounter().attach(upserting.lowLevel);
  try {
    const { clientManager, collections, exchangeRates } = server.runtime.services;
    await exchangeRates.loadFile(SANDBOX_EXCHANGE_RATES_FILE);
    await clientManager.createClient(
      { sub: "bench" },
      { id: CLIENT_ID, name: "Backfill", reportingCurrency: "USD" },
    );
    await clouds.connect((input) => clientManager.connectProvider(input), CLIENT_ID);
    const today = dayOfInstant(new Date());
    const period = { start: addDays(today, 1 - settings.backfillDays), end: today };
    log(`write path: backfilling ${period.start}..${period.end} from the three simulators ...`);
    server.counter.reset();
    const collect = async (window: DayRange) => {
      const job = await collections.triggerCollection({
        clientId: CLIENT_ID,
        period: window,
        requestedBy: "bench",
      });
      const done = await collections.waitForJob(job.id);
      if (!done) throw new Error("write path: a collection job did not finish in this process");
      return done;
    };
    const backfill = await timed(() => collect(period));
    const job = backfill.result;
    const records = job.providers.reduce((sum, p) => sum + p.recordsWritten, 0);
    const dynamoRequests = requestsByOperation(server.counter);
    const refreshPeriod = { start: firstDayOfMonth(monthOf(today)), end: today };
    log(`write path: a daily refresh, ${refreshPeriod.start}..${refreshPeriod.end} ...`);
    const refresh = await timed(() => collect(refreshPeriod));

    log("write path: the storage stage: the same size of data through upsertDays ...");
    const stored = tableNames("bench-upsert-");
    await ensureTables(plain.lowLevel, stored);
    const days = datasetDays(settings.backfillDays);
    const toStore = CLOUD_PROVIDERS.flatMap((provider) => providerRecords("storage", provider, days));
    const upsert = await timed(() =>
      createStores(upserting.doc, stored).costs.upsertDays(toStore, { concurrency: DIRECT_CONCURRENCY }),
    );

    log("write path: writing the same items directly with BatchWriteItem ...");
    const target = tableNames("bench-direct-");
    await ensureTables(plain.lowLevel, target);
    const isCostItem = (item: StoredItem) => /^(COST|LINES)#/.test(String(item.SK));
    const dataItems = (await scanAll(plain.doc, stored.data)).filter(isCostItem);
    const rollupItems = await scanAll(plain.doc, stored.timeseries);
    const directWrite = await timed(() =>
      Promise.all([
        writeDirect(direct.doc, target.data, dataItems),
        writeDirect(direct.doc, target.timeseries, rollupItems),
      ]),
    );
    // Each transaction writes a month's rollup once, however many days it carries.
    const upsertRequests = requestsByOperation(upsertCounter);
    const indexes = indexWriteCost(dataItems, rollupItems, upsertRequests.TransactWriteItems ?? 0);
    const directRecords = dataItems.filter((item) => String(item.SK).startsWith("COST#")).length;
    return {
      period,
      backfill: {
        status: job.status,
        seconds: backfill.seconds,
        records,
        recordsPerSecond: records / backfill.seconds,
        apiRequests: apiRequestsOf(job),
        dynamoRequests,
        dynamoWriteRequests: WRITE_OPERATIONS.reduce((sum, op) => sum + (dynamoRequests[op] ?? 0), 0),
      },
      refresh: {
        period: refreshPeriod,
        status: refresh.result.status,
        seconds: refresh.seconds,
        apiRequests: apiRequestsOf(refresh.result),
      },
      upsert: {
        seconds: upsert.seconds,
        records: toStore.length,
        recordsPerSecond: toStore.length / upsert.seconds,
        dynamoRequests: upsertRequests,
      },
      direct: {
        seconds: directWrite.seconds,
        records: directRecords,
        items: dataItems.length + rollupItems.length,
        recordsPerSecond: directRecords / directWrite.seconds,
        batchWriteRequests: directCounter.requests({ operation: "BatchWriteItem" }),
      },
      indexes,
    };
  } finally {
    upserting.lowLevel.destroy();
    direct.lowLevel.destroy();
    plain.lowLevel.destroy();
    await server.stop();
    await clouds.stop();
  }
}
