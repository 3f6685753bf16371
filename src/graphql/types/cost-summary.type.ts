import { Field, Float, ID, ObjectType } from "type-graphql";
import { Node } from "./node.type.js";
import { CloudProviderEnum } from "../enums.js";
import { Money } from "./money.type.js";
import { DateRange } from "./date-range.type.js";
import type { CloudProvider } from "../../domain/provider.js";

@ObjectType({ description: "One provider's part of a summary's total." })
export class ProviderCost {
  @Field(() => CloudProviderEnum, { description: "The provider." })
  provider!: CloudProvider;

  @Field(() => Money, { description: "Its net cost over the period, in the client's reporting currency." })
  cost!: Money;
}

@ObjectType({
  implements: Node,
  description: "Total cost of a period, per provider, compared with the previous period of equal length.",
})
export class CostSummary implements Node {
  @Field(() => ID, { description: "Unique per client, period and filter." })
  id!: string;

  @Field(() => DateRange, { description: "The period asked for." })
  period!: DateRange;

  @Field(() => Money, {
    description:
      "Net cost of the period (credits subtracted), filter applied, in the client's reporting currency.",
  })
  total!: Money;

  @Field(() => [ProviderCost], {
    description:
      "The total split by provider, largest first; providers with no matching stored data are absent.",
  })
  byProvider!: ProviderCost[];

  @Field(() => DateRange, {
    description: "The period of equal length that ends the day before `period` starts.",
  })
  previousPeriod!: DateRange;

  @Field(() => Money, { description: "Net cost of previousPeriod, same filter and currency." })
  previousTotal!: Money;

  @Field(() => Float, {
    nullable: true,
    description:
      "(total - previousTotal) / |previousTotal| x 100, so positive means more spent; null when previousTotal is 0.",
  })
  changePercent!: number | null;
}
