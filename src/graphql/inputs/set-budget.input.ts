import { Field, Float, ID, InputType } from "type-graphql";
import { BudgetPeriodEnum } from "../enums.js";
import { CostFilterInput } from "./cost-filter.input.js";
import type { BudgetPeriod } from "../../domain/budget.js";
import { MAX_BUDGET_AMOUNT, MAX_BUDGETS_PER_CLIENT } from "../../domain/budget.js";

@InputType({
  description: `A budget to create (no id) or replace (its id); at most ${MAX_BUDGETS_PER_CLIENT} per client.`,
})
export class SetBudgetInput {
  @Field(() => ID, { description: "The client the budget belongs to." })
  clientId!: string;

  @Field(() => ID, { nullable: true, description: "The budget to replace; absent to create one." })
  id?: string | null;

  @Field(() => String, { description: "Display name, 1 to 256 characters." })
  name!: string;

  @Field(() => Float, {
    description: `The amount per period in the client's reporting currency: above 0, at most ${MAX_BUDGET_AMOUNT}.`,
  })
  amount!: number;

  @Field(() => BudgetPeriodEnum, { description: "Calendar month, quarter or year." })
  period!: BudgetPeriod;

  @Field(() => CostFilterInput, {
    nullable: true,
    description: "The costs counted; absent: every cost of the client.",
  })
  filter?: CostFilterInput | null;

  @Field(() => [Float], {
    nullable: true,
    description: "Fractions of the amount to be alerted at, each in (0, 10]; [0.5, 0.8, 1] when absent.",
  })
  thresholds?: number[] | null;
}
