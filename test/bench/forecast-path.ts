/**
 * Forecast path: `Client.costForecast` for one client of the read path's data, its period the
 * month of the dataset's last day (so days remain to forecast). The server caches a finished
 * forecast by the series it came from, so the first call computes it (cold) and the calls after it
 * read the series and hit the cache (warm): the target is the warm p50.
 */
import { parse } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { firstDayOfMonth, lastDayOfMonth, monthOf, type DayRange } from "../../src/domain/dates.js";
import { MAX_DAILY_SERIES_DAYS } from "../../src/domain/limits.js";
import { clockStartingOn } from "../../src/shared/clock.js";
import { DATASET_END } from "./bench-data.js";
import { graphqlRequest, startBenchServer } from "./bench-server.js";
import { combineSamples, sampleLoad, timed, type LoadResult } from "./measure.js";
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

const WARMUP_OPERATIONS = 3;

export interface ForecastPathReport extends LoadResult {
  clientId: string;
  period: DayRange;
  /** Days of stored history the forecast reads (the dataset's days, at most MAX_DAILY_SERIES_DAYS). */
  historyDays: number;
  /** The first call: reads the series and computes the forecast (backtests included). */
  coldMs: number;
  /** DynamoDB requests and items read by one warm call (the series is read on every call). */
  dynamoRequests: number;
  itemsRead: number;
  /** Of the answer: days forecast, the model picked, its backtest windows. */
  daysForecast: number;
  method: string;
  backtestWindows: number;
}

/** The period forecast: the month of the dataset's last day. */
export const forecastPeriod = (): DayRange => {
  const month = monthOf(DATASET_END);
  return { start: firstDayOfMonth(month), end: lastDayOfMonth(month) };
};

/**
 * Runs on the read path's tables once its data is loaded, with a server of its own whose today is
 * the dataset's last day: the forecast's history is the 400 days up to the server's today, and the
 * days after the data are what it forecasts.
 */
export async function runForecastPath(
  endpoint: string,
  tablePrefix: string,
  clientId: string,
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<ForecastPathReport> {
  const server = await startBenchServer({
    endpoint,
    tablePrefix,
    runtime: { clock: clockStartingOn(DATASET_END) },
  });
  try {
    const period = forecastPeriod();
    const token = await server.token({ roles: ["viewer"], clientIds: [clientId] });
    const call = graphqlRequest(server.url, CostForecastDocument, { clientId, period }, token);
    const forecast = async () => {
      const answer = (await call()).client?.costForecast;
      if (!answer || answer.basedOnDataUntil !== DATASET_END || answer.points.length === 0) {
        throw new Error(`costForecast: no forecast from ${DATASET_END} (${JSON.stringify(answer)})`);
      }
      return answer;
    };
    log(`forecast path: costForecast ${period.start}..${period.end} for ${clientId}, cold call ...`);
    const cold = await timed(forecast);
    log(`forecast path: warm calls for ${settings.seconds} s`);
    server.counter.reset();
    await forecast();
    const dynamoRequests = server.counter.requests();
    const itemsRead = server.counter.itemsRead();
    const sample = await sampleLoad(forecast, {
      concurrency: 1,
      seconds: settings.seconds,
      warmupOperations: WARMUP_OPERATIONS,
    });
    return {
      clientId,
      period,
      historyDays: Math.min(settings.days, MAX_DAILY_SERIES_DAYS),
      coldMs: cold.seconds * 1000,
      dynamoRequests,
      itemsRead,
      ...combineSamples(1, [sample]),
      daysForecast: cold.result.points.length,
      method: cold.result.accuracy.method,
      backtestWindows: cold.result.accuracy.backtestWindows,
    };
  } finally {
    await server.stop();
  }
}
