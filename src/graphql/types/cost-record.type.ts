import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { CloudProviderEnum, ConfidenceEnum } from "../enums.js";
import { DateScalar, DateTimeScalar } from "../scalars.js";
import { Money } from "./money.type.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { Confidence } from "../../domain/data-quality.js";

@ObjectType()
export class ServiceCostItem {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "FOCUS ServiceCategory." })
  category!: string;

  @Field(() => Money)
  cost!: Money;
}

@ObjectType({ implements: Node, description: "One sub-account's cost on one record's day." })
export class AccountCostItem implements Node {
  @Field(() => ID, {
    description: "Unique per record and account; the cloud account id is `accountId`.",
  })
  id!: string;

  @Field(() => String, {
    description: "The cloud's sub-account id: AWS linked account, GCP project, Azure subscription.",
  })
  accountId!: string;

  @Field(() => String, { nullable: true })
  name?: string;

  @Field(() => Money)
  cost!: Money;
}

@ObjectType()
export class RegionCostItem {
  @Field(() => String, { description: "Provider region code; empty for charges without a region (taxes)." })
  region!: string;

  @Field(() => Money)
  cost!: Money;
}

@ObjectType()
export class ChargeCategoryCostItem {
  @Field(() => String, { description: "FOCUS ChargeCategory: Usage, Purchase, Tax, Credit or Adjustment." })
  category!: string;

  @Field(() => Money)
  cost!: Money;
}

@ObjectType({ description: "The rate a billed amount was converted with, and where it came from." })
export class ExchangeRate {
  @Field(() => String)
  from!: string;

  @Field(() => String)
  to!: string;

  @Field(() => Float)
  rate!: number;

  @Field(() => DateScalar)
  rateDate!: string;

  @Field(() => String)
  source!: string;
}

@ObjectType()
export class DataQuality {
  @Field(() => Float)
  completeness!: number;

  @Field(() => Float)
  accuracy!: number;

  @Field(() => Float)
  timeliness!: number;

  @Field(() => Float)
  consistency!: number;

  @Field(() => Float, { description: "0..1" })
  score!: number;

  @Field(() => ConfidenceEnum)
  confidence!: Confidence;

  @Field(() => [String])
  issues!: string[];
}

@ObjectType()
export class CollectionMetadata {
  @Field(() => ID)
  jobId!: string;

  @Field(() => DateTimeScalar)
  collectedAt!: string;

  @Field(() => String)
  sourceApi!: string;

  @Field(() => Int)
  apiRequests!: number;
}

@ObjectType({ implements: Node, description: "One client's cost of one provider on one day." })
export class CostRecord implements Node {
  @Field(() => ID, { description: "Unique per client, provider and day." })
  id!: string;

  @Field(() => ID)
  clientId!: string;

  @Field(() => CloudProviderEnum)
  provider!: CloudProvider;

  @Field(() => DateScalar)
  date!: string;

  @Field(() => Money, { description: "In the client's reporting currency." })
  total!: Money;

  @Field(() => [Money], { description: "What the provider billed, per billing currency, unconverted." })
  billedTotals!: Money[];

  @Field(() => Boolean, { description: "True while the provider may still restate the day." })
  estimated!: boolean;

  @Field(() => [ServiceCostItem])
  services!: ServiceCostItem[];

  @Field(() => [AccountCostItem])
  accounts!: AccountCostItem[];

  @Field(() => [RegionCostItem])
  regions!: RegionCostItem[];

  @Field(() => [ChargeCategoryCostItem])
  chargeCategories!: ChargeCategoryCostItem[];

  @Field(() => [ExchangeRate])
  exchangeRates!: ExchangeRate[];

  @Field(() => DataQuality)
  dataQuality!: DataQuality;

  @Field(() => CollectionMetadata)
  collection!: CollectionMetadata;

  @Field(() => Int, {
    description: "Incremented on every stored change; a repeated live event has the same version.",
  })
  version!: number;
}

export const CostRecordConnection = relayConnectionType(
  "CostRecord",
  CostRecord,
  "Always null: counting would read every day of the period; page until hasNextPage is false.",
);
