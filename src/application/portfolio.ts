/**
 * Questions across clients, answered from the cross-client indexes (index-loaders.ts): one Query
 * per day or month bucket however many clients there are, never one read per client. Each index
 * partition holds every client's rows, so the rows a caller may not read are dropped as they
 * arrive, before anything is summed: admins see every client, others the clients of their token.
 */
import type DataLoader from "dataloader";
import type { CostFilter } from "../domain/aggregation.js";
import { GRANULARITIES, type Granularity } from "../domain/cost-entries.js";
import { monthWindows, previousPeriod, type DayRange } from "../domain/dates.js";
import type { Authentication, Caller } from "../domain/identity.js";
import {
  checkListSize,
  checkPeriod,
  DEFAULT_TOP_CLIENTS,
  seriesPeriodLimit,
  TOP_ITEMS,
} from "../domain/limits.js";
import {
  PORTFOLIO_ORDERS,
  providerCostBuckets,
  rankClients,
  rankingPosition,
  type PortfolioOrder,
  type ProviderCostBucket,
} from "../domain/portfolio.js";
import type { CloudProvider } from "../domain/provider.js";
import type { UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import { validateOneOf, validateProvider } from "../domain/validation.js";
import { candidatesOf, pageOf } from "../store/page.js";
import { canRead, requireCaller } from "./authorization.js";
import { planCostRead } from "./costs/cost-read-plan.js";
import { CostReads, type CostSources, type CostSummaryAnswer } from "./costs/cost-reads.js";
import type { Connection, CursorCodec, PageRequest } from "./cursors.js";
import type { IndexLoaders, RollupBucketKey } from "./index-loaders.js";

export interface PortfolioQuestion {
  period: DayRange;
  /** Only these providers' costs; all when absent or empty. */
  providers?: readonly CloudProvider[] | null;
  orderBy: PortfolioOrder;
}

/** One client of the portfolio: its summary exactly as `client.costSummary` answers it. */
export interface PortfolioEntry {
  clientId: string;
  currency: string;
  filter: CostFilter;
  summary: CostSummaryAnswer;
  /** total - previousTotal. */
  change: number;
}

export interface ProviderCostsQuestion {
  provider: CloudProvider;
  period: DayRange;
  granularity: Granularity;
  top?: number | null;
}

const unwrap = <T>(value: T | Error): T => {
  if (value instanceof Error) throw value;
  return value;
};

/** The day and month buckets whose rollups answer a period (the same plan a client's summary reads). */
function rollupBuckets(period: DayRange, filter: CostFilter): RollupBucketKey[] {
  const plan = planCostRead({ clientId: "", period, filter });
  return plan.source === "rollups"
    ? plan.rollups.map(({ granularity, period: p }) => ({ granularity, period: p }))
    : [];
}

/** Cost sources that serve rollups already read across clients; nothing else is ever planned here. */
function rollupSources(rows: readonly UnifiedTimeSeriesRecord[]): CostSources {
  const byKey = new Map(rows.map((row) => [`${row.clientId}|${row.granularity}|${row.period}`, row]));
  const none = () => Promise.reject(new Error("a portfolio reads rollups only"));
  return {
    rollups: async (keys) => keys.map((k) => byKey.get(`${k.clientId}|${k.granularity}|${k.period}`) ?? null),
    headers: none,
    lines: none,
  };
}

export class Portfolio {
  constructor(private readonly deps: { loaders: IndexLoaders; cursors: CursorCodec }) {}

  /** Rows of index partitions, only those of clients the caller may read. */
  private async visible<K, T extends { clientId: string }>(
    caller: Caller,
    loader: DataLoader<K, T[], string>,
    keys: readonly K[],
  ): Promise<T[]> {
    const rows = (await loader.loadMany(keys)).flatMap(unwrap);
    return rows.filter((row) => canRead(caller, row.clientId));
  }

  /**
   * Every client the caller may read that has a cost stored in the period or the one before, with
   * its summary against that previous period, in the order asked (largest first).
   */
  async portfolio(
    auth: Authentication,
    question: PortfolioQuestion,
    page: PageRequest,
  ): Promise<Connection<PortfolioEntry>> {
    const caller = requireCaller(auth);
    const period = checkPeriod(question.period);
    const providers = [
      ...new Set((question.providers ?? []).map((p, i) => validateProvider(p, `providers[${i}]`))),
    ];
    const filter: CostFilter = providers.length > 0 ? { providers } : {};
    const buckets = [...rollupBuckets(period, filter), ...rollupBuckets(previousPeriod(period), filter)];
    const rows = await this.visible(caller, this.deps.loaders.rollupsByPeriod, buckets);
    const reads = new CostReads(rollupSources(rows));
    const currencies = new Map(rows.map((row) => [row.clientId, row.currency]));
    const entries = await Promise.all(
      [...currencies].map(async ([clientId, currency]): Promise<PortfolioEntry> => {
        const summary = await reads.summary(clientId, period, filter);
        return { clientId, currency, filter, summary, change: summary.total - summary.previousTotal };
      }),
    );
    const orderBy = validateOneOf(question.orderBy, PORTFOLIO_ORDERS, "orderBy");
    const figures = (entry: PortfolioEntry) => ({ clientId: entry.clientId, ...entry.summary });
    const ranked = rankClients(
      entries.map((entry) => ({ ...figures(entry), entry })),
      orderBy,
    ).map((ranking) => ranking.entry);
    const positionOf = (entry: PortfolioEntry) => rankingPosition(figures(entry), orderBy);
    const scope = `portfolio:${period.start}:${period.end}:${[...(filter.providers ?? [])].sort().join(",")}:${orderBy}`;
    return this.deps.cursors.page(
      scope,
      page,
      positionOf,
      async (window) => pageOf(candidatesOf(ranked, window, positionOf).slice(0, window.size + 1), window),
      async () => ranked.length,
    );
  }

  /**
   * One provider's cost across the clients the caller may read, per bucket of the period, with the
   * largest clients of each bucket: one index Query per month the period touches.
   */
  async providerCosts(auth: Authentication, question: ProviderCostsQuestion): Promise<ProviderCostBucket[]> {
    const caller = requireCaller(auth);
    const provider = validateProvider(question.provider, "provider");
    const granularity = validateOneOf(question.granularity, GRANULARITIES, "granularity");
    const period = checkPeriod(question.period, "period", seriesPeriodLimit(granularity));
    const top = checkListSize(question.top ?? DEFAULT_TOP_CLIENTS, "top", TOP_ITEMS);
    const ranges = monthWindows(period).map((window) => ({ provider, ...window }));
    const costs = await this.visible(caller, this.deps.loaders.providerDays, ranges);
    return providerCostBuckets(costs, period, granularity, top);
  }
}
