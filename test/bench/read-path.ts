/**
 * Read path: loads the dataset, then times three dashboard shapes over HTTP, side by side with
 * the direct-SDK baseline and with DataLoaders off, and counts each one's DynamoDB requests and
 * items read for a single request; then times costForecast for one client of the same data
 * (forecast-path.ts).
 */
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
import { DynamoRequestCounter } from "../support/dynamo-request-counter.js";
import { DATASET_END, loadReadDataset, type LoadedDataset } from "./bench-data.js";
import {
  BENCH_DYNAMO_TIMEOUT_MS,
  graphqlRequest,
  startBenchServer,
  type BenchServer,
} from "./bench-server.js";
import { runForecastPath, type ForecastPathReport } from "./forecast-path.js";
import { combineSamples, sampleLoad, type LoadResult, type LoadSample } from "./measure.js";
import { DirectReads } from "./read-baseline.js";
import type { BenchSettings } from "./settings.js";

export type ReadVariant = "graphql" | "baseline" | "graphql-dataloader-off";
export const READ_VARIANTS: readonly ReadVariant[] = ["graphql", "baseline", "graphql-dataloader-off"];

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
  /** costForecast for one client of this data (forecast-path.ts). */
  forecast: ForecastPathReport;
}

/** A read scenario: the GraphQL call and the direct baseline, each resolving to the answer's total. */
interface Scenario {
  name: string;
  /** The clients the caller's token may read. */
  readers: string[];
  graphql: (url: string, token: string) => () => Promise<number>;
  baseline: () => Promise<number>;
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

function scenarios(direct: DirectReads, clientIds: string[]): Scenario[] {
  const { dashboard, year } = readPeriods();
  const [one] = clientIds as [string];
  return [
    {
      name: "(a) dashboard: 1 client, 90 days",
      readers: [one],
      graphql: (url, token) => {
        const variables = { clientId: one, period: dashboard, top: TOP_SERVICES };
        const call = graphqlRequest(url, DashboardDocument, variables, token);
        return async () => (await call()).client!.costSummary.total.amount;
      },
      baseline: async () => (await direct.dashboard(one, dashboard, TOP_SERVICES)).total,
    },
    {
      name: `(b) portfolio: ${clientIds.length} clients x 12 months`,
      readers: clientIds,
      graphql: (url, token) => {
        const variables = { period: year, first: clientIds.length };
        const call = graphqlRequest(url, PortfolioMonthlyDocument, variables, token);
        return async () =>
          sum((await call()).clients.edges.map((edge) => seriesTotal(edge.node.costTimeSeries)));
      },
      baseline: async () => (await direct.portfolio(clientIds, year)).total,
    },
    {
      name: "(c) monthly series: 1 client, 12 months",
      readers: [one],
      graphql: (url, token) => {
        const call = graphqlRequest(url, MonthlySeriesDocument, { clientId: one, period: year }, token);
        return async () => seriesTotal((await call()).client!.costTimeSeries);
      },
      baseline: async () => (await direct.monthlySeries(one, year)).total,
    },
  ];
}

/** The scenario's operation per variant: GraphQL with DataLoaders on and off, and the baseline. */
async function operationsOf(
  scenario: Scenario,
  servers: Record<"on" | "off", BenchServer>,
): Promise<Record<ReadVariant, () => Promise<number>>> {
  const graphqlAt = async (server: BenchServer) =>
    scenario.graphql(server.url, await server.token({ roles: ["viewer"], clientIds: scenario.readers }));
  return {
    graphql: await graphqlAt(servers.on),
    baseline: scenario.baseline,
    "graphql-dataloader-off": await graphqlAt(servers.off),
  };
}

/**
 * Times every variant in two halves, in the order A B C then C B A, so a background load that
 * rises or falls during the measurement weighs on each variant alike (the ratios are the point).
 */
async function compareVariants(
  operations: Record<ReadVariant, () => Promise<number>>,
  concurrency: number,
  seconds: number,
  scenario: string,
): Promise<ReadRun[]> {
  const samples = new Map<ReadVariant, LoadSample[]>(READ_VARIANTS.map((variant) => [variant, []]));
  for (const [half, order] of [READ_VARIANTS, [...READ_VARIANTS].reverse()].entries()) {
    for (const variant of order) {
      const warmupOperations = half === 0 ? WARMUP_OPERATIONS : 0;
      const sample = await sampleLoad(operations[variant], {
        concurrency,
        seconds: seconds / 2,
        warmupOperations,
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
  const servers = {
    on: await startBenchServer({ endpoint, tablePrefix }),
    off: await startBenchServer({ endpoint, tablePrefix, env: { DATALOADER: "off" } }),
  };
  const baselineClients = createDynamoClients({ endpoint, requestTimeoutMs: BENCH_DYNAMO_TIMEOUT_MS });
  const baselineCounter = new DynamoRequestCounter().attach(baselineClients.lowLevel);
  try {
    const stores = servers.on.runtime.services.stores;
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
    const counters: Record<ReadVariant, DynamoRequestCounter> = {
      graphql: servers.on.counter,
      baseline: baselineCounter,
      "graphql-dataloader-off": servers.off.counter,
    };
    const direct = new DirectReads(baselineClients.doc, tableNames(tablePrefix));
    const counts: ReadCount[] = [];
    const runs: ReadRun[] = [];
    for (const scenario of scenarios(direct, dataset.clientIds)) {
      const operations = await operationsOf(scenario, servers);
      const totals: number[] = [];
      for (const variant of READ_VARIANTS) {
        const one = await countOne(counters[variant], operations[variant]);
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
      for (const concurrency of settings.concurrency) {
        log(`read path: ${scenario.name}, concurrency ${concurrency}`);
        runs.push(...(await compareVariants(operations, concurrency, settings.seconds, scenario.name)));
      }
    }
    const [forecastClient] = dataset.clientIds as [string];
    const forecast = await runForecastPath(endpoint, tablePrefix, forecastClient, settings, log);
    return {
      dataset: { ...dataset, recordsPerSecond: dataset.records / dataset.writeSeconds },
      periods: readPeriods(),
      counts,
      runs,
      forecast,
    };
  } finally {
    baselineClients.lowLevel.destroy();
    await servers.off.stop();
    await servers.on.stop();
  }
}
