import { Field, Float, InputType } from "type-graphql";

@InputType({ description: "One month's rate: amount in `to` = amount in `from` x rate." })
export class ExchangeRateInput {
  @Field(() => String, { description: "YYYY-MM" })
  month!: string;

  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;

  @Field(() => Float)
  rate!: number;

  @Field(() => String, { description: "Where the rate comes from, e.g. ecb-monthly." })
  source!: string;
}
