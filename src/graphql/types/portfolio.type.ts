import { Field, Int, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";
import { CostSummary } from "./cost-summary.type.js";
import { Money } from "./money.type.js";
import { relayConnectionType } from "./page-info.type.js";

/** `client` is a field resolver (portfolio.resolver.ts): the profile is read only when selected. */
@ObjectType({ description: "One client of the portfolio, with its cost and its change." })
export class PortfolioEntry {
  clientId!: string;

  @Field(() => CostSummary, {
    description:
      "The client's summary of the period against the previous one, the same object as `client.costSummary` with the providers as its filter.",
  })
  summary!: CostSummary;

  @Field(() => Money, { description: "summary.total - summary.previousTotal: positive means more spent." })
  change!: Money;
}

export const PortfolioEntryConnection = relayConnectionType(
  "PortfolioEntry",
  PortfolioEntry,
  "How many clients the portfolio holds (counted in memory: the whole portfolio is read anyway).",
);

/** `client` is a field resolver too. */
@ObjectType({ description: "One client's part of a bucket." })
export class BucketClientCost {
  clientId!: string;

  @Field(() => Money, { description: "The client's cost in the bucket, in its reporting currency." })
  cost!: Money;
}

@ObjectType({ description: "One provider's cost across clients in one bucket." })
export class ProviderCostBucket {
  @Field(() => DateScalar, {
    description: "First day of the bucket: the day, the week's Monday or the month's 1st.",
  })
  date!: string;

  @Field(() => [Money], {
    description:
      "Sum over the clients, one amount per reporting currency (nothing is converted), largest first; empty when nothing is stored.",
  })
  totals!: Money[];

  @Field(() => Int, { description: "How many clients have a cost stored in the bucket." })
  clientCount!: number;

  @Field(() => [BucketClientCost], { description: "The largest clients of the bucket, at most `top`." })
  topClients!: BucketClientCost[];
}
