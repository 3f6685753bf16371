import { Field, Float, ID, ObjectType } from "type-graphql";
import { BudgetAlertKindEnum, BudgetPeriodEnum, CloudProviderEnum } from "../enums.js";
import { DateTimeScalar } from "../scalars.js";
import { CostForecast } from "./cost-forecast.type.js";
import { DateRange } from "./date-range.type.js";
import { Money } from "./money.type.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";
import type { BudgetAlertKind, BudgetPeriod } from "../../domain/budget.js";
import type { CloudProvider } from "../../domain/provider.js";

@ObjectType({ description: "Which costs a budget counts; the same fields as CostFilterInput." })
export class CostFilter {
  @Field(() => [CloudProviderEnum], { nullable: true, description: "Only these clouds; null: all." })
  providers?: CloudProvider[];

  @Field(() => [String], { nullable: true, description: "Only these sub-accounts; null: all." })
  accountIds?: string[];

  @Field(() => [String], { nullable: true, description: "Only these services; null: all." })
  services?: string[];

  @Field(() => [String], { nullable: true, description: "Only these regions; null: all." })
  regions?: string[];

  @Field(() => [String], { nullable: true, description: "Only these FOCUS service categories; null: all." })
  categories?: string[];
}

@ObjectType({ description: "Where a budget stands in one of its periods." })
export class BudgetStatus {
  @Field(() => DateRange, { description: "The calendar month, quarter or year." })
  period!: DateRange;

  @Field(() => Money, { description: "Spent so far in the period, under the budget's filter." })
  actual!: Money;

  @Field(() => CostForecast, { description: "Where the period will end, at 80% confidence." })
  forecast!: CostForecast;

  @Field(() => Float, { description: "P(period total > amount), from the forecast's distribution; 0..1." })
  breachProbability!: number;

  @Field(() => [Float], {
    description: "Thresholds already crossed by actual spend, as fractions of the amount.",
  })
  crossedThresholds!: number[];
}

@ObjectType({
  implements: Node,
  description: "An amount a client means to spend per period on some of its costs.",
})
export class Budget implements Node {
  @Field(() => ID, { description: "The budget's id." })
  id!: string;

  @Field(() => ID, { description: "The client the budget belongs to." })
  clientId!: string;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => Money, { description: "The amount per period, in the client's reporting currency." })
  amount!: Money;

  @Field(() => BudgetPeriodEnum, { description: "Calendar month, quarter or year." })
  period!: BudgetPeriod;

  @Field(() => CostFilter, {
    nullable: true,
    description: "The costs counted; null: every cost of the client.",
  })
  filter!: CostFilter | null;

  @Field(() => [Float], {
    description: "Fractions of the amount to be alerted at, ascending, e.g. [0.5, 0.8, 1].",
  })
  thresholds!: number[];

  @Field(() => DateTimeScalar, { description: "When the budget was last set." })
  updatedAt!: string;
}

@ObjectType({
  implements: Node,
  description: "A budget threshold crossed, raised once per budget, period, threshold and kind.",
})
export class BudgetAlert implements Node {
  @Field(() => ID, { description: "The alert's id." })
  id!: string;

  @Field(() => BudgetAlertKindEnum, {
    description: "ACTUAL spend crossed the threshold, or the FORECAST total will.",
  })
  kind!: BudgetAlertKind;

  @Field(() => Float, { description: "The threshold crossed, as a fraction of the amount." })
  threshold!: number;

  @Field(() => DateRange, { description: "The budget period it concerns." })
  period!: DateRange;

  @Field(() => Money, { description: "Spent in the period when it was raised." })
  actual!: Money;

  @Field(() => Money, { description: "The expected period total when it was raised." })
  forecast!: Money;

  @Field(() => Float, { description: "The breach probability when it was raised." })
  breachProbability!: number;

  @Field(() => DateTimeScalar, { description: "When it was raised." })
  at!: string;
}

export const BudgetAlertConnection = relayConnectionType(
  "BudgetAlert",
  BudgetAlert,
  "How many alerts the client has (counted from the same read as the page).",
);
