import { Field, ID, InputType } from "type-graphql";

@InputType()
export class CreateClientInput {
  @Field(() => ID, { nullable: true, description: "Letters, digits, '_', '.', '-'; generated when absent." })
  id?: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "ISO 4217 code, e.g. USD." })
  reportingCurrency!: string;
}
