import { Field, Float, ObjectType } from "type-graphql";

@ObjectType({ description: "An amount in a currency; amounts are rounded to 1e-10 only when served." })
export class Money {
  @Field(() => Float)
  amount!: number;

  @Field(() => String, { description: "ISO 4217 code." })
  currency!: string;
}

export function money(amount: number, currency: string): Money {
  return Object.assign(new Money(), { amount, currency });
}
