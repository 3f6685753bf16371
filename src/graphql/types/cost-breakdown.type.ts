import { Field, Float, ObjectType } from "type-graphql";
import { Money } from "./money.type.js";

@ObjectType({ description: "One group of a breakdown: the period's cost of one value of the dimension." })
export class CostBreakdownItem {
  @Field(() => String, {
    description:
      'Stable key of the group: the provider (PROVIDER), the category (SERVICE_CATEGORY), or "<PROVIDER>|<value>" for SERVICE, ACCOUNT and REGION (names repeat across clouds); "__others__" for the folded rest.',
  })
  key!: string;

  @Field(() => String, {
    description:
      'Name to show: the provider\'s full name, the service or category, the account\'s name (else its id), the region ("No region" for charges without one); "Other (N more)" for the folded rest.',
  })
  label!: string;

  @Field(() => Money, {
    description:
      "Net cost of the group over the period, in the client's reporting currency; negative for credits.",
  })
  cost!: Money;

  @Field(() => Float, {
    description:
      "The group's cost over the net total: the shares sum to 1 and credits have negative ones; every share is 0 when the net total is 0 or negative.",
  })
  share!: number;
}
