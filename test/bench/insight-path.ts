/**
 * Insight path: `Client.costForecast` (its period the month of the dataset's last day, so days remain
 * to forecast) and `Client.costAnomalies` for one client of the read path's data, from the load
 * generator. Warm: the read cache holds the forecast, so a call reads nothing; cold: a server without
 * the read cache, so every call reads the 400-day series and computes the forecast, as the first call
 * after a change does.
 */
import { parse, print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { firstDayOfMonth, lastDayOfMonth, monthOf, type DayRange } from "../../src/domain/dates.js";
import { MAX_DAILY_SERIES_DAYS } from "../../src/domain/limits.js";
import { DATASET_END } from "./bench-data.js";
import { graphqlRequest, type BenchServer } from "./bench-server.js";
import type { LoadGenerator } from "./load-generator.js";
import { combineSamples, type LoadResult } from "./measure.js";
import type { BenchSettings } from "./settings.js";

interface CostForecastQuery {
  client: {
    costForecast: {
      actual: { amount: number };
      expected: { amount: number };
      lower: { amount: number };
      upper: { amount: number };
      points: { date: string; expected: { amount: number } }[];
      accuracy: { method: string; mase: number | null; backtestWindows: number };
      basedOnDataUntil: string;
    };
  } | null;
}

interface CostForecastVariables {
  clientId: string;
  period: DayRange;
}

/** No operation of schema/operations asks for the forecast alone: the forecasts issue's fields, typed here. */
const CostForecastDocument = parse(/* GraphQL */ `
  query BenchCostForecast($clientId: ID!, $period: DateRangeInput!) {
    client(id: $clientId) {
      costForecast(period: $period) {
        actual {
          amount
        }
        expected {
          amount
        }
        lower {
          amount
        }
        upper {
          amount
        }
        points {
          date
          expected {
            amount
          }
        }
        accuracy {
          method
          mase
          backtestWindows
        }
        basedOnDataUntil
      }
    }
  }
`) as TypedDocumentNode<CostForecastQuery, CostForecastVariables>;

interface CostAnomaliesQuery {
  client: { costAnomalies: { edges: { node: { id: string } }[] } } | null;
}

const CostAnomaliesDocument = parse(/* GraphQL */ `
  query BenchCostAnomalies($clientId: ID!, $period: DateRangeInput!) {
    client(id: $clientId) {
      costAnomalies(period: $period, first: 20) {
        edges {
          node {
            id
            severity
            date
          }
        }
      }
    }
  }
`) as TypedDocumentNode<CostAnomaliesQuery, CostForecastVariables>;

const WARMUP_OPERATIONS = 3;

export interface InsightRun extends LoadResult {
  field: "costForecast" | "costAnomalies";
  variant: "warm" | "cold";
  /** DynamoDB requests and items read by one call of the variant. */
  dynamoRequests: number;
  itemsRead: number;
}

export interface InsightPathReport {
  clientId: string;
  period: DayRange;
  /** Days of stored history the forecast reads (the dataset's days, at most MAX_DAILY_SERIES_DAYS). */
  historyDays: number;
  /** Of the forecast: days forecast, the model picked, its backtest windows. */
  daysForecast: number;
  method: string;
  backtestWindows: number;
  runs: InsightRun[];
}

/** The period forecast: the month of the dataset's last day. */
export const forecastPeriod = (): DayRange => {
  const month = monthOf(DATASET_END);
  return { start: firstDayOfMonth(month), end: lastDayOfMonth(month) };
};

/** Both servers' today is the dataset's last day: the forecast's history is the 400 days up to it. */
export async function runInsightPath(
  servers: { warm: BenchServer; cold: BenchServer },
  clientId: string,
  generator: LoadGenerator,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<InsightPathReport> {
  const period = forecastPeriod();
  const variables = { clientId, period };
  const runs: InsightRun[] = [];
  let forecast: NonNullable<CostForecastQuery["client"]>["costForecast"] | undefined;
  for (const [field, document] of [
    ["costForecast", CostForecastDocument],
    ["costAnomalies", CostAnomaliesDocument],
  ] as const) {
    for (const variant of ["warm", "cold"] as const) {
      const server = servers[variant];
      const token = await server.token({ roles: ["viewer"], clientIds: [clientId] });
      const call = graphqlRequest(
        server.url,
        document as TypedDocumentNode<unknown, typeof variables>,
        variables,
        token,
      );
      const first = (await call()) as CostForecastQuery;
      if (field === "costForecast") {
        forecast = first.client?.costForecast;
        if (!forecast || forecast.basedOnDataUntil !== DATASET_END || forecast.points.length === 0) {
          throw new Error(`costForecast: no forecast from ${DATASET_END} (${JSON.stringify(forecast)})`);
        }
      }
      server.counter.reset();
      await call();
      const dynamoRequests = server.counter.requests();
      const itemsRead = server.counter.itemsRead();
      log(`insight path: ${field}, ${variant}, for ${settings.seconds} s`);
      const sample = await generator.run({
        operation: {
          kind: "http",
          url: server.url,
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: print(document), variables }),
        },
        concurrency: 1,
        seconds: settings.seconds,
        warmupOperations: WARMUP_OPERATIONS,
      });
      runs.push({ field, variant, dynamoRequests, itemsRead, ...combineSamples(1, [sample]) });
    }
  }
  return {
    clientId,
    period,
    historyDays: Math.min(settings.days, MAX_DAILY_SERIES_DAYS),
    daysForecast: forecast!.points.length,
    method: forecast!.accuracy.method,
    backtestWindows: forecast!.accuracy.backtestWindows,
    runs,
  };
}
