import { getArgumentValues, isObjectType, Kind, type FieldNode, type GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, FieldResolver, Int, Resolver, Root } from "type-graphql";
import { Client } from "../types/client.type.js";
import { CostSummary } from "../types/cost-summary.type.js";
import { InvoiceMonthCost } from "../types/invoice-month-cost.type.js";
import { CostBreakdownItem } from "../types/cost-breakdown.type.js";
import { CostSeries } from "../types/cost-series.type.js";
import { CostRecordConnection } from "../types/cost-record.type.js";
import { money } from "../types/money.type.js";
import { DateRangeInput } from "../inputs/date-range.input.js";
import { CostFilterInput, toCostFilter } from "../inputs/cost-filter.input.js";
import {
  CloudProviderEnum,
  CostDimensionEnum,
  GranularityEnum,
  type CostDimension,
  type Granularity,
} from "../enums.js";
import { PageArgs } from "../page-arguments.js";
import { costRecordView, costSummaryView } from "../views.js";
import type { CloudProvider } from "../../domain/provider.js";
import {
  checkListSize,
  MAX_DAILY_SERIES_DAYS,
  MAX_PERIOD_DAYS,
  MAX_WEEKLY_SERIES_DAYS,
  TOP_ITEMS,
} from "../../domain/limits.js";
import type { Client as ClientModel } from "../../domain/client.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type { CostRecord } from "../types/cost-record.type.js";

const TOP_DESCRIPTION = `Items kept, largest first: ${TOP_ITEMS.min} to ${TOP_ITEMS.max}; the rest is folded into one more item.`;
const PERIOD_DESCRIPTION = `The days to cover (billing days, both inclusive), at most ${MAX_PERIOD_DAYS}.`;
const FILTER_DESCRIPTION = "Narrows the costs counted; every cost of the client when absent.";
const SERIES_PERIOD_DESCRIPTION = `The days to cover (billing days, both inclusive): at most ${MAX_DAILY_SERIES_DAYS} for DAILY, ${MAX_WEEKLY_SERIES_DAYS} for WEEKLY, ${MAX_PERIOD_DAYS} for MONTHLY.`;

interface CostFieldArgs {
  period: DateRangeInput;
  filter?: CostFilterInput | null;
  by?: CostDimension;
  top?: number | null;
  granularity?: Granularity | null;
  groupBy?: CostDimension | null;
}

/** Each cost field's use case call, from its arguments: the field resolvers and the read-ahead both run it. */
const COST_FIELD_READS = {
  costSummary: (ctx: GraphQLContext, clientId: string, args: CostFieldArgs) =>
    ctx.useCases.costs.summary(ctx.auth, clientId, {
      period: args.period,
      filter: toCostFilter(args.filter),
    }),
  costBreakdown: (ctx: GraphQLContext, clientId: string, args: CostFieldArgs) =>
    ctx.useCases.costs.breakdown(ctx.auth, clientId, {
      period: args.period,
      by: args.by as CostDimension,
      filter: toCostFilter(args.filter),
      ...(args.top === undefined || args.top === null
        ? {}
        : { top: checkListSize(args.top, "top", TOP_ITEMS) }),
    }),
  costTimeSeries: (ctx: GraphQLContext, clientId: string, args: CostFieldArgs) =>
    ctx.useCases.costs.timeSeries(ctx.auth, clientId, {
      period: args.period,
      granularity: args.granularity ?? "DAILY",
      filter: toCostFilter(args.filter),
      ...(args.groupBy ? { groupBy: args.groupBy } : {}),
    }),
};
type CostField = keyof typeof COST_FIELD_READS;

/**
 * Starts the cost reads the selections of a client (`client(id)`, or a page's `node`) will ask for
 * while the client's profile is still loading, so they do not wait for it: the field resolvers then
 * find the answers the use case memoized under the same arguments. Only plain fields are read ahead
 * (not fragments or fields under @skip/@include); a field whose arguments do not coerce is left to
 * its resolver to report.
 */
export function prefetchCostFields(
  info: GraphQLResolveInfo,
  clientSelections: readonly FieldNode[],
  clientId: string,
  ctx: GraphQLContext,
): void {
  const clientType = info.schema.getType("Client");
  if (!isObjectType(clientType)) return;
  for (const node of clientSelections) {
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
      (async () => COST_FIELD_READS[field as CostField](ctx, clientId, args))().catch(() => undefined);
    }
  }
}

