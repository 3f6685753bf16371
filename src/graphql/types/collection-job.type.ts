import { Field, ID, Int, ObjectType } from "type-graphql";
import { CloudProviderEnum, CollectionStatusEnum } from "../enums.js";
import { DateScalar, DateTimeScalar } from "../scalars.js";
import { DateRange } from "./date-range.type.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { CollectionStatus } from "../../domain/collection-job.js";

@ObjectType({ description: "Why a provider's collection, or one month of it, failed." })
export class CollectionError {
  @Field(() => String, {
    description:
      "Machine-readable cause, e.g. AUTHENTICATION, AUTHORIZATION, RATE_LIMIT, TRANSIENT, DATA_UNAVAILABLE (from the provider) or INVALID_DATA, STORE_FAILED, CONNECTION, CANCELLED, SHUTDOWN, INTERRUPTED, LOCK_LOST, INTERNAL.",
  })
  code!: string;

  @Field(() => String, {
    description:
      'What went wrong, safe to show (never a secret); a failed month\'s message starts with its days, "YYYY-MM-DD..YYYY-MM-DD: ".',
  })
  message!: string;

  @Field(() => Boolean, {
    description:
      "True when triggering the collection again may succeed (a passing fault); false when something must be fixed first, e.g. the credentials.",
  })
  retryable!: boolean;
}

@ObjectType({
  description:
    "Days of the job's period that the provider's API does not serve (older than its history limit): left out on purpose, not failed.",
})
export class SkippedDays {
  @Field(() => DateScalar, { description: "First day left out: the period's start." })
  start!: string;

  @Field(() => DateScalar, {
    description:
      "Last day left out, inclusive: the day before the first day the API serves, or the period's end.",
  })
  end!: string;

  @Field(() => String, { description: "Why, with the provider's documented rule." })
  reason!: string;
}

@ObjectType({ implements: Node, description: "One provider's part of a collection job." })
export class ProviderCollection implements Node {
  @Field(() => ID, { description: "Unique per job and provider." })
  id!: string;

  @Field(() => CloudProviderEnum, { description: "The provider collected." })
  provider!: CloudProvider;

  @Field(() => CollectionStatusEnum, {
    description:
      "This provider's progress; the period is pulled one calendar month at a time, so some months can fail while others are stored (PARTIALLY_SUCCEEDED).",
  })
  status!: CollectionStatus;

  @Field(() => Int, {
    description: "Days created or changed in the store; days collected again unchanged are not counted.",
  })
  recordsWritten!: number;

  @Field(() => Int, {
    description:
      "Provider API requests spent so far, retries and the history-limit lookup included (providers bill or throttle per request).",
  })
  apiRequests!: number;

  @Field(() => Int, {
    description: "Pulls tried, summed over the months of the period; a retried month counts each try.",
  })
  attempts!: number;

  @Field(() => CollectionError, {
    nullable: true,
    description: "The last error met; null when no part of this provider's collection failed.",
  })
  error?: CollectionError;

  @Field(() => SkippedDays, {
    nullable: true,
    description: "Days left out because the provider's API does not serve them; null when none were.",
  })
  skipped?: SkippedDays;
}

@ObjectType({
  implements: Node,
  description: "One collection of daily costs for a client's providers over a period.",
})
export class CollectionJob implements Node {
  @Field(() => ID, { description: "The job's id, as `collectionJob(id:)` takes it." })
  id!: string;

  @Field(() => ID, { description: "The client collected for." })
  clientId!: string;

  @Field(() => CollectionStatusEnum, {
    description:
      "The job as a whole: SUCCEEDED when every provider succeeded, FAILED when every provider failed or the job was stopped, else PARTIALLY_SUCCEEDED.",
  })
  status!: CollectionStatus;

  @Field(() => DateRange, { description: "The days collected, as requested (billing days, both inclusive)." })
  period!: DateRange;

  @Field(() => [ProviderCollection], {
    description: "One entry per provider collected, each with its own status.",
  })
  providers!: ProviderCollection[];

  @Field(() => DateTimeScalar, { description: "When the job was triggered." })
  createdAt!: string;

  @Field(() => DateTimeScalar, {
    description:
      "When the job was last stored; a RUNNING job refreshes it about once a minute (a heartbeat).",
  })
  updatedAt!: string;

  @Field(() => DateTimeScalar, { nullable: true, description: "When collecting began; null while QUEUED." })
  startedAt?: string;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When the job ended; null while QUEUED or RUNNING.",
  })
  finishedAt?: string;
}

export const CollectionJobConnection = relayConnectionType(
  "CollectionJob",
  CollectionJob,
  "How many jobs the client has (one count over its job listing).",
);
