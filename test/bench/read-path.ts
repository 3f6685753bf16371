/**
 * Read path: loads the dataset, then times three dashboard shapes over HTTP from a load generator in
 * its own process (load-generator.ts), side by side with two hand-written baselines: the direct
 * SDK reads made in the generator itself, and the same reads behind a minimal HTTP JSON endpoint.
 * GraphQL runs warm (the read cache holds the answer) and cold (no read cache: every read as the
 * first after a change), and with DataLoaders off; each variant's DynamoDB requests and items are
 * counted for a single request. Then costForecast and costAnomalies for one client of the same
 * data (insight-path.ts).
 */
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  DashboardDocument,
  MonthlySeriesDocument,
  PortfolioMonthlyDocument,
} from "../e2e/generated/graphql.js";
import {
  addDays,
  addMonths,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
  type DayRange,
} from "../../src/domain/dates.js";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { clockStartingOn } from "../../src/shared/clock.js";
import { DynamoRequestCounter } from "../support/dynamo-request-counter.js";
import { DATASET_END, loadReadDataset, type LoadedDataset } from "./bench-data.js";
import {
  BENCH_DYNAMO_TIMEOUT_MS,
  drainStream,
  graphqlRequest,
  startBenchServer,
  type BenchServer,
} from "./bench-server.js";
import { startHttpBaseline, type HttpBaseline } from "./http-baseline.js";
import { runInsightPath, type InsightPathReport } from "./insight-path.js";
import { LoadGenerator, type LoadOperation } from "./load-generator.js";
import { combineSamples, type LoadResult, type LoadSample } from "./measure.js";
import { DirectReads, type DirectReadCall } from "./read-baseline.js";
import type { BenchSettings } from "./settings.js";

export type ReadVariant =
  "graphql-warm" | "graphql-cold" | "baseline" | "baseline-http" | "graphql-dataloader-off";
export const READ_VARIANTS: readonly ReadVariant[] = [
  "graphql-warm",
  "graphql-cold",
  "baseline",
  "baseline-http",
  "graphql-dataloader-off",
];

export interface ReadCount {
  scenario: string;
  variant: ReadVariant;
  dynamoRequests: number;
  itemsRead: number;
}

export interface ReadRun extends LoadResult {
  scenario: string;
  variant: ReadVariant;
}

export interface ReadPathReport {
  dataset: LoadedDataset & { recordsPerSecond: number };
  periods: { dashboard: DayRange; year: DayRange };
  counts: ReadCount[];
  runs: ReadRun[];
  /** costForecast and costAnomalies for one client of this data (insight-path.ts). */
  insights: InsightPathReport;
}

