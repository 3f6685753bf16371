import { Field, ID, InputType } from "type-graphql";

@InputType({ description: "A new client (tenant)." })
export class CreateClientInput {
  @Field(() => ID, {
    nullable: true,
    description:
      "1 to 64 letters, digits, '_', '.' or '-', starting with a letter or digit; generated when absent; CONFLICT when taken.",
  })
  id?: string;

  @Field(() => String, { description: "Display name: 1 to 100 characters after trimming spaces." })
  name!: string;

  @Field(() => String, {
    description:
      "Active ISO 4217 code, e.g. USD: every amount of the client is converted to and served in it.",
  })
  reportingCurrency!: string;
}
