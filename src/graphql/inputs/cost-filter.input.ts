import { Field, InputType } from "type-graphql";
import { CloudProviderEnum } from "../enums.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { CostFilter } from "../../domain/aggregation.js";
import { checkCostFilter, MAX_FILTER_VALUES, MAX_STRING_LENGTH } from "../../domain/limits.js";

@InputType({
  description: `Every list narrows the result; lists combine with AND, values within a list with OR; an absent or empty list does not narrow. Values match exactly; at most ${MAX_FILTER_VALUES} per list, ${MAX_STRING_LENGTH} characters each.`,
})
export class CostFilterInput {
  @Field(() => [CloudProviderEnum], { nullable: true, description: "Only these clouds." })
  providers?: CloudProvider[];

  @Field(() => [String], {
    nullable: true,
    description:
      "Sub-account ids (AWS linked account, GCP project, Azure subscription), as AccountCostItem.accountId; not breakdown keys.",
  })
  accountIds?: string[];

  @Field(() => [String], {
    nullable: true,
    description: "Service names as the provider bills them, as ServiceCostItem.name; not breakdown keys.",
  })
  services?: string[];

  @Field(() => [String], {
    nullable: true,
    description: 'Provider region codes, e.g. us-east-1, europe-west1; "" matches charges without a region.',
  })
  regions?: string[];

  @Field(() => [String], {
    nullable: true,
    description: "FOCUS service categories, e.g. Compute, Storage, Other.",
  })
  categories?: string[];
}

/** The filter as the use cases take it: lists bounded in count and length (domain/limits.ts). */
export function toCostFilter(input: CostFilterInput | null | undefined): CostFilter {
  return input ? checkCostFilter({ ...input }) : {};
}