/** The `node` fields under `edges` of a connection's selections (plain fields only, as above). */
export function connectionNodeSelections(connectionSelections: readonly FieldNode[]): FieldNode[] {
  const plainFields = (node: FieldNode, name: string) =>
    (node.selectionSet?.selections ?? []).filter(
      (s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === name && !s.directives?.length,
    );
  return connectionSelections.flatMap((connection) =>
    plainFields(connection, "edges").flatMap((edges) => plainFields(edges, "node")),
  );
}

@Resolver(() => Client)
export class ClientCostResolver {
  @FieldResolver(() => CostSummary, {
    description:
      "Net cost of the period, per provider, against the previous period of equal length, in the client's reporting currency.",
  })
  async costSummary(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput, { description: PERIOD_DESCRIPTION }) period: DateRangeInput,
    @Arg("filter", () => CostFilterInput, { nullable: true, description: FILTER_DESCRIPTION })
    filter: CostFilterInput | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostSummary> {
    const summary = await COST_FIELD_READS.costSummary(ctx, client.id, { period, filter });
    return costSummaryView(client, { period, filter: toCostFilter(filter) }, summary);
  }

  @FieldResolver(() => [CostBreakdownItem], {
    description:
      "Net cost of the period per value of `by`, in the client's reporting currency, largest first; with top, the rest is folded into one item.",
  })
  async costBreakdown(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput, { description: PERIOD_DESCRIPTION }) period: DateRangeInput,
    @Arg("by", () => CostDimensionEnum, { description: "What to group the costs by." }) by: CostDimension,
    @Arg("filter", () => CostFilterInput, { nullable: true, description: FILTER_DESCRIPTION })
    filter: CostFilterInput | undefined,
    @Arg("top", () => Int, { nullable: true, description: TOP_DESCRIPTION }) top: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostBreakdownItem[]> {
    const items = await COST_FIELD_READS.costBreakdown(ctx, client.id, { period, by, filter, top });
    return items.map((item) => ({
      key: item.key,
      label: item.label,
      share: item.share,
      cost: money(item.amount, client.reportingCurrency),
    }));
  }

  @FieldResolver(() => [CostSeries], {
    description:
      "Net cost per bucket, zero-filled over the whole period: one TOTAL series, or one per group with groupBy, largest total first.",
  })
  async costTimeSeries(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput, { description: SERIES_PERIOD_DESCRIPTION }) period: DateRangeInput,
    @Arg("granularity", () => GranularityEnum, {
      nullable: true,
      description: "The bucket; DAILY when absent.",
    })
    granularity: Granularity | undefined,
    @Arg("filter", () => CostFilterInput, { nullable: true, description: FILTER_DESCRIPTION })
    filter: CostFilterInput | undefined,
    @Arg("groupBy", () => CostDimensionEnum, {
      nullable: true,
      description: "One series per value of this dimension; a single TOTAL series when absent.",
    })
    groupBy: CostDimension | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostSeries[]> {
    const series = await COST_FIELD_READS.costTimeSeries(ctx, client.id, {
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

  @FieldResolver(() => InvoiceMonthCost, {
    description:
      "Net cost billed on one invoice month, per provider, with the unconverted figures of each invoice. Reads the stored lines of that month and the month before it (late rows); collect both for a complete invoice.",
  })
  async costByInvoiceMonth(
    @Root() client: ClientModel,
    @Arg("month", () => String, { description: "The invoice month, YYYY-MM." }) month: string,
    @Arg("providers", () => [CloudProviderEnum], {
      nullable: true,
      description: "Only these providers; every provider when absent or empty.",
    })
    providers: CloudProvider[] | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<InvoiceMonthCost> {
    const answer = await ctx.useCases.costs.invoiceMonth(ctx.auth, client.id, {
      month,
      ...(providers ? { providers } : {}),
    });
    const currency = client.reportingCurrency;
    return {
      invoiceMonth: answer.invoiceMonth,
      total: money(answer.total, currency),
      byProvider: answer.byProvider.map((part) => ({
        provider: part.provider,
        cost: money(part.amount, currency),
        billed: part.billed.map((billed) => money(billed.amount, billed.currency)),
      })),
    };
  }

  @FieldResolver(() => CostRecordConnection, {
    description:
      "The stored daily records of the period, by date, then provider (AWS, AZURE, GCP); a day never collected has none.",
  })
  async costRecords(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput, { description: PERIOD_DESCRIPTION }) period: DateRangeInput,
    @Arg("provider", () => CloudProviderEnum, {
      nullable: true,
      description: "Only this provider's records; every provider's when absent.",
    })
    provider: CloudProvider | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<CostRecord>> {
    const records = await ctx.useCases.costs.records(
      ctx.auth,
      client.id,
      { period, ...(provider ? { provider } : {}) },
      page,
    );
    return { ...records, edges: records.edges.map((edge) => ({ ...edge, node: costRecordView(edge.node) })) };
  }
}
