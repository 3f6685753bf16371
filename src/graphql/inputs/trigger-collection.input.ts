import { Field, ID, InputType } from "type-graphql";
import { CloudProviderEnum } from "../enums.js";
import { DateRangeInput } from "./date-range.input.js";
import type { CloudProvider } from "../../domain/provider.js";

@InputType()
export class TriggerCollectionInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => [CloudProviderEnum], { nullable: true, description: "Defaults to every connected provider." })
  providers?: CloudProvider[];

  @Field(() => DateRangeInput)
  period!: DateRangeInput;
}
