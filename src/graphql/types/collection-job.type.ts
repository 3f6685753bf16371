import { Field, ID, Int, ObjectType } from "type-graphql";
import { CloudProviderEnum, CollectionStatusEnum } from "../enums.js";
import { DateScalar, DateTimeScalar } from "../scalars.js";
import { DateRange } from "./date-range.type.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { CollectionStatus } from "../../domain/collection-job.js";

@ObjectType()
export class CollectionError {
  @Field(() => String)
  code!: string;

  @Field(() => String)
  message!: string;

  @Field(() => Boolean)
  retryable!: boolean;
}

@ObjectType({
  description:
    "Days of the job's period that the provider's API does not serve (older than its history limit): left out on purpose, not failed.",
})
export class SkippedDays {
  @Field(() => DateScalar)
  start!: string;

  @Field(() => DateScalar)
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

  @Field(() => CollectionStatusEnum)
  status!: CollectionStatus;

  @Field(() => Int)
  recordsWritten!: number;

  @Field(() => Int)
  apiRequests!: number;

  @Field(() => Int)
  attempts!: number;

  @Field(() => CollectionError, { nullable: true })
  error?: CollectionError;

  @Field(() => SkippedDays, { nullable: true })
  skipped?: SkippedDays;
}

@ObjectType({
  implements: Node,
  description: "One collection of daily costs for a client's providers over a period.",
})
export class CollectionJob implements Node {
  @Field(() => ID, { description: "The job's id, as `collectionJob(id:)` takes it." })
  id!: string;

  @Field(() => ID)
  clientId!: string;

  @Field(() => CollectionStatusEnum)
  status!: CollectionStatus;

  @Field(() => DateRange)
  period!: DateRange;

  @Field(() => [ProviderCollection])
  providers!: ProviderCollection[];

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar)
  updatedAt!: string;

  @Field(() => DateTimeScalar, { nullable: true })
  startedAt?: string;

  @Field(() => DateTimeScalar, { nullable: true })
  finishedAt?: string;
}

export const CollectionJobConnection = relayConnectionType(
  "CollectionJob",
  CollectionJob,
  "How many jobs the client has (one count over its job listing).",
);
