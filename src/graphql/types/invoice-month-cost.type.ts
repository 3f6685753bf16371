import { Field, ObjectType } from "type-graphql";
import { CloudProviderEnum } from "../enums.js";
import { Money } from "./money.type.js";
import type { CloudProvider } from "../../domain/provider.js";

@ObjectType({ description: "What one provider bills on an invoice month." })
export class InvoiceProviderCost {
  @Field(() => CloudProviderEnum, { description: "The provider." })
  provider!: CloudProvider;

  @Field(() => Money, {
    description:
      "Net cost of the lines billed on the month, in the client's reporting currency (lines without an exchange rate left out).",
  })
  cost!: Money;

  @Field(() => [Money], {
    description:
      "Net cost per billing currency, unconverted: the figures to check against the provider's invoice, to the cent.",
  })
  billed!: Money[];
}

@ObjectType({
  description:
    "Costs by the invoice they are billed on rather than by usage day: GCP bills a late row of a month's last days on the next month's invoice (its invoice.month, adjustments included); AWS and Azure lines count in their usage month.",
})
export class InvoiceMonthCost {
  @Field(() => String, { description: "The invoice month, YYYY-MM." })
  invoiceMonth!: string;

  @Field(() => Money, {
    description: "Net cost of every provider's part, in the client's reporting currency.",
  })
  total!: Money;

  @Field(() => [InvoiceProviderCost], {
    description: "Each provider with lines on the invoice month, largest first.",
  })
  byProvider!: InvoiceProviderCost[];
}