/** A read scenario: the GraphQL operation, the direct reads that answer the same, and the total of each. */
interface Scenario {
  name: string;
  /** The clients the caller's token may read. */
  readers: string[];
  document: TypedDocumentNode<unknown, Record<string, unknown>>;
  variables: Record<string, unknown>;
  totalOf: (data: never) => number;
  call: DirectReadCall;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
const seriesTotal = (series: readonly { points: readonly { cost: { amount: number } }[] }[]) =>
  sum(series.flatMap((s) => s.points.map((p) => p.cost.amount)));
const TOP_SERVICES = 10;
const WARMUP_OPERATIONS = 2;

export function readPeriods(): { dashboard: DayRange; year: DayRange } {
  const lastWholeMonth = addMonths(monthOf(DATASET_END), -1);
  return {
    dashboard: { start: addDays(DATASET_END, -89), end: DATASET_END },
    year: { start: firstDayOfMonth(addMonths(lastWholeMonth, -11)), end: lastDayOfMonth(lastWholeMonth) },
  };
}

function scenarios(clientIds: string[]): Scenario[] {
  const { dashboard, year } = readPeriods();
  const [one] = clientIds as [string];
  const typed = <T, V>(document: TypedDocumentNode<T, V>) =>
    document as unknown as TypedDocumentNode<unknown, Record<string, unknown>>;
  return [
    {
      name: "(a) dashboard: 1 client, 90 days",
      readers: [one],
      document: typed(DashboardDocument),
      variables: { clientId: one, period: dashboard, top: TOP_SERVICES },
      totalOf: (data: { client: { costSummary: { total: { amount: number } } } }) =>
        data.client.costSummary.total.amount,
      call: { read: "dashboard", clientId: one, period: dashboard, top: TOP_SERVICES },
    },
    {
      name: `(b) portfolio: ${clientIds.length} clients x 12 months`,
      readers: clientIds,
      document: typed(PortfolioMonthlyDocument),
      variables: { period: year, first: clientIds.length },
      totalOf: (data: {
        clients: { edges: { node: { costTimeSeries: Parameters<typeof seriesTotal>[0] } }[] };
      }) => sum(data.clients.edges.map((edge) => seriesTotal(edge.node.costTimeSeries))),
      call: { read: "portfolio", clientIds, year },
    },
    {
      name: "(c) monthly series: 1 client, 12 months",
      readers: [one],
      document: typed(MonthlySeriesDocument),
      variables: { clientId: one, period: year },
      totalOf: (data: { client: { costTimeSeries: Parameters<typeof seriesTotal>[0] } }) =>
        seriesTotal(data.client.costTimeSeries),
      call: { read: "monthlySeries", clientId: one, year },
    },
  ];
}

interface ReadTargets {
  servers: Record<"warm" | "cold" | "off", BenchServer>;
  http: HttpBaseline;
  direct: DirectReads;
  endpoint: string;
  tablePrefix: string;
}

/** Each variant of a scenario: the operation the generator repeats, and one call made from here. */
async function variantsOf(scenario: Scenario, targets: ReadTargets) {
  const viaGraphql = async (server: BenchServer) => {
    const token = await server.token({ roles: ["viewer"], clientIds: scenario.readers });
    const operation: LoadOperation = {
      kind: "http",
      url: server.url,
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(scenario.document), variables: scenario.variables }),
    };
    const request = graphqlRequest(server.url, scenario.document, scenario.variables, token);
    return { operation, once: async () => scenario.totalOf((await request()) as never) };
  };
  const token = await targets.servers.cold.token({ roles: ["viewer"], clientIds: scenario.readers });
  const direct = async () => (await targets.direct.run(scenario.call)).total;
  const variants: Record<ReadVariant, { operation: LoadOperation; once: () => Promise<number> }> = {
    "graphql-warm": await viaGraphql(targets.servers.warm),
    "graphql-cold": await viaGraphql(targets.servers.cold),
    baseline: {
      operation: {
        kind: "direct",
        endpoint: targets.endpoint,
        tablePrefix: targets.tablePrefix,
        call: scenario.call,
      },
      once: direct,
    },
    "baseline-http": {
      operation: {
        kind: "http",
        url: targets.http.url,
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(scenario.call),
      },
      // The same DirectReads answer it; its total is the direct one's.
      once: direct,
    },
    "graphql-dataloader-off": await viaGraphql(targets.servers.off),
  };
  return variants;
}

/**
 * Times every variant in two halves, in the order A B C then C B A, so a background load that
 * rises or falls during the measurement weighs on each variant alike (the ratios are the point).
 */
async function compareVariants(
  generator: LoadGenerator,
  operations: Record<ReadVariant, LoadOperation>,
  concurrency: number,
  seconds: number,
  scenario: string,
): Promise<ReadRun[]> {
  const samples = new Map<ReadVariant, LoadSample[]>(READ_VARIANTS.map((variant) => [variant, []]));
  for (const [half, order] of [READ_VARIANTS, [...READ_VARIANTS].reverse()].entries()) {
    for (const variant of order) {
      const sample = await generator.run({
        operation: operations[variant],
        concurrency,
        seconds: seconds / 2,
        warmupOperations: half === 0 ? WARMUP_OPERATIONS : 0,
      });
      samples.get(variant)?.push(sample);
    }
  }
  return READ_VARIANTS.map((variant) => ({
    scenario,
    variant,
    ...combineSamples(concurrency, samples.get(variant) ?? []),
  }));
}

/** DynamoDB requests and items of one call, and its answer's total. */
async function countOne(counter: DynamoRequestCounter, operation: () => Promise<number>) {
  counter.reset();
  const total = await operation();
  return { total, dynamoRequests: counter.requests(), itemsRead: counter.itemsRead() };
}

