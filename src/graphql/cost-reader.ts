/**
 * Decides what to read for a cost question and hands it to the domain's aggregation. Rules:
 * - provider/category questions read rollups: whole months from MONTHLY items, the partial months
 *   at the edges from DAILY items, so a long range costs months, not days;
 * - service, account and region questions read the per-day record headers (marginal breakdowns);
 * - only a filter that crosses dimensions (e.g. accounts while breaking down by service) reads the
 *   joint lines.
 * All reads go through the request's DataLoaders.
 */
import { CLOUD_PROVIDERS, type CloudProvider } from "../domain/provider.js";
import type { UnifiedCostRecord } from "../domain/cost-record.js";
import { daysInRange, previousPeriod, splitRangeByMonth, type DayRange } from "../domain/dates.js";
import { validateDateRange } from "../domain/validation.js";
import {
  breakdown,
  needsJointLines,
  rollupsCanAnswer,
  summarize,
  timeSeries,
  type CostDimension,
  type CostFilter,
  type CostSource,
  type Granularity,
} from "../domain/aggregation.js";
import type { Loaders } from "./loaders.js";
import type { CostRecordHeader } from "../store/cost-record-store.js";

/** Any period: five years. */
export const MAX_PERIOD_DAYS = 5 * 366;
/** A DAILY series: 400 points. */
export const MAX_DAILY_SERIES_DAYS = 400;
/** WEEKLY: two years of weeks. */
export const MAX_WEEKLY_SERIES_DAYS = 2 * 366;

const providersOf = (filter: CostFilter): CloudProvider[] =>
  filter.providers && filter.providers.length > 0 ? [...new Set(filter.providers)] : [...CLOUD_PROVIDERS];

export function checkPeriod(period: DayRange, field = "period", maxDays = MAX_PERIOD_DAYS): DayRange {
  return validateDateRange(period, field, maxDays);
}

export class CostReader {
  /** Answers already asked in this request, so a prefetched question is computed once. */
  private readonly answers = new Map<string, Promise<unknown>>();

  constructor(private readonly loaders: Loaders) {}

  /** The answer to the question `key`, computed by `compute` the first time it is asked. */
  once<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let answer = this.answers.get(key) as Promise<T> | undefined;
    if (!answer) {
      // async: a synchronous throw (bad arguments) becomes a rejection like any other.
      answer = (async () => compute())();
      this.answers.set(key, answer);
    }
    return answer;
  }

  async summary(clientId: string, period: DayRange, filter: CostFilter) {
    const current = checkPeriod(period);
    const previous = previousPeriod(current);
    const [now, before] = await Promise.all([
      this.sources(clientId, current, filter),
      this.sources(clientId, previous, filter),
    ]);
    const summary = summarize(now, filter);
    const previousTotal = summarize(before, filter).total;
    return {
      period: current,
      previousPeriod: previous,
      total: summary.total,
      byProvider: summary.byProvider,
      previousTotal,
      changePercent:
        previousTotal === 0 ? null : ((summary.total - previousTotal) / Math.abs(previousTotal)) * 100,
    };
  }

  async breakdown(clientId: string, period: DayRange, by: CostDimension, filter: CostFilter, top?: number) {
    const range = checkPeriod(period);
    return breakdown(await this.sources(clientId, range, filter, by), by, {
      filter,
      ...(top === undefined ? {} : { top }),
    });
  }

  async timeSeries(
    clientId: string,
    period: DayRange,
    granularity: Granularity,
    filter: CostFilter,
    groupBy?: CostDimension,
  ) {
    const maxDays =
      granularity === "DAILY"
        ? MAX_DAILY_SERIES_DAYS
        : granularity === "WEEKLY"
          ? MAX_WEEKLY_SERIES_DAYS
          : MAX_PERIOD_DAYS;
    const range = checkPeriod(period, "period", maxDays);
    const sources = await this.sources(clientId, range, filter, groupBy, granularity !== "MONTHLY");
    return timeSeries(sources, { period: range, granularity, filter, ...(groupBy ? { groupBy } : {}) });
  }

  /**
   * The smallest set of stored items that answers the question. `daily` forces day resolution
   * (DAILY and WEEKLY series cannot use monthly rollups).
   */
  private async sources(
    clientId: string,
    period: DayRange,
    filter: CostFilter,
    by?: CostDimension,
    daily = false,
  ): Promise<CostSource[]> {
    if (rollupsCanAnswer(filter, by)) {
      const split = daily
        ? { fullMonths: [], edgeDays: daysInRange(period.start, period.end) }
        : splitRangeByMonth(period.start, period.end);
      const rollups = await this.loaders.rollup.loadMany([
        ...split.fullMonths.map((month) => ({ clientId, granularity: "MONTHLY" as const, period: month })),
        ...split.edgeDays.map((day) => ({ clientId, granularity: "DAILY" as const, period: day })),
      ]);
      return rollups.map(unwrap).filter((r) => r !== null);
    }
    return this.records(clientId, period, providersOf(filter), needsJointLines(filter, by));
  }

  private async records(
    clientId: string,
    period: DayRange,
    providers: CloudProvider[],
    withLines: boolean,
  ): Promise<UnifiedCostRecord[]> {
    const days = daysInRange(period.start, period.end);
    const headers = (
      await this.loaders.costHeader.loadMany(
        providers.flatMap((provider) => days.map((date) => ({ clientId, provider, date }))),
      )
    )
      .map(unwrap)
      .filter((h): h is CostRecordHeader => h !== null);
    if (!withLines) return headers.map((header) => ({ ...header, lines: [] }));
    const linesByProvider = new Map(
      await Promise.all(
        providers.map(
          async (provider) =>
            [provider, await this.loaders.lines.load({ clientId, provider, ...period })] as const,
        ),
      ),
    );
    return headers.map((header) => ({
      ...header,
      lines: linesByProvider.get(header.provider)?.get(header.date) ?? [],
    }));
  }
}

function unwrap<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}
