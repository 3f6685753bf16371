import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  Float,
  ID,
  Mutation,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from "type-graphql";
import { Client } from "../types/client.type.js";
import { Budget, BudgetAlert, BudgetAlertConnection, BudgetStatus } from "../types/budget.type.js";
import { CostForecast } from "../types/cost-forecast.type.js";
import { DateRangeInput } from "../inputs/date-range.input.js";
import { CostFilterInput, toCostFilter } from "../inputs/cost-filter.input.js";
import { SetBudgetInput } from "../inputs/set-budget.input.js";
import { underInput } from "../inputs/under-input.js";
import { PageArgs } from "../page-arguments.js";
import { DateScalar } from "../scalars.js";
import { budgetAlertView, budgetView, costForecastView } from "../views.js";
import { money } from "../types/money.type.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type { BudgetAlertEvent } from "../../application/live-updates.js";
import type { Client as ClientModel } from "../../domain/client.js";

type BudgetView = ReturnType<typeof budgetView>;
type BudgetAlertView = ReturnType<typeof budgetAlertView>;

@Resolver(() => Client)
export class ClientInsightResolver {
  @FieldResolver(() => CostForecast, {
    description:
      "Where a period's cost will end, with the forecast's own measured accuracy; filters as in costSummary.",
  })
  async costForecast(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput, {
      description:
        "Any period within the stored history and a year ahead; the days after the data are forecast.",
    })
    period: DateRangeInput,
    @Arg("filter", () => CostFilterInput, { nullable: true, description: "Narrows the costs forecast." })
    filter: CostFilterInput | undefined,
    @Arg("confidence", () => Float, {
      defaultValue: 0.8,
      description: "Of the intervals, between 0 and 1 (exclusive).",
    })
    confidence: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostForecast> {
    const answer = await ctx.useCases.forecasts.forecast(ctx.auth, client.id, {
      period,
      filter: toCostFilter(filter),
      confidence,
    });
    return costForecastView(answer, client.reportingCurrency);
  }

  @FieldResolver(() => [Budget], { description: "The client's budgets." })
  async budgets(@Root() client: ClientModel, @Ctx() ctx: GraphQLContext): Promise<BudgetView[]> {
    return (await ctx.useCases.budgets.list(ctx.auth, client.id)).map(budgetView);
  }

  @FieldResolver(() => BudgetAlertConnection, { description: "The client's budget alerts, newest first." })
  async budgetAlerts(
    @Root() client: ClientModel,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<BudgetAlertView>> {
    const alerts = await ctx.useCases.budgets.alerts(ctx.auth, client.id, page);
    return { ...alerts, edges: alerts.edges.map((edge) => ({ ...edge, node: budgetAlertView(edge.node) })) };
  }
}

@Resolver(() => Budget)
export class BudgetResolver {
  @FieldResolver(() => BudgetStatus, {
    description: "Where the budget stands in the period containing asOf.",
  })
  async status(
    @Root() budget: BudgetView,
    @Arg("asOf", () => DateScalar, { nullable: true, description: "A day of the period; today when absent." })
    asOf: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BudgetStatus> {
    const status = await ctx.useCases.budgets.status(ctx.auth, budget.model, asOf);
    return {
      period: status.period,
      actual: money(status.actual, budget.model.currency),
      forecast: costForecastView(status.forecast, budget.model.currency),
      breachProbability: status.breachProbability,
      crossedThresholds: status.crossedThresholds,
    };
  }

  @Mutation(() => Budget, {
    description: "Editors and admins of the client. Creates or replaces a budget and evaluates it at once.",
  })
  async setBudget(
    @Arg("input", () => SetBudgetInput, { description: "The budget." }) input: SetBudgetInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BudgetView> {
    const budget = await underInput(() =>
      ctx.useCases.budgets.set(ctx.auth, {
        ...input,
        filter: input.filter ? toCostFilter(input.filter) : null,
      }),
    );
    return budgetView(budget);
  }

  @Mutation(() => Boolean, {
    description: "Editors and admins of the client. True when the budget existed; its alerts go with it.",
  })
  deleteBudget(
    @Arg("id", () => ID, { description: "The budget's id." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<boolean> {
    return ctx.useCases.budgets.delete(ctx.auth, id);
  }
}

@Resolver(() => BudgetAlert)
export class BudgetAlertResolver {
  @FieldResolver(() => Budget, { description: "The budget that crossed the threshold." })
  async budget(@Root() alert: BudgetAlertView, @Ctx() ctx: GraphQLContext): Promise<BudgetView> {
    const { clientId, budgetId } = alert.model;
    const budget = await ctx.useCases.budgets.budget(ctx.auth, { clientId, budgetId });
    // A deleted budget takes its alerts with it, so an alert always has its budget.
    return budgetView(budget!);
  }

  @Subscription(() => BudgetAlert, {
    description:
      "Budget alerts of the client as they are raised: once per budget, period, threshold and kind.",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, { clientId: string }, GraphQLContext>) =>
      context.useCases.live.budgetAlerts(context.auth, args.clientId),
  })
  budgetAlert(
    @Root() event: BudgetAlertEvent,
    @Arg("clientId", () => ID, {
      description: "The client to follow; the caller must be allowed to read it.",
    })
    _clientId: string,
  ): BudgetAlertView {
    return budgetAlertView(event.alert);
  }
}
