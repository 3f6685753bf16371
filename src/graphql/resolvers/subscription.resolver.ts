import { GraphQLError } from "graphql";
import { Arg, Ctx, ID, Resolver, Root, Subscription, type SubscribeResolverData } from "type-graphql";
import { CostRecordChange } from "../types/cost-record-change.type.js";
import { CollectionJob } from "../types/collection-job.type.js";
import { CloudProviderEnum } from "../enums.js";
import { requireRead } from "../auth.js";
import { money } from "../types/money.type.js";
import { costRecordView } from "../views.js";
import { validateSafeId } from "../../domain/validation.js";
import {
  collectionJobTopic,
  costRecordTopic,
  type CollectionJobEvent,
  type CostRecordChangeEvent,
} from "../../live/events.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { Subscription as TopicSubscription } from "../../live/subscription.js";
import type { CollectionJob as CollectionJobModel } from "../../domain/collection-job.js";
import type { GraphQLContext } from "../context.js";

interface CostArgs {
  clientId: string;
  providers?: CloudProvider[] | null;
}

/**
 * The events of the wanted providers. Not an async generator: a generator's return() waits until
 * its pending next() settles, i.e. until the client's next event, so an unsubscribed or closed
 * subscription would keep listening to its topic until then.
 */
function onlyProviders(
  events: TopicSubscription<CostRecordChangeEvent>,
  providers: CloudProvider[] | null | undefined,
): AsyncIterableIterator<CostRecordChangeEvent> {
  if (!providers?.length) return events;
  const filtered: AsyncIterableIterator<CostRecordChangeEvent> = {
    async next() {
      for (;;) {
        const result = await events.next();
        if (result.done || providers.includes(result.value.provider)) return result;
      }
    },
    return: () => events.return(),
    [Symbol.asyncIterator]: () => filtered,
  };
  return filtered;
}

/**
 * The subscription once events published from now on reach it (a broker confirmed it); a broker
 * that cannot confirm refuses the subscription with a clear error instead of a silent stream.
 */
async function receiving<E>(events: TopicSubscription<E>): Promise<TopicSubscription<E>> {
  try {
    await events.ready;
    return events;
  } catch {
    events.close();
    throw new GraphQLError("live updates are unavailable right now: subscribe again shortly", {
      extensions: { code: "SERVICE_UNAVAILABLE" },
    });
  }
}

/** Access is checked when the subscription starts: the topic is the tenant's, so no later event can cross tenants. */
function authorizedClient(
  data: SubscribeResolverData<unknown, { clientId: string }, GraphQLContext>,
): string {
  const clientId = validateSafeId(data.args.clientId, "clientId");
  requireRead(data.context.auth, clientId);
  return clientId;
}

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => CostRecordChange, {
    description: "New and restated days of the client, optionally of some providers only.",
    subscribe: async (data: SubscribeResolverData<unknown, CostArgs, GraphQLContext>) => {
      const clientId = authorizedClient(data);
      return onlyProviders(
        await receiving(data.context.services.pubsub.subscribe(costRecordTopic(clientId))),
        data.args.providers,
      );
    },
  })
  costRecordChanged(
    @Root() event: CostRecordChangeEvent,
    @Arg("clientId", () => ID) _clientId: string,
    @Arg("providers", () => [CloudProviderEnum], { nullable: true }) _providers: CloudProvider[] | undefined,
    @Ctx() _ctx: GraphQLContext,
  ): CostRecordChange {
    return {
      changeType: event.changeType,
      record: costRecordView(event.record),
      previousTotal:
        event.previousTotal === null ? null : money(event.previousTotal, event.record.reportingCurrency),
      eventId: event.eventId,
    };
  }

  @Subscription(() => CollectionJob, {
    description: "Progress of the client's collection jobs.",
    subscribe: (data: SubscribeResolverData<unknown, { clientId: string }, GraphQLContext>) =>
      receiving(data.context.services.pubsub.subscribe(collectionJobTopic(authorizedClient(data)))),
  })
  collectionJobUpdated(
    @Root() event: CollectionJobEvent,
    @Arg("clientId", () => ID) _clientId: string,
  ): CollectionJobModel {
    return event.job;
  }
}
