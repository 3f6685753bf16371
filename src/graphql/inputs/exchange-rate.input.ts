import { Field, Float, InputType } from "type-graphql";

@InputType({ description: "One month's rate: amount in `to` = amount in `from` x rate." })
export class ExchangeRateInput {
  @Field(() => String, { description: "The month the rate converts every day of, YYYY-MM." })
  month!: string;

  @Field(() => String, { description: "ISO 4217 code converted from (a billing currency)." })
  from!: string;

  @Field(() => String, { description: "ISO 4217 code converted to (a reporting currency)." })
  to!: string;

  @Field(() => Float, {
    description:
      "Positive: 1 `from` = rate `to`; also used, inverted, for the opposite pair when that one is not set.",
  })
  rate!: number;

  @Field(() => String, {
    description:
      "Where the rate comes from, e.g. ecb-monthly: 1 to 100 characters, shown on converted records.",
  })
  source!: string;
}
