/**
 * Cost answers from stored items: each question is planned (cost-read-plan.ts), its items are read
 * through the request's batched sources, and the domain's aggregation computes the answer. An
 * answer asked twice in a request (a field and its read-ahead) is computed once, and with a read
 * cache it is kept for later requests until the client's data changes.
 */
import {
  breakdown,
  summarize,
  timeSeries,
  type CostDimension,
  type CostFilter,
  type CostSource,
  type Granularity,
} from "../../domain/aggregation.js";
import type {
  CostLine,
  CostRecordHeader,
  IsoDay,
  IsoMonth,
  UnifiedCostRecord,
} from "../../domain/cost-record.js";
import {
  invoiceMonthTotal,
  invoiceMonthUsageDays,
  type ProviderInvoiceTotal,
} from "../../domain/invoice-months.js";
import type { CloudProvider } from "../../domain/provider.js";
import { previousPeriod, type DayRange } from "../../domain/dates.js";
import { checkPeriod, seriesPeriodLimit } from "../../domain/limits.js";
import type { UnifiedTimeSeriesRecord } from "../../domain/time-series.js";
import type { ReadCache } from "../read-cache.js";
import {
  planCostRead,
  type CostQuestion,
  type CostRecordKey,
  type LinesKey,
  type RollupKey,
} from "./cost-read-plan.js";

/** The stored items a plan names, read in batches (the request's DataLoaders in production). */
export interface CostSources {
  headers(keys: readonly CostRecordKey[]): Promise<(CostRecordHeader | null)[]>;
  rollups(keys: readonly RollupKey[]): Promise<(UnifiedTimeSeriesRecord | null)[]>;
  lines(key: LinesKey): Promise<Map<IsoDay, CostLine[]>>;
}

export interface CostSummaryAnswer {
  period: DayRange;
  previousPeriod: DayRange;
  total: number;
  byProvider: { provider: CostRecordHeader["provider"]; amount: number }[];
  previousTotal: number;
  /** Null when the previous period cost nothing: no percentage of zero. */
  changePercent: number | null;
}

export interface InvoiceMonthAnswer {
  invoiceMonth: IsoMonth;
  /** Net, in the reporting currency. */
  total: number;
  /** Providers with lines billed on the month, largest first. */
  byProvider: ProviderInvoiceTotal[];
}

export interface DailySeries {
  days: IsoDay[];
  values: number[];
}

const present = <T>(items: (T | null)[]): T[] => items.filter((item): item is T => item !== null);

export class CostReads {
  private readonly answers = new Map<string, Promise<unknown>>();

  constructor(
    private readonly sources: CostSources,
    private readonly cache?: ReadCache,
  ) {}

  /**
   * The answer to the question `key` (see cacheKey) about the client, computed by `compute` the
   * first time it is asked in this request, and taken from the read cache when it holds it.
   */
  once<T>(clientId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const id = `${clientId}\u0000${key}`;
    let answer = this.answers.get(id) as Promise<T> | undefined;
    if (!answer) {
      // async: a synchronous throw (bad arguments) becomes a rejection like any other.
      answer = this.cache ? this.cache.remember(clientId, key, compute) : (async () => compute())();
      this.answers.set(id, answer);
    }
    return answer;
  }

  async summary(clientId: string, period: DayRange, filter: CostFilter): Promise<CostSummaryAnswer> {
    const current = checkPeriod(period);
    const previous = previousPeriod(current);
    const [now, before] = await Promise.all([
      this.read({ clientId, period: current, filter }),
      this.read({ clientId, period: previous, filter }),
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
    return breakdown(await this.read({ clientId, period: range, filter, by }), by, {
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
    const range = checkPeriod(period, "period", seriesPeriodLimit(granularity));
    const sources = await this.read({
      clientId,
      period: range,
      filter,
      ...(groupBy ? { by: groupBy } : {}),
      daily: granularity !== "MONTHLY",
    });
    return timeSeries(sources, { period: range, granularity, filter, ...(groupBy ? { groupBy } : {}) });
  }

  /** What each provider bills on `invoiceMonth`, from the stored lines of the usage days it can hold. */
  async invoiceMonth(
    clientId: string,
    invoiceMonth: IsoMonth,
    providers: readonly CloudProvider[],
  ): Promise<InvoiceMonthAnswer> {
    const days = invoiceMonthUsageDays(invoiceMonth);
    const totals = await Promise.all(
      providers.map(async (provider) =>
        invoiceMonthTotal(provider, invoiceMonth, await this.sources.lines({ clientId, provider, ...days })),
      ),
    );
    const byProvider = totals
      .filter((total) => total.billed.length > 0)
      .sort((a, b) => b.amount - a.amount || a.provider.localeCompare(b.provider));
    return { invoiceMonth, total: byProvider.reduce((sum, p) => sum + p.amount, 0), byProvider };
  }

  /**
   * The period's daily cost under the filter, NaN on days with nothing stored (a missing day is not
   * a zero: forecasts and detectors treat it as unobserved).
   */
  async dailySeries(clientId: string, period: DayRange, filter: CostFilter): Promise<DailySeries> {
    const range = checkPeriod(period, "period", seriesPeriodLimit("DAILY"));
    const sources = await this.read({ clientId, period: range, filter, daily: true });
    const observed = new Set(sources.map((source) => ("date" in source ? source.date : source.period)));
    const [series] = timeSeries(sources, { period: range, granularity: "DAILY", filter });
    const points = series?.points ?? [];
    return {
      days: points.map((point) => point.date),
      values: points.map((point) => (observed.has(point.date) ? point.amount : Number.NaN)),
    };
  }

  /** The smallest set of stored items that answers the question. */
  private async read(question: CostQuestion): Promise<CostSource[]> {
    const plan = planCostRead(question);
    if (plan.source === "rollups") return present(await this.sources.rollups(plan.rollups));
    const headers = present(await this.sources.headers(plan.headers));
    if (plan.lines.length === 0) return headers;
    const linesByProvider = new Map(
      await Promise.all(
        plan.lines.map(async (key) => [key.provider, await this.sources.lines(key)] as const),
      ),
    );
    return headers.map((header): UnifiedCostRecord => ({
      ...header,
      lines: linesByProvider.get(header.provider)?.get(header.date) ?? [],
    }));
  }
}
