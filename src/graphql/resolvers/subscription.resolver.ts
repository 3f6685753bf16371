import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import { CostRecordChange } from "../types/cost-record-change.type.js";
import { CollectionJob } from "../types/collection-job.type.js";
import { CloudProviderEnum } from "../enums.js";
import { money } from "../types/money.type.js";
import { collectionJobView, costRecordView } from "../views.js";
import type { CollectionJobEvent, CostRecordChangeEvent } from "../../application/live-updates.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { GraphQLContext } from "../context.js";

interface CostArgs {
  clientId: string;
  providers?: CloudProvider[] | null;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => CostRecordChange, {
    description: "New and restated days of the client, optionally of some providers only.",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, CostArgs, GraphQLContext>) =>
      context.useCases.live.costRecordChanges(context.auth, args.clientId, args.providers ?? undefined),
  })
  async costRecordChanged(
    @Root() event: CostRecordChangeEvent,
    @Arg("clientId", () => ID, {
      description: "The client to follow; the caller must be allowed to read it.",
    })
    _clientId: string,
    @Arg("providers", () => [CloudProviderEnum], {
      nullable: true,
      description: "Only changes of these providers; every provider's when absent or empty.",
    })
    _providers: CloudProvider[] | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CostRecordChange> {
    // A day too large for its stream image arrives without its lists: read it whole, so a cache
    // never replaces a record's services, accounts and regions with empty lists.
    const record = event.detailOmitted
      ? ((await ctx.useCases.costs.record(ctx.auth, event)) ?? event.record)
      : event.record;
    return {
      changeType: event.changeType,
      record: costRecordView(record),
      previousTotal:
        event.previousTotal === null ? null : money(event.previousTotal, event.record.reportingCurrency),
      eventId: event.eventId,
    };
  }

  @Subscription(() => CollectionJob, {
    description:
      "Progress of the client's collection jobs: the whole job each time it is stored (status changes, provider progress, heartbeats).",
    subscribe: ({ context, args }: SubscribeResolverData<unknown, { clientId: string }, GraphQLContext>) =>
      context.useCases.live.jobUpdates(context.auth, args.clientId),
  })
  collectionJobUpdated(
    @Root() event: CollectionJobEvent,
    @Arg("clientId", () => ID, {
      description: "The client to follow; the caller must be allowed to read it.",
    })
    _clientId: string,
  ): CollectionJob {
    return collectionJobView(event.job);
  }
}
