import { Field, Float, ID, ObjectType } from "type-graphql";
import { Node } from "./node.type.js";
import { CloudProviderEnum } from "../enums.js";
import { Money } from "./money.type.js";
import { DateRange } from "./date-range.type.js";
import type { CloudProvider } from "../../domain/provider.js";

@ObjectType()
export class ProviderCost {
  @Field(() => CloudProviderEnum)
  provider!: CloudProvider;

  @Field(() => Money)
  cost!: Money;
}

@ObjectType({
  implements: Node,
  description: "Total cost of a period, per provider, compared with the previous period of equal length.",
})
export class CostSummary implements Node {
  @Field(() => ID, { description: "Unique per client, period and filter." })
  id!: string;

  @Field(() => DateRange)
  period!: DateRange;

  @Field(() => Money)
  total!: Money;

  @Field(() => [ProviderCost])
  byProvider!: ProviderCost[];

  @Field(() => DateRange)
  previousPeriod!: DateRange;

  @Field(() => Money)
  previousTotal!: Money;

  @Field(() => Float, {
    nullable: true,
    description: "Change against the previous period in percent; null when it was 0.",
  })
  changePercent!: number | null;
}
