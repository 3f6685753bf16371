import { getArgumentValues, isObjectType, Kind, type GraphQLResolveInfo } from "graphql";
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
import { FIRST_DESCRIPTION, pageSize } from "../pagination.js";
import { checkPeriod, type CostReader } from "../cost-reader.js";
import { costRecordView } from "../views.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../domain/provider.js";
import { daysInRange } from "../../domain/dates.js";
import { checkListSize, TOP_ITEMS } from "../../domain/list-limits.js";
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

const TOP_DESCRIPTION = `Items kept, largest first: ${TOP_ITEMS.min} to ${TOP_ITEMS.max}; the rest is folded into one more item.`;

function checkTop(top: number | undefined): number | undefined {
  if (top === undefined || top === null) return undefined;
  return checkListSize(top, "top", TOP_ITEMS);
}

interface CostFieldArgs {
  period: DateRangeInput;
  filter?: CostFilterInput | null;
  by?: CostDimension;
  top?: number | null;
  granularity?: Granularity | null;
  groupBy?: CostDimension | null;
}

/** The read behind each cost field, from its arguments: the field resolvers and the prefetch both run it. */
const COST_FIELD_READS = {
  costSummary: (reader: CostReader, clientId: string, args: CostFieldArgs) =>
    reader.summary(clientId, args.period, costFilter(args.filter ?? undefined)),
  costBreakdown: (reader: CostReader, clientId: string, args: CostFieldArgs) =>
    reader.breakdown(
      clientId,
      args.period,
      args.by as CostDimension,
      costFilter(args.filter ?? undefined),
      checkTop(args.top ?? undefined),
    ),
  costTimeSeries: (reader: CostReader, clientId: string, args: CostFieldArgs) =>
    reader.timeSeries(
      clientId,
      args.period,
      args.granularity ?? "DAILY",
      costFilter(args.filter ?? undefined),
      args.groupBy ?? undefined,
    ),
};
type CostField = keyof typeof COST_FIELD_READS;

/** JSON with sorted keys and without undefined: the same arguments give the same text. */
function argumentsKey(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function readCostField<F extends CostField>(
  ctx: GraphQLContext,
  field: F,
  clientId: string,
  args: CostFieldArgs,
): ReturnType<(typeof COST_FIELD_READS)[F]> {
  const read = COST_FIELD_READS[field] as (
    reader: CostReader,
    id: string,
    a: CostFieldArgs,
  ) => Promise<unknown>;
  return ctx.costReader.once(`${field}|${clientId}|${argumentsKey(args)}`, () =>
    read(ctx.costReader, clientId, args),
  ) as ReturnType<(typeof COST_FIELD_READS)[F]>;
}

/**
 * Starts the cost reads a `client(id)` selection will ask for while the client's profile is still
 * loading, so they do not wait for it: the field resolvers then find the answers under the same
 * arguments. Only plain fields are read ahead (not fragments or fields under @skip/@include); a
 * field whose arguments do not coerce is left to its resolver to report.
 */
export function prefetchCostFields(info: GraphQLResolveInfo, clientId: string, ctx: GraphQLContext): void {
  const clientType = info.schema.getType("Client");
  if (!isObjectType(clientType)) return;
  for (const node of info.fieldNodes) {
    for (const selection of node.selectionSet?.selections ?? []) {
      if (selection.kind !== Kind.FIELD || selection.directives?.length) continue;
      const field = selection.name.value;
      if (!Object.hasOwn(COST_FIELD_READS, field)) continue;
      let args: CostFieldArgs;
      try {
        args = getArgumentValues(
          clientType.getFields()[field]!,
          selection,
          info.variableValues,
        ) as unknown as CostFieldArgs;
      } catch {
        continue;
      }
      // Errors reach the client through the field's own resolver, which awaits the same answer.
      readCostField(ctx, field as CostField, clientId, args).catch(() => undefined);
    }
  }
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
    const summary = await readCostField(ctx, "costSummary", client.id, { period, filter });
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
    @Arg("top", () => Int, { nullable: true, description: TOP_DESCRIPTION }) top: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostBreakdownItem[]> {
    requireRead(ctx.auth, client.id);
    const items = await readCostField(ctx, "costBreakdown", client.id, { period, by, filter, top });
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
    const series = await readCostField(ctx, "costTimeSeries", client.id, {
      period,
      granularity,
      filter,
      groupBy,
    });
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
    @Arg("first", () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first: number | undefined,
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
