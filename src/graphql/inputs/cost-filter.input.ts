import { Field, InputType } from "type-graphql";
import { CloudProviderEnum } from "../enums.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { CostFilter } from "../../domain/aggregation.js";
import { checkCostFilter } from "../../domain/limits.js";

@InputType({
  description: "Every list narrows the result; lists combine with AND, values within a list with OR.",
})
export class CostFilterInput {
  @Field(() => [CloudProviderEnum], { nullable: true })
  providers?: CloudProvider[];

  @Field(() => [String], {
    nullable: true,
    description: "Sub-account ids (AWS linked account, GCP project, Azure subscription).",
  })
  accountIds?: string[];

  @Field(() => [String], { nullable: true, description: "Service names as the provider bills them." })
  services?: string[];

  @Field(() => [String], { nullable: true })
  regions?: string[];

  @Field(() => [String], { nullable: true, description: "FOCUS service categories, e.g. Compute, Storage." })
  categories?: string[];
}

/** The filter as the use cases take it: lists bounded in count and length (domain/limits.ts). */
export function toCostFilter(input: CostFilterInput | null | undefined): CostFilter {
  return input ? checkCostFilter({ ...input }) : {};
}
