/**
 * Live updates of one client for callers who may read it. Access is checked when the subscription
 * starts: the topic is the tenant's, so no later event can cross tenants. A subscription is handed
 * out once the event broker confirmed it, so no event published from then on is missed.
 */
import type { CloudProvider } from "../domain/provider.js";
import type { Authentication } from "../domain/identity.js";
import { UnavailableError } from "../domain/errors.js";
import { validateSafeId } from "../domain/validation.js";
import { atLeast, type Severity } from "../domain/anomaly.js";
import {
  budgetAlertTopic,
  collectionJobTopic,
  costAnomalyTopic,
  costRecordTopic,
  type BudgetAlertEvent,
  type CollectionJobEvent,
  type CostAnomalyEvent,
  type CostRecordChangeEvent,
} from "../live/events.js";
import type { PubSub } from "../live/pubsub.js";
import type { Subscription } from "../live/subscription.js";

export type {
  BudgetAlertEvent,
  CollectionJobEvent,
  CostAnomalyEvent,
  CostRecordChangeEvent,
} from "../live/events.js";
export { LiveStreamError } from "../live/subscription.js";
import { requireRead } from "./authorization.js";

async function receiving<E>(events: Subscription<E>): Promise<Subscription<E>> {
  try {
    await events.ready;
    return events;
  } catch {
    events.close();
    throw new UnavailableError("live updates are unavailable right now: subscribe again shortly");
  }
}

/**
 * The events `keep` accepts. Not an async generator: a generator's return() waits until its pending
 * next() settles, i.e. until the client's next event, so an unsubscribed or closed subscription
 * would keep listening to its topic until then.
 */
function only<E>(events: Subscription<E>, keep: (event: E) => boolean): AsyncIterableIterator<E> {
  const filtered: AsyncIterableIterator<E> = {
    async next() {
      for (;;) {
        const result = await events.next();
        if (result.done || keep(result.value)) return result;
      }
    },
    return: () => events.return(),
    [Symbol.asyncIterator]: () => filtered,
  };
  return filtered;
}

export class LiveUpdates {
  constructor(private readonly pubsub: PubSub) {}

  /** New and restated days of the client, optionally of some providers only. */
  async costRecordChanges(
    auth: Authentication,
    clientId: string,
    providers?: readonly CloudProvider[],
  ): Promise<AsyncIterableIterator<CostRecordChangeEvent>> {
    const id = validateSafeId(clientId, "clientId");
    requireRead(auth, id);
    const events = await receiving(this.pubsub.subscribe(costRecordTopic(id)));
    return providers?.length ? only(events, (event) => providers.includes(event.provider)) : events;
  }

  /** New and changed anomalies of the client (detected, re-scored, resolved, given feedback). */
  async anomalies(
    auth: Authentication,
    clientId: string,
    minSeverity?: Severity,
  ): Promise<AsyncIterableIterator<CostAnomalyEvent>> {
    const id = validateSafeId(clientId, "clientId");
    requireRead(auth, id);
    const events = await receiving(this.pubsub.subscribe(costAnomalyTopic(id)));
    return only(events, (event) => atLeast(event.anomaly.severity, minSeverity));
  }

  /** Budget alerts of the client as they are raised. */
  async budgetAlerts(auth: Authentication, clientId: string): Promise<Subscription<BudgetAlertEvent>> {
    const id = validateSafeId(clientId, "clientId");
    requireRead(auth, id);
    return receiving(this.pubsub.subscribe(budgetAlertTopic(id)));
  }

  /** Progress of the client's collection jobs. */
  async jobUpdates(auth: Authentication, clientId: string): Promise<Subscription<CollectionJobEvent>> {
    const id = validateSafeId(clientId, "clientId");
    requireRead(auth, id);
    return receiving(this.pubsub.subscribe(collectionJobTopic(id)));
  }
}
