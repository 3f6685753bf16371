import { Field, ID, Int, ObjectType } from "type-graphql";
import { CloudProviderEnum, CollectionStatusEnum } from "../enums.js";
import { DateScalar, DateTimeScalar } from "../scalars.js";
import { DateRange } from "./date-range.type.js";
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

@ObjectType()
export class ProviderCollection {
  @Field(() => CloudProviderEnum)
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

@ObjectType()
export class CollectionJob {
  @Field(() => ID)
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

export const CollectionJobConnection = relayConnectionType("CollectionJob", CollectionJob);
