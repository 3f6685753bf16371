/**
 * The portfolio view across clients, pure: ranking clients by cost or by change (in a total order
 * that a cursor can point into), and one provider's daily costs bucketed with the top clients of
 * each bucket. Amounts stay in each client's reporting currency: nothing is converted, so bucket
 * totals are kept per currency.
 */
import { sortByAmountThenName, sumBy } from "./breakdowns.js";
import type { IsoDay } from "./cost-record.js";
import { daysInRange, firstDayOfMonth, monthOf, weekStart, type DayRange } from "./dates.js";
import type { Granularity } from "./cost-entries.js";
import type { CloudProvider } from "./provider.js";

export const PORTFOLIO_ORDERS = ["COST", "ABSOLUTE_CHANGE", "RELATIVE_CHANGE"] as const;
export type PortfolioOrder = (typeof PORTFOLIO_ORDERS)[number];

/** What a client's place in the portfolio is ranked by. */
export interface RankedFigures {
  clientId: string;
  total: number;
  previousTotal: number;
  /** Null when the previous period cost nothing. */
  changePercent: number | null;
}

function orderValue(figures: RankedFigures, order: PortfolioOrder): number | null {
  if (order === "COST") return figures.total;
  if (order === "ABSOLUTE_CHANGE") return figures.total - figures.previousTotal;
  return figures.changePercent;
}

/**
 * A text whose ascending order is the ranking: the value descending (its IEEE 754 bits made
 * sortable, then inverted), no value last, then the client id ascending. Cursors hold it, so the
 * next page starts after the last client seen even when figures moved in between.
 */
export function rankingPosition(figures: RankedFigures, order: PortfolioOrder): string {
  const value = orderValue(figures, order);
  if (value === null || Number.isNaN(value)) return `1|${figures.clientId}`;
  const bytes = Buffer.alloc(8);
  bytes.writeDoubleBE(value === 0 ? 0 : value);
  const negative = (bytes[0]! & 0x80) !== 0;
  // Ascending bits: flip every bit of a negative number, only the sign of a positive one; then
  // invert the lot for descending order.
  for (let i = 0; i < 8; i++) {
    const ascending = negative ? ~bytes[i]! : i === 0 ? bytes[i]! ^ 0x80 : bytes[i]!;
    bytes[i] = ~ascending & 0xff;
  }
  return `0${bytes.toString("hex")}|${figures.clientId}`;
}

/** The clients in ranking order. */
export function rankClients<T extends RankedFigures>(clients: readonly T[], order: PortfolioOrder): T[] {
  const positioned = clients.map((client) => ({ client, position: rankingPosition(client, order) }));
  positioned.sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0));
  return positioned.map(({ client }) => client);
}

/** One client's stored cost of one provider and day, as the data table's provider index holds it. */
export interface ProviderDayCost {
  clientId: string;
  provider: CloudProvider;
  date: IsoDay;
  total: number;
  currency: string;
}

export interface ClientAmount {
  clientId: string;
  amount: number;
  currency: string;
}

export interface ProviderCostBucket {
  /** First day of the bucket (the Monday for WEEKLY, the 1st for MONTHLY). */
  date: IsoDay;
  /** Sum over every client, one per currency, largest first. */
  totals: { currency: string; amount: number }[];
  /** Clients with a stored cost in the bucket. */
  clientCount: number;
  /** The largest clients of the bucket, at most `top`. */
  topClients: ClientAmount[];
}

export function bucketOf(day: IsoDay, granularity: Granularity): IsoDay {
  if (granularity === "DAILY") return day;
  return granularity === "WEEKLY" ? weekStart(day) : firstDayOfMonth(monthOf(day));
}

/** Every bucket of the period, zero-filled (no totals, no clients) where nothing is stored. */
export function providerCostBuckets(
  costs: readonly ProviderDayCost[],
  period: DayRange,
  granularity: Granularity,
  top: number,
): ProviderCostBucket[] {
  const dates = [...new Set(daysInRange(period.start, period.end).map((d) => bucketOf(d, granularity)))];
  const byBucket = new Map<IsoDay, ProviderDayCost[]>(dates.map((date) => [date, []]));
  for (const cost of costs) {
    if (cost.date >= period.start && cost.date <= period.end)
      byBucket.get(bucketOf(cost.date, granularity))?.push(cost);
  }
  return dates.map((date) => {
    const inBucket = byBucket.get(date) ?? [];
    const perClient = [
      ...sumBy(
        inBucket,
        (cost) => cost.clientId,
        (cost) => cost.total,
      ).values(),
    ].map(({ first, amount }) => ({ clientId: first.clientId, amount, currency: first.currency }));
    const totals = [
      ...sumBy(
        perClient,
        (client) => client.currency,
        (client) => client.amount,
      ),
    ].map(([currency, group]) => ({ currency, amount: group.amount }));
    return {
      date,
      totals: sortByAmountThenName(
        totals,
        (total) => total.amount,
        (total) => total.currency,
      ),
      clientCount: perClient.length,
      topClients: sortByAmountThenName(
        perClient,
        (client) => client.amount,
        (client) => client.clientId,
      ).slice(0, top),
    };
  });
}
