import { Arg, Args, Ctx, FieldResolver, Int, Query, Resolver, Root } from "type-graphql";
import { Client } from "../types/client.type.js";
import {
  BucketClientCost,
  PortfolioEntry,
  PortfolioEntryConnection,
  ProviderCostBucket,
} from "../types/portfolio.type.js";
import { DateRangeInput } from "../inputs/date-range.input.js";
import { CloudProviderEnum, GranularityEnum, PortfolioOrderEnum, type Granularity } from "../enums.js";
import { PageArgs } from "../page-arguments.js";
import { portfolioEntryView, providerCostBucketView } from "../views.js";
import {
  DEFAULT_TOP_CLIENTS,
  MAX_DAILY_SERIES_DAYS,
  MAX_PERIOD_DAYS,
  MAX_WEEKLY_SERIES_DAYS,
  TOP_ITEMS,
} from "../../domain/limits.js";
import type { PortfolioOrder } from "../../domain/portfolio.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { Client as ClientModel } from "../../domain/client.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";

const CLIENT_DESCRIPTION = "The client; null if it was deleted since its costs were stored.";

@Resolver()
export class PortfolioResolver {
  @Query(() => PortfolioEntryConnection, {
    description:
      "The clients the caller may read (all for admins) that have costs stored in the period or the previous one, each against the previous period of equal length, largest first. Read from the monthly (and, for partial months, daily) rollups of all clients at once: one index Query per month or day, whatever the number of clients.",
  })
  async portfolio(
    @Arg("period", () => DateRangeInput, {
      description: `The days to cover (UTC, both inclusive), at most ${MAX_PERIOD_DAYS}.`,
    })
    period: DateRangeInput,
    @Arg("providers", () => [CloudProviderEnum], {
      nullable: true,
      description: "Only these providers' costs; every provider's when absent or empty.",
    })
    providers: CloudProvider[] | undefined,
    @Arg("orderBy", () => PortfolioOrderEnum, {
      nullable: true,
      description: "The ranking; COST when absent.",
    })
    orderBy: PortfolioOrder | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<PortfolioEntry>> {
    return portfolioEntryView(
      await ctx.useCases.portfolio.portfolio(
        ctx.auth,
        { period, providers, orderBy: orderBy ?? "COST" },
        page,
      ),
    );
  }

  @Query(() => [ProviderCostBucket], {
    description:
      "One provider's cost across the clients the caller may read (all for admins), one bucket per day, week or month of the period, each with its largest clients. Read from the cost records' provider index: one Query per month the period touches, whatever the number of clients.",
  })
  async providerCosts(
    @Arg("provider", () => CloudProviderEnum, { description: "The provider." }) provider: CloudProvider,
    @Arg("period", () => DateRangeInput, {
      description: `The days to cover (UTC, both inclusive): at most ${MAX_DAILY_SERIES_DAYS} for DAILY, ${MAX_WEEKLY_SERIES_DAYS} for WEEKLY, ${MAX_PERIOD_DAYS} for MONTHLY.`,
    })
    period: DateRangeInput,
    @Arg("granularity", () => GranularityEnum, {
      nullable: true,
      description: "The bucket; DAILY when absent.",
    })
    granularity: Granularity | undefined,
    @Arg("top", () => Int, {
      nullable: true,
      description: `Clients listed per bucket, largest first: ${TOP_ITEMS.min} to ${TOP_ITEMS.max}, ${DEFAULT_TOP_CLIENTS} when absent.`,
    })
    top: number | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProviderCostBucket[]> {
    return (
      await ctx.useCases.portfolio.providerCosts(ctx.auth, {
        provider,
        period,
        granularity: granularity ?? "DAILY",
        top,
      })
    ).map(providerCostBucketView);
  }
}

@Resolver(() => PortfolioEntry)
export class PortfolioEntryResolver {
  @FieldResolver(() => Client, { nullable: true, description: CLIENT_DESCRIPTION })
  client(@Root() entry: PortfolioEntry, @Ctx() ctx: GraphQLContext): Promise<ClientModel | null> {
    return ctx.useCases.tenants.client(ctx.auth, entry.clientId);
  }
}

@Resolver(() => BucketClientCost)
export class BucketClientCostResolver {
  @FieldResolver(() => Client, { nullable: true, description: CLIENT_DESCRIPTION })
  client(@Root() cost: BucketClientCost, @Ctx() ctx: GraphQLContext): Promise<ClientModel | null> {
    return ctx.useCases.tenants.client(ctx.auth, cost.clientId);
  }
}
