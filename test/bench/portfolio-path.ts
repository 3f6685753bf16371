/**
 * Portfolio path: a 12-month portfolio (each client's total against the 12 months before) for 12
 * and for 100 clients, read two ways over HTTP on the same data: `portfolio`, one Query per month
 * bucket on the rollups' date index whatever the number of clients, and the per-client baseline,
 * `clients { costSummary }`, which asks for each client's 24 monthly rollups by key (BatchGetItem,
 * 100 keys a call). Each client stores one thin day a month of the year (a transaction each: 100
 * clients take about a minute to load on DynamoDB Local).
 */
import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { DayRange } from "../../src/domain/dates.js";
import { addMonths } from "../../src/domain/dates.js";
import { buildCostRecords } from "../../src/domain/normalize.js";
import { createExchangeRateTable } from "../../src/domain/currency.js";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { PortfolioDocument } from "../e2e/generated/graphql.js";
import { benchClientId } from "./bench-data.js";
import { graphqlRequest, startBenchServer } from "./bench-server.js";
import { combineSamples, sampleLoad, timed, type LoadResult } from "./measure.js";
import type { BenchSettings } from "./settings.js";

export const PORTFOLIO_CLIENT_COUNTS = [12, 100] as const;
export type PortfolioVariant = "portfolio (index)" | "per-client costSummary";
const VARIANTS: readonly PortfolioVariant[] = ["portfolio (index)", "per-client costSummary"];

/** Twelve whole months (2025-04 .. 2026-03) and, before them, the twelve they are compared with. */
const YEAR: DayRange = { start: "2025-04-01", end: "2026-03-31" };
/** Data in the year only: the 12 months before are read all the same (and found empty). */
const MONTHS = Array.from({ length: 12 }, (_, i) => addMonths("2025-04", i));

/** The same figures, client by client: each costSummary reads its own 24 monthly rollups by key. */
const PER_CLIENT: TypedDocumentNode<
  { clients: { edges: { node: { id: string } }[] } },
  { period: DayRange }
> = parse(`query PerClient($period: DateRangeInput!) {
  clients(first: 100) { edges { node { id costSummary(period: $period) { total { amount } previousTotal { amount } } } } } }`);

export interface PortfolioRun extends LoadResult {
  clients: number;
  variant: PortfolioVariant;
  dynamoRequests: number;
  itemsRead: number;
}

export interface PortfolioPathReport {
  period: DayRange;
  runs: PortfolioRun[];
}

/** One small record (one line) per client and month, its amount growing with the client's index. */
function thinRecords(clientIds: readonly string[]): UnifiedCostRecord[] {
  return clientIds.flatMap((clientId, index) =>
    buildCostRecords({
      clientId,
      provider: "AWS",
      reportingCurrency: "USD",
      lines: MONTHS.map((month, m) => ({
        date: `${month}-15`,
        serviceName: "Amazon Elastic Compute Cloud - Compute",
        accountId: "111122223333",
        region: "us-east-1",
        chargeCategory: "Usage" as const,
        billedCost: Math.round((100 + index * 7) * (1 + m / 50) * 100) / 100,
        billingCurrency: "USD",
        estimated: false,
      })),
      daysCovered: MONTHS.map((month) => `${month}-15`),
      rates: createExchangeRateTable([]),
      collection: {
        jobId: "bench-portfolio",
        collectedAt: "2026-04-01T06:00:00.000Z",
        sourceApi: "aws:bench",
        apiRequests: 1,
      },
      retentionDays: 3650,
      now: new Date("2026-04-01T06:00:00.000Z"),
    }),
  );
}

export async function runPortfolioPath(
  endpoint: string,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<PortfolioPathReport> {
  const runs: PortfolioRun[] = [];
  for (const clients of PORTFOLIO_CLIENT_COUNTS) {
    const server = await startBenchServer({
      endpoint,
      tablePrefix: `bench-portfolio-${clients}-`,
      // 100 clients' costSummary in one query passes the default cost limit (5000).
      env: { MAX_QUERY_COMPLEXITY: "50000" },
    });
    try {
      const stores = server.runtime.services.stores;
      const clientIds = Array.from({ length: clients }, (_, i) => benchClientId(i));
      for (const id of clientIds) {
        await stores.clients.create({
          id,
          name: `Client ${id}`,
          reportingCurrency: "USD",
          createdAt: "2024-01-01T00:00:00.000Z",
        });
      }
      const write = await timed(() => stores.costs.upsertDays(thinRecords(clientIds), { concurrency: 16 }));
      log(
        `portfolio path: ${clients} clients x ${MONTHS.length} months written in ${write.seconds.toFixed(1)} s`,
      );
      const token = await server.token({ roles: ["admin"] });
      const portfolio = graphqlRequest(server.url, PortfolioDocument, { period: YEAR, first: 100 }, token);
      const perClient = graphqlRequest(server.url, PER_CLIENT, { period: YEAR }, token);
      const operations: Record<PortfolioVariant, () => Promise<number>> = {
        "portfolio (index)": async () => (await portfolio()).portfolio.edges.length,
        "per-client costSummary": async () => (await perClient()).clients.edges.length,
      };
      for (const variant of VARIANTS) {
        server.counter.reset();
        const answered = await operations[variant]();
        if (answered !== clients) throw new Error(`${variant}: ${answered} clients answered, not ${clients}`);
        const counted = { dynamoRequests: server.counter.requests(), itemsRead: server.counter.itemsRead() };
        log(`portfolio path: ${clients} clients, ${variant}`);
        const sample = await sampleLoad(operations[variant], {
          concurrency: 1,
          seconds: settings.seconds / 2,
          warmupOperations: 2,
        });
        runs.push({ clients, variant, ...counted, ...combineSamples(1, [sample]) });
      }
    } finally {
      await server.stop();
    }
  }
  return { period: YEAR, runs };
}
