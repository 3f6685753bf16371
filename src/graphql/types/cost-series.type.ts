import { Field, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";
import { Money } from "./money.type.js";

@ObjectType({ description: "The cost of one bucket of a time series." })
export class CostPoint {
  @Field(() => DateScalar, {
    description:
      "First day of the bucket: the day, the week's Monday or the month's 1st (it may precede the period; only days inside the period are counted).",
  })
  date!: string;

  @Field(() => Money, {
    description:
      "Net cost of the bucket's days inside the period, in the client's reporting currency; 0 when none.",
  })
  cost!: Money;
}

@ObjectType({ description: "The cost of one group over time, one point per bucket." })
export class CostSeries {
  @Field(() => String, {
    description: '"TOTAL" without groupBy, else the group\'s key (as in CostBreakdownItem.key).',
  })
  key!: string;

  @Field(() => String, {
    description: '"Total" without groupBy, else the group\'s name to show (as in CostBreakdownItem.label).',
  })
  label!: string;

  @Field(() => [CostPoint], {
    description: "One point per bucket the period touches, in date order, zero-filled.",
  })
  points!: CostPoint[];
}
