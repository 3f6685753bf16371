import { Arg, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { Client } from "../types/client.type.js";
import { CostSummary } from "../types/cost-summary.type.js";
import { CostBreakdownItem } from "../types/cost-breakdown.type.js";
import { CostSeries } from "../types/cost-series.type.js";
import { CostRecordConnection } from "../types/cost-record.type.js";
import { money } from "../types/money.type.js";
import { DateRangeInput } from "../inputs/date-range.input.js";
import { CostFilterInput } from "../inputs/cost-filter.input.js";
import {
  CloudProviderEnum,
  CostDimensionEnum,
  GranularityEnum,
  type CostDimension,
  type Granularity,
} from "../enums.js";
import { requireRead } from "../auth.js";
import { pageSize } from "../pagination.js";
import { checkPeriod } from "../cost-reader.js";
import { costRecordView } from "../views.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../domain/provider.js";
import { daysInRange } from "../../domain/dates.js";
import { ValidationError } from "../../domain/validation.js";
import { MAX_STRING_ARGUMENT } from "../limits.js";
import type { CostFilter } from "../../domain/aggregation.js";
import type { Client as ClientModel } from "../../domain/client.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type { CostRecord } from "../types/cost-record.type.js";
import type { CostRecordHeader } from "../../store/cost-record-store.js";

const MAX_FILTER_VALUES = 100;

/** Filter lists are bounded in count and length: they are matched in memory, never sent to DynamoDB. */
function costFilter(input: CostFilterInput | undefined): CostFilter {
  const filter: CostFilter = {};
  if (!input) return filter;
  for (const name of ["accountIds", "services", "regions", "categories"] as const) {
    const values = input[name];
    if (!values) continue;
    if (values.length > MAX_FILTER_VALUES)
      throw new ValidationError(`filter.${name}`, `has more than ${MAX_FILTER_VALUES} values`);
    const tooLong = values.findIndex((v) => v.length > MAX_STRING_ARGUMENT);
    if (tooLong >= 0)
      throw new ValidationError(
        `filter.${name}[${tooLong}]`,
        `is longer than ${MAX_STRING_ARGUMENT} characters`,
      );
    filter[name] = values;
  }
  if (input.providers) filter.providers = input.providers;
  return filter;
}

function checkTop(top: number | undefined): number | undefined {
  if (top === undefined || top === null) return undefined;
  if (!Number.isInteger(top) || top < 1 || top > 1000)
    throw new ValidationError("top", `${top} is out of range: use 1 to 1000`);
  return top;
}

@Resolver(() => Client)
export class ClientCostResolver {
  @FieldResolver(() => CostSummary)
  async costSummary(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput) period: DateRangeInput,
    @Arg("filter", () => CostFilterInput, { nullable: true }) filter: CostFilterInput | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostSummary> {
    requireRead(ctx.auth, client.id);
    const summary = await ctx.costReader.summary(client.id, period, costFilter(filter));
    const currency = client.reportingCurrency;
    return {
      period: summary.period,
      previousPeriod: summary.previousPeriod,
      total: money(summary.total, currency),
      previousTotal: money(summary.previousTotal, currency),
      changePercent: summary.changePercent,
      byProvider: summary.byProvider.map((p) => ({ provider: p.provider, cost: money(p.amount, currency) })),
    };
  }

  @FieldResolver(() => [CostBreakdownItem], {
    description: "Largest first; with top, the rest is folded into one item.",
  })
  async costBreakdown(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput) period: DateRangeInput,
    @Arg("by", () => CostDimensionEnum) by: CostDimension,
    @Arg("filter", () => CostFilterInput, { nullable: true }) filter: CostFilterInput | undefined,
    @Arg("top", () => Int, { nullable: true }) top: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostBreakdownItem[]> {
    requireRead(ctx.auth, client.id);
    const items = await ctx.costReader.breakdown(client.id, period, by, costFilter(filter), checkTop(top));
    return items.map((item) => ({
      key: item.key,
      label: item.label,
      share: item.share,
      cost: money(item.amount, client.reportingCurrency),
    }));
  }

  @FieldResolver(() => [CostSeries], { description: "Zero-filled buckets over the whole period." })
  async costTimeSeries(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput) period: DateRangeInput,
    @Arg("granularity", () => GranularityEnum, { nullable: true }) granularity: Granularity | undefined,
    @Arg("filter", () => CostFilterInput, { nullable: true }) filter: CostFilterInput | undefined,
    @Arg("groupBy", () => CostDimensionEnum, { nullable: true }) groupBy: CostDimension | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostSeries[]> {
    requireRead(ctx.auth, client.id);
    const series = await ctx.costReader.timeSeries(
      client.id,
      period,
      granularity ?? "DAILY",
      costFilter(filter),
      groupBy ?? undefined,
    );
    return series.map((s) => ({
      key: s.key,
      label: s.label,
      points: s.points.map((p) => ({ date: p.date, cost: money(p.amount, client.reportingCurrency) })),
    }));
  }

  @FieldResolver(() => CostRecordConnection, { description: "Records by date, then provider." })
  async costRecords(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput) period: DateRangeInput,
    @Arg("provider", () => CloudProviderEnum, { nullable: true }) provider: CloudProvider | undefined,
    @Arg("first", () => Int, { nullable: true }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<CostRecord>> {
    requireRead(ctx.auth, client.id);
    const range = checkPeriod(period);
    const size = pageSize(first);
    // Alphabetical, so the slot order and the cursor comparison below agree.
    const providers = provider ? [provider] : [...CLOUD_PROVIDERS].sort();
    const scope = `records:${client.id}:${providers.join(",")}:${range.start}:${range.end}`;
    const afterPosition = ctx.cursors.decode(scope, after);
    // Every (day, provider) slot in order; existing records are found 100 slots at a time.
    const slots = daysInRange(range.start, range.end)
      .flatMap((date) => providers.map((p) => ({ clientId: client.id, provider: p, date })))
      .filter((slot) => afterPosition === undefined || `${slot.date}|${slot.provider}` > afterPosition);
    const found: CostRecordHeader[] = [];
    for (let i = 0; i < slots.length && found.length <= size; i += 100) {
      const headers = await ctx.loaders.costHeader.loadMany(slots.slice(i, i + 100));
      for (const header of headers) {
        if (header instanceof Error) throw header;
        if (header) found.push(header);
      }
    }
    const edges = found.slice(0, size).map((header) => ({
      node: costRecordView(header),
      cursor: ctx.cursors.encode(scope, `${header.date}|${header.provider}`),
    }));
    return { edges, pageInfo: { hasNextPage: found.length > size, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
