import { Field, Float, ObjectType } from "type-graphql";

@ObjectType({ description: "An amount in a currency." })
export class Money {
  @Field(() => Float, {
    description:
      "Served at full precision, not rounded to the currency's minor unit (round for display); negative for credits.",
  })
  amount!: number;

  @Field(() => String, { description: "ISO 4217 code." })
  currency!: string;
}

export function money(amount: number, currency: string): Money {
  return Object.assign(new Money(), { amount, currency });
}
