import { Field, Float, ObjectType } from "type-graphql";
import { Money } from "./money.type.js";

@ObjectType()
export class CostBreakdownItem {
  @Field(() => String, {
    description: "Stable key of the group (service name, account id, ...); 'Other' for the folded rest.",
  })
  key!: string;

  @Field(() => String)
  label!: string;

  @Field(() => Money)
  cost!: Money;

  @Field(() => Float, { description: "Share of the total, 0..1; the shares of a breakdown sum to 1." })
  share!: number;
}
