import { Field, InputType } from "type-graphql";
import { CloudProviderEnum } from "../enums.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { CostFilter } from "../../domain/aggregation.js";
import { MAX_FILTER_VALUES, MAX_STRING_LENGTH } from "../../domain/limits.js";
import { ValidationError } from "../../domain/validation.js";

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
  const filter: CostFilter = {};
  if (!input) return filter;
  for (const name of ["accountIds", "services", "regions", "categories"] as const) {
    const values = input[name];
    if (!values) continue;
    if (values.length > MAX_FILTER_VALUES)
      throw new ValidationError(`filter.${name}`, `has more than ${MAX_FILTER_VALUES} values`);
    const tooLong = values.findIndex((v) => v.length > MAX_STRING_LENGTH);
    if (tooLong >= 0)
      throw new ValidationError(
        `filter.${name}[${tooLong}]`,
        `is longer than ${MAX_STRING_LENGTH} characters`,
      );
    filter[name] = values;
  }
  if (input.providers) filter.providers = input.providers;
  return filter;
}