export async function runReadPath(
  endpoint: string,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<ReadPathReport> {
  const tablePrefix = "bench-read-";
  // Today is the dataset's last day for every server: the forecast's history ends there.
  const runtime = { clock: clockStartingOn(DATASET_END) };
  const cold = await startBenchServer({ endpoint, tablePrefix, runtime, env: { READ_CACHE_MB: "0" } });
  const off = await startBenchServer({ endpoint, tablePrefix, runtime, env: { DATALOADER: "off" } });
  const baselineClients = createDynamoClients({ endpoint, requestTimeoutMs: BENCH_DYNAMO_TIMEOUT_MS });
  const baselineCounter = new DynamoRequestCounter().attach(baselineClients.lowLevel);
  const names = tableNames(tablePrefix);
  const http = await startHttpBaseline({
    doc: baselineClients.doc,
    names,
    secret: cold.config.auth.jwtSecret,
  });
  const generator = LoadGenerator.start();
  let warm: BenchServer | undefined;
  try {
    const stores = cold.runtime.services.stores;
    log(
      `read path: loading ${settings.clients} clients x 3 providers x ${settings.days} days through upsertDays ...`,
    );
    const dataset = await loadReadDataset(stores.costs, {
      clients: settings.clients,
      days: settings.days,
      onProgress: (written, total) => log(`read path: ${written} of ${total} records written`),
    });
    for (const id of dataset.clientIds) {
      await stores.clients.create({
        id,
        name: `Client ${id}`,
        reportingCurrency: "USD",
        createdAt: new Date().toISOString(),
      });
    }
    log(`read path: ${dataset.records} records written in ${dataset.writeSeconds.toFixed(1)} s`);
    // The warm server follows the stream (its read cache needs to); it reads the load's changes first.
    warm = await startBenchServer({
      endpoint,
      tablePrefix,
      runtime,
      env: { STREAM_CONSUMER: "on", ANOMALY_DETECTION: "off", READ_CACHE_SETTLE_MS: "0" },
    });
    log("read path: the warm server reads the stream up to now ...");
    await drainStream(warm);
    const targets: ReadTargets = {
      servers: { warm, cold, off },
      http,
      direct: new DirectReads(baselineClients.doc, names),
      endpoint,
      tablePrefix,
    };
    const counters: Record<ReadVariant, DynamoRequestCounter> = {
      "graphql-warm": warm.counter,
      "graphql-cold": cold.counter,
      baseline: baselineCounter,
      "baseline-http": baselineCounter,
      "graphql-dataloader-off": off.counter,
    };
    const counts: ReadCount[] = [];
    const runs: ReadRun[] = [];
    for (const scenario of scenarios(dataset.clientIds)) {
      const variants = await variantsOf(scenario, targets);
      // The warm variant's count is of a repeated call: the first fills the cache.
      await variants["graphql-warm"].once();
      const totals: number[] = [];
      for (const variant of READ_VARIANTS) {
        const one = await countOne(counters[variant], variants[variant].once);
        totals.push(one.total);
        counts.push({
          scenario: scenario.name,
          variant,
          dynamoRequests: one.dynamoRequests,
          itemsRead: one.itemsRead,
        });
      }
      if (
        totals.some(
          (total) => Math.abs(total - (totals[0] ?? 0)) > 1e-6 * Math.max(1, Math.abs(totals[0] ?? 0)),
        )
      ) {
        throw new Error(`${scenario.name}: the variants disagree on the total (${totals.join(", ")})`);
      }
      const operations = Object.fromEntries(
        READ_VARIANTS.map((variant) => [variant, variants[variant].operation]),
      ) as Record<ReadVariant, LoadOperation>;
      for (const concurrency of settings.concurrency) {
        log(`read path: ${scenario.name}, concurrency ${concurrency}`);
        runs.push(
          ...(await compareVariants(generator, operations, concurrency, settings.seconds, scenario.name)),
        );
      }
    }
    const [insightClient] = dataset.clientIds as [string];
    const insights = await runInsightPath({ warm, cold }, insightClient, generator, settings, log);
    return {
      dataset: { ...dataset, recordsPerSecond: dataset.records / dataset.writeSeconds },
      periods: readPeriods(),
      counts,
      runs,
      insights,
    };
  } finally {
    await generator.stop();
    await http.stop();
    baselineClients.lowLevel.destroy();
    await warm?.stop();
    await off.stop();
    await cold.stop();
  }
}
