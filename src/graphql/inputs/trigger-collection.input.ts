import { Field, ID, InputType } from "type-graphql";
import { CloudProviderEnum } from "../enums.js";
import { DateRangeInput } from "./date-range.input.js";
import type { CloudProvider } from "../../domain/provider.js";

@InputType({ description: "What to collect: some of a client's connected providers over a period." })
export class TriggerCollectionInput {
  @Field(() => ID, { description: "The client to collect for." })
  clientId!: string;

  @Field(() => [CloudProviderEnum], {
    nullable: true,
    description:
      "Providers to collect, each connected for the client; every connected provider when omitted (an empty list is refused).",
  })
  providers?: CloudProvider[];

  @Field(() => DateRangeInput, {
    description:
      "Days to collect: at most 400, ending today (UTC) at the latest; days a provider's API no longer serves are skipped, not failed.",
  })
  period!: DateRangeInput;
}
