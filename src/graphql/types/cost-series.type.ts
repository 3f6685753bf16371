import { Field, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";
import { Money } from "./money.type.js";

@ObjectType()
export class CostPoint {
  @Field(() => DateScalar, { description: "First day of the bucket." })
  date!: string;

  @Field(() => Money)
  cost!: Money;
}

@ObjectType()
export class CostSeries {
  @Field(() => String, { description: "'total' without groupBy, else the group's key." })
  key!: string;

  @Field(() => String)
  label!: string;

  @Field(() => [CostPoint])
  points!: CostPoint[];
}
