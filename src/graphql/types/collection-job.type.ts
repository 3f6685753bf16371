import { Field, ID, Int, ObjectType } from "type-graphql";
import { CloudProviderEnum, CollectionStatusEnum } from "../enums.js";
import { DateTimeScalar } from "../scalars.js";
import { DateRange } from "./date-range.type.js";
import { connectionType } from "./page-info.type.js";
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

export const CollectionJobConnection = connectionType("CollectionJob", CollectionJob);
