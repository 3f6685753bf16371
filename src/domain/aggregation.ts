/**
 * Query-time aggregation for the GraphQL resolvers: summary, breakdown and time series over cost
 * records or rollups, with filters (see cost-entries.ts for how each source answers). Amounts keep
 * full precision; rounding is for presentation.
 */
import type { IsoDay } from "./cost-record.js";
import type { CloudProvider } from "./provider.js";
import {
  daysInRange,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
  monthsInRange,
  weekStart,
  type DayRange,
} from "./dates.js";
import { sortByAmountThenName, sumBy } from "./breakdowns.js";
import { checkListSize, TOP_ITEMS } from "./limits.js";
import {
  collectEntries,
  isRecord,
  keyAndLabel,
  type CostDimension,
  type CostFilter,
  type CostSource,
  type Granularity,
} from "./cost-entries.js";

export {
  COST_DIMENSIONS,
  GRANULARITIES,
  needsJointLines,
  rollupsCanAnswer,
  type CostDimension,
  type CostFilter,
  type CostSource,
  type Granularity,
} from "./cost-entries.js";

export interface BreakdownItem {
  /** Provider-qualified for SERVICE, ACCOUNT and REGION ("AWS|us-east-1"): names repeat across clouds. */
  key: string;
  label: string;
  amount: number;
  share: number;
}

export interface CostTotals {
  total: number;
  byProvider: { provider: CloudProvider; amount: number }[];
}

export interface SeriesPoint {
  /** First day of the bucket (the Monday for WEEKLY, the 1st for MONTHLY). */
  date: IsoDay;
  amount: number;
}

export interface CostSeries {
  key: string;
  label: string;
  points: SeriesPoint[];
}

/** Key of the item that gathers everything past `top`. */
export const FOLDED_KEY = "__others__";
/** Net total (credits included) and its split by provider, largest first. */
export function summarize(sources: readonly CostSource[], filter: CostFilter = {}): CostTotals {
  const entries = collectEntries(sources, filter);
  const byProvider = [
    ...sumBy(
      entries,
      (entry) => entry.provider,
      (entry) => entry.amount,
    ),
  ].map(([provider, group]) => ({
    provider: provider as CloudProvider,
    amount: group.amount,
  }));
  return {
    total: entries.reduce((sum, entry) => sum + entry.amount, 0),
    byProvider: sortByAmountThenName(
      byProvider,
      (item) => item.amount,
      (item) => item.provider,
    ),
  };
}

/**
 * Items by the dimension, largest first. share = amount / net total, so shares sum to 1 (credit
 * items carry a negative share). When the net total is zero or negative (credits cover everything),
 * a share has no meaning and every share is 0. With `top`, the items past the first `top` are
 * folded into one last item keyed FOLDED_KEY and labelled "Other (N more)".
 */
export function breakdown(
  sources: readonly CostSource[],
  by: CostDimension,
  options: { filter?: CostFilter; top?: number } = {},
): BreakdownItem[] {
  const { top } = options;
  if (top !== undefined) checkListSize(top, "top", TOP_ITEMS);
  const entries = collectEntries(sources, options.filter ?? {}, by);
  const groups = [
    ...sumBy(
      entries,
      (entry) => keyAndLabel(entry, by).key,
      (entry) => entry.amount,
    ).values(),
  ].map((group) => ({
    ...keyAndLabel(group.first, by),
    amount: group.amount,
  }));
  sortByAmountThenName(
    groups,
    (item) => item.amount,
    (item) => `${item.label}|${item.key}`,
  );
  const total = groups.reduce((sum, item) => sum + item.amount, 0);
  const shareOf = (amount: number): number => (total > 0 ? amount / total : 0);
  const kept = top === undefined ? groups : groups.slice(0, top);
  const rest = top === undefined ? [] : groups.slice(top);
  const items = kept.map((item) => ({ ...item, share: shareOf(item.amount) }));
  if (rest.length > 0) {
    const amount = rest.reduce((sum, item) => sum + item.amount, 0);
    items.push({ key: FOLDED_KEY, label: `Other (${rest.length} more)`, amount, share: shareOf(amount) });
  }
  return items;
}

function bucketOf(day: IsoDay, granularity: Granularity): IsoDay {
  if (granularity === "DAILY") return day;
  if (granularity === "WEEKLY") return weekStart(day);
  return firstDayOfMonth(monthOf(day));
}

/**
 * One series per group (a single "TOTAL" series without groupBy), each with a zero-filled point for
 * every bucket the period touches. The first and last WEEKLY/MONTHLY buckets may be partial; a week
 * that crosses a month end stays one bucket, dated by its Monday. Monthly rollups only fit MONTHLY
 * series and must cover months that lie wholly inside the period.
 */
export function timeSeries(
  sources: readonly CostSource[],
  options: { period: DayRange; granularity: Granularity; filter?: CostFilter; groupBy?: CostDimension },
): CostSeries[] {
  const { period, granularity, groupBy } = options;
  for (const source of sources) {
    if (isRecord(source) || source.granularity === "DAILY") continue;
    const month = source.period;
    if (granularity !== "MONTHLY")
      throw new Error(`a monthly rollup (${month}) cannot feed a ${granularity} series`);
    if (firstDayOfMonth(month) < period.start || lastDayOfMonth(month) > period.end) {
      throw new Error(
        `monthly rollup ${month} is only partly inside ${period.start}..${period.end}; read its days instead`,
      );
    }
  }
  // MONTHLY buckets come from the months, so a long monthly series costs months, not days.
  const buckets =
    granularity === "MONTHLY"
      ? monthsInRange(period.start, period.end).map(firstDayOfMonth)
      : [...new Set(daysInRange(period.start, period.end).map((day) => bucketOf(day, granularity)))];
  const entries = collectEntries(sources, options.filter ?? {}, groupBy).filter(
    (entry) => entry.date >= period.start && entry.date <= period.end,
  );
  const series = new Map<
    string,
    { key: string; label: string; total: number; amounts: Map<IsoDay, number> }
  >();
  if (!groupBy) series.set("TOTAL", { key: "TOTAL", label: "Total", total: 0, amounts: new Map() });
  for (const entry of entries) {
    const { key, label } = groupBy ? keyAndLabel(entry, groupBy) : { key: "TOTAL", label: "Total" };
    const current = series.get(key) ?? { key, label, total: 0, amounts: new Map<IsoDay, number>() };
    const bucket = bucketOf(entry.date, granularity);
    current.amounts.set(bucket, (current.amounts.get(bucket) ?? 0) + entry.amount);
    current.total += entry.amount;
    series.set(key, current);
  }
  return sortByAmountThenName(
    [...series.values()],
    (s) => s.total,
    (s) => `${s.label}|${s.key}`,
  ).map((s) => ({
    key: s.key,
    label: s.label,
    points: buckets.map((date) => ({ date, amount: s.amounts.get(date) ?? 0 })),
  }));
}
