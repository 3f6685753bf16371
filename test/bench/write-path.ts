/**
 * Write path: a 13-month, 3-provider backfill from the sandbox's simulators through the real
 * collection service (connect, triggerCollection, wait), then the very items it stored (read back
 * with Scan) written again into fresh tables with plain BatchWriteItem calls: the direct baseline;
 * and what each index adds to the writes of a stored day, from those items.
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
import { DATASET_SIZE } from "./bench-data.js";
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
    const backfill = await timed(async () => {
      const job = await collections.triggerCollection({ clientId: CLIENT_ID, period, requestedBy: "bench" });
      return collections.waitForJob(job.id);
    });
    const job = backfill.result;
    if (!job) throw new Error("write path: the backfill job did not finish in this process");
    const records = job.providers.reduce((sum, p) => sum + p.recordsWritten, 0);
    // A snapshot row is per (operation, table): a transaction over both tables has two rows.
    const operations = new Set(server.counter.snapshot().map((row) => row.operation));
    const dynamoRequests = Object.fromEntries(
      [...operations].map((operation) => [operation, server.counter.requests({ operation })]),
    );

    log("write path: writing the same items directly with BatchWriteItem ...");
    const source = tableNames(tablePrefix);
    const target = tableNames("bench-direct-");
    await ensureTables(plain.lowLevel, target);
    const isCostItem = (item: StoredItem) => /^(COST|LINES)#/.test(String(item.SK));
    const dataItems = (await scanAll(plain.doc, source.data)).filter(isCostItem);
    const rollupItems = await scanAll(plain.doc, source.timeseries);
    const directWrite = await timed(() =>
      Promise.all([
        writeDirect(direct.doc, target.data, dataItems),
        writeDirect(direct.doc, target.timeseries, rollupItems),
      ]),
    );
    // Each transaction writes a month's rollup once, however many days it carries.
    const indexes = indexWriteCost(dataItems, rollupItems, dynamoRequests.TransactWriteItems ?? 0);
    const directRecords = dataItems.filter((item) => String(item.SK).startsWith("COST#")).length;
    return {
      period,
      backfill: {
        status: job.status,
        seconds: backfill.seconds,
        records,
        recordsPerSecond: records / backfill.seconds,
        apiRequests: Object.fromEntries(job.providers.map((p) => [p.provider, p.apiRequests])) as Record<
          CloudProvider,
          number
        >,
        dynamoRequests,
        dynamoWriteRequests: WRITE_OPERATIONS.reduce((sum, op) => sum + (dynamoRequests[op] ?? 0), 0),
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
    direct.lowLevel.destroy();
    plain.lowLevel.destroy();
    await server.stop();
    await clouds.stop();
  }
}
