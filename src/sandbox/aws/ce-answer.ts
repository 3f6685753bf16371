/**
 * GetCostAndUsage over a BillingDataset: time periods, filters, up to two group keys, metrics as
 * strings, and paging by groups the way Cost Explorer pages (a period's groups may span pages).
 */
import type { ChargeCategory, IsoDay } from "../../domain/cost-record.js";
import { addDays, daysInRange, monthWindows } from "../../domain/dates.js";
import { roundAmount, type BillingDataset, type SimulatedLine } from "../billing-dataset.js";
import type { CeDimension, CeFilter, CeMetric, CostAndUsageQuery } from "./ce-request.js";

/** RECORD_TYPE values as Cost Explorer names them, for the dataset's charge categories. */
const RECORD_TYPES: Record<ChargeCategory, string> = {
  Usage: "Usage",
  Tax: "Tax",
  Credit: "Credit",
  Adjustment: "Refund",
  Purchase: "SavingsPlanRecurringFee",
};

function dimensionValue(line: SimulatedLine, key: CeDimension): string {
  switch (key) {
    case "SERVICE":
      return line.serviceName;
    case "LINKED_ACCOUNT":
      return line.accountId;
    case "REGION":
      return line.region === "" ? "NoRegion" : line.region;
    case "RECORD_TYPE":
      return RECORD_TYPES[line.chargeCategory];
    case "USAGE_TYPE":
      return line.usageType ?? "";
  }
}

function matches(filter: CeFilter | undefined, line: SimulatedLine): boolean {
  if (!filter) return true;
  switch (filter.kind) {
    case "dimension":
      return filter.values.has(dimensionValue(line, filter.key));
    case "and":
      return filter.operands.every((operand) => matches(operand, line));
    case "or":
      return filter.operands.some((operand) => matches(operand, line));
    case "not":
      return !matches(filter.operand, line);
  }
}

/** Amounts as Cost Explorer writes them: decimal strings, at most 10 decimals, never exponents. */
export function formatAmount(amount: number): string {
  const fixed = roundAmount(amount).toFixed(10);
  const trimmed = fixed.replace(/\.?0+$/, "");
  return trimmed === "-0" || trimmed === "" ? "0" : trimmed;
}

interface Period {
  start: IsoDay;
  /** Exclusive. */
  end: IsoDay;
  /** Days of the period that have data (none after the dataset's today). */
  days: IsoDay[];
}

function periodsOf(query: CostAndUsageQuery, today: IsoDay): Period[] {
  const lastDay = addDays(query.end, -1);
  const upTo = (day: IsoDay) => (day < today ? day : today);
  if (query.granularity === "DAILY") {
    return daysInRange(query.start, upTo(lastDay)).map((day) => ({
      start: day,
      end: addDays(day, 1),
      days: [day],
    }));
  }
  return monthWindows({ start: query.start, end: lastDay })
    .map(({ start, end: last }) => ({ start, end: addDays(last, 1), days: daysInRange(start, upTo(last)) }))
    .filter((period) => period.start <= today);
}

interface Aggregate {
  keys: string[];
  cost: number;
  usage: number;
}

/** One entry of the paged sequence: a group of a period, or a period with nothing in it. */
interface Item {
  period: Period;
  group?: Aggregate;
}

function aggregate(
  dataset: BillingDataset,
  query: CostAndUsageQuery,
  period: Period,
  names: Map<string, string>,
) {
  const groups = new Map<string, Aggregate>();
  for (const day of period.days) {
    for (const line of dataset.linesForDay(day)) {
      if (!matches(query.filter, line)) continue;
      const keys = query.groupBy.map((key) => dimensionValue(line, key));
      const id = keys.join("\u0000");
      const group = groups.get(id) ?? { keys, cost: 0, usage: 0 };
      group.cost += line.cost + (line.credits ?? []).reduce((sum, credit) => sum + credit.amount, 0);
      group.usage += line.usageQuantity ?? 0;
      groups.set(id, group);
      names.set(line.accountId, line.accountName);
    }
  }
  return [...groups.values()].sort((a, b) => (a.keys.join("|") < b.keys.join("|") ? -1 : 1));
}

function metricValues(metrics: CeMetric[], group: Aggregate, currency: string) {
  return Object.fromEntries(
    metrics.map((metric) => {
      if (metric === "UsageQuantity") return [metric, { Amount: formatAmount(group.usage), Unit: "N/A" }];
      if (metric === "NormalizedUsageAmount") return [metric, { Amount: "0", Unit: "N/A" }];
      return [metric, { Amount: formatAmount(group.cost), Unit: currency }];
    }),
  );
}

export interface CostAndUsagePage {
  body: Record<string, unknown>;
  /** Where the next page starts; undefined on the last page. */
  nextOffset?: number;
}

export function answerCostAndUsage(
  dataset: BillingDataset,
  query: CostAndUsageQuery,
  page: { offset: number; size: number },
): CostAndUsagePage {
  const names = new Map<string, string>();
  const grouped = query.groupBy.length > 0;
  const items: Item[] = periodsOf(query, dataset.today).flatMap((period) => {
    const groups = aggregate(dataset, query, period, names);
    if (!grouped) return [{ period, group: groups[0] ?? { keys: [], cost: 0, usage: 0 } }];
    return groups.length === 0 ? [{ period }] : groups.map((group) => ({ period, group }));
  });
  const pageItems = items.slice(page.offset, page.offset + page.size);

  const results = new Map<Period, { Groups: unknown[]; Total: Record<string, unknown> }>();
  const accountsInPage = new Set<string>();
  for (const { period, group } of pageItems) {
    const result = results.get(period) ?? { Groups: [], Total: {} };
    results.set(period, result);
    if (!group) continue;
    const metrics = metricValues(query.metrics, group, dataset.currency);
    if (grouped) result.Groups.push({ Keys: group.keys, Metrics: metrics });
    else result.Total = metrics;
    const accountIndex = query.groupBy.indexOf("LINKED_ACCOUNT");
    if (accountIndex >= 0) accountsInPage.add(group.keys[accountIndex] ?? "");
  }

  const body: Record<string, unknown> = {
    GroupDefinitions: query.groupBy.map((key) => ({ Type: "DIMENSION", Key: key })),
    ResultsByTime: [...results].map(([period, result]) => ({
      TimePeriod: { Start: period.start, End: period.end },
      Total: result.Total,
      Groups: result.Groups,
      Estimated: dataset.isEstimated(period.start),
    })),
    DimensionValueAttributes: [...accountsInPage].map((account) => ({
      Value: account,
      Attributes: { description: names.get(account) ?? "" },
    })),
  };
  const nextOffset = page.offset + page.size;
  return nextOffset < items.length ? { body, nextOffset } : { body };
}
