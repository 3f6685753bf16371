import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Mutation,
  Resolver,
  Root,
  Subscription,
  type SubscribeResolverData,
} from "type-graphql";
import { Client } from "../types/client.type.js";
import { CostAnomaly, CostAnomalyConnection } from "../types/cost-anomaly.type.js";
import { AnomalyStatusEnum, SeverityEnum } from "../enums.js";
import { DateRangeInput } from "../inputs/date-range.input.js";
import { SetAnomalyFeedbackInput } from "../inputs/set-anomaly-feedback.input.js";
import { underInput } from "../inputs/under-input.js";
import { PageArgs } from "../page-arguments.js";
import { costAnomalyView } from "../views.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type { CostAnomalyEvent } from "../../application/live-updates.js";
import type { AnomalyStatus, Severity } from "../../domain/anomaly.js";
import type { Client as ClientModel } from "../../domain/client.js";

@Resolver(() => Client)
export class CostAnomalyResolver {
  @FieldResolver(() => CostAnomalyConnection, {
    description: "The client's anomalies of a period, newest day first.",
  })
  async costAnomalies(
    @Root() client: ClientModel,
    @Arg("period", () => DateRangeInput, {
      description: "Days whose anomalies to list (by the event's first day).",
    })
    period: DateRangeInput,
    @Arg("minSeverity", () => SeverityEnum, { nullable: true, description: "Only this severity and above." })
    minSeverity: Severity | undefined,
    @Arg("status", () => AnomalyStatusEnum, {
      nullable: true,
      description: "Only OPEN or only RESOLVED ones.",
    })
    status: AnomalyStatus | undefined,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<CostAnomaly>> {
    const found = await ctx.useCases.anomalies.list(
      ctx.auth,
      client.id,
      { period, ...(minSeverity ? { minSeverity } : {}), ...(status ? { status } : {}) },
      page,
    );
    return { ...found, edges: found.edges.map((edge) => ({ ...edge, node: costAnomalyView(edge.node) })) };
  }

  @Mutation(() => CostAnomaly, {
    description:
      "Editors and admins of the client. Records a verdict; NOT_ANOMALY and PLANNED mute the pattern.",
  })
  async setAnomalyFeedback(
    @Arg("input", () => SetAnomalyFeedbackInput, { description: "The anomaly and the verdict." })
    input: SetAnomalyFeedbackInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostAnomaly> {
    const anomaly = await underInput(() =>
      ctx.useCases.anomalies.setFeedback(ctx.auth, input.anomalyId, input.feedback),
    );
    return costAnomalyView(anomaly);
  }

  @Subscription(() => CostAnomaly, {
    description: "New anomalies of the client, and changed ones (re-scored, resolved, given feedback).",
    subscribe: ({
      context,
      args,
    }: SubscribeResolverData<unknown, { clientId: string; minSeverity?: Severity | null }, GraphQLContext>) =>
      context.useCases.live.anomalies(context.auth, args.clientId, args.minSeverity ?? undefined),
  })
  costAnomalyDetected(
    @Root() event: CostAnomalyEvent,
    @Arg("clientId", () => ID, {
      description: "The client to follow; the caller must be allowed to read it.",
    })
    _clientId: string,
    @Arg("minSeverity", () => SeverityEnum, { nullable: true, description: "Only this severity and above." })
    _minSeverity: Severity | undefined,
  ): CostAnomaly {
    return costAnomalyView(event.anomaly);
  }
}
