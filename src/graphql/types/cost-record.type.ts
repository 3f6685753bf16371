import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { CloudProviderEnum, ConfidenceEnum } from "../enums.js";
import { DateScalar, DateTimeScalar } from "../scalars.js";
import { Money } from "./money.type.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { Confidence } from "../../domain/data-quality.js";

@ObjectType({
  description:
    "One service's cost on one record's day; a service split across categories (e.g. EC2 instances and volumes) has one item per category.",
})
export class ServiceCostItem {
  @Field(() => String, {
    description: "The service's name as the provider bills it (what filter.services matches).",
  })
  name!: string;

  @Field(() => String, {
    description: "FOCUS ServiceCategory; Other when the service is not in the catalog.",
  })
  category!: string;

  @Field(() => Money, { description: "Net cost in the client's reporting currency (negative for credits)." })
  cost!: Money;
}

@ObjectType({ implements: Node, description: "One sub-account's cost on one record's day." })
export class AccountCostItem implements Node {
  @Field(() => ID, {
    description: "Unique per record and account; the cloud account id is `accountId`.",
  })
  id!: string;

  @Field(() => String, {
    description:
      "The cloud's sub-account id: AWS linked account, GCP project, Azure subscription; empty for charges without one (e.g. GCP taxes).",
  })
  accountId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The sub-account's name when the provider reports one (AWS account, GCP project or Azure subscription name); else null.",
  })
  name?: string;

  @Field(() => Money, { description: "Net cost in the client's reporting currency (negative for credits)." })
  cost!: Money;
}

@ObjectType({ description: "One region's cost on one record's day." })
export class RegionCostItem {
  @Field(() => String, { description: "Provider region code; empty for charges without a region (taxes)." })
  region!: string;

  @Field(() => Money, { description: "Net cost in the client's reporting currency (negative for credits)." })
  cost!: Money;
}

@ObjectType({ description: "One charge category's cost on one record's day." })
export class ChargeCategoryCostItem {
  @Field(() => String, { description: "FOCUS ChargeCategory: Usage, Purchase, Tax, Credit or Adjustment." })
  category!: string;

  @Field(() => Money, {
    description: "Cost in the client's reporting currency; negative for credits and refunds.",
  })
  cost!: Money;
}

@ObjectType({ description: "The rate a billed amount was converted with, and where it came from." })
export class ExchangeRate {
  @Field(() => String, { description: "ISO 4217 code of the billed amounts converted." })
  from!: string;

  @Field(() => String, { description: "ISO 4217 code converted to: the client's reporting currency." })
  to!: string;

  @Field(() => Float, { description: "Amount in `to` = amount in `from` x rate; 1 when both are the same." })
  rate!: number;

  @Field(() => DateScalar, { description: "First day of the month the rate is valid for." })
  rateDate!: string;

  @Field(() => String, {
    description:
      'Where the rate came from, as set with setExchangeRates; "identity" for the same currency, " (inverse)" appended when the opposite pair\'s rate was inverted.',
  })
  source!: string;
}

@ObjectType({
  description:
    "How far a record's figures can be trusted: four scores from 0 (worst) to 1 (no doubt), their weighted mean, and why any is below 1.",
})
export class DataQuality {
  @Field(() => Float, {
    description:
      "0..1: the share of the day's billing lines converted to the reporting currency; lines without an exchange rate are left out of the total.",
  })
  completeness!: number;

  @Field(() => Float, {
    description:
      "0..1: 1 for final figures; x0.8 when the provider marks them estimated, and lowered by the share of lines whose service has no known category.",
  })
  accuracy!: number;

  @Field(() => Float, {
    description:
      "0..1: hours from the end of the billing day (Pacific midnight for GCP, UTC for the others) to its collection, divided by 48 and capped at 1: providers keep adding late usage for about 48 h.",
  })
  timeliness!: number;

  @Field(() => Float, {
    description:
      "0..1: 1 unless the net total is negative (x0.7: credits exceed charges) or identical lines had to be merged (a small reduction).",
  })
  consistency!: number;

  @Field(() => Float, {
    description:
      "0..1: weighted mean of completeness (35%), accuracy (30%), consistency (20%) and timeliness (15%).",
  })
  score!: number;

  @Field(() => ConfidenceEnum, { description: "The score's band: HIGH from 0.9, MEDIUM from 0.7, else LOW." })
  confidence!: Confidence;

  @Field(() => [String], {
    description: "One sentence, for people, per reason a score is below 1; empty when every score is 1.",
  })
  issues!: string[];
}

@ObjectType({
  description: "Which collection stored this version of a record, from which API, at what cost.",
})
export class CollectionMetadata {
  @Field(() => ID, { description: "The collection job that stored this version (see `collectionJob(id:)`)." })
  jobId!: string;

  @Field(() => DateTimeScalar, { description: "When that job collected the day." })
  collectedAt!: string;

  @Field(() => String, {
    description:
      "The provider API read: aws:ce:GetCostAndUsage, gcp:bigquery:billing-export or azure:costmanagement:query.",
  })
  sourceApi!: string;

  @Field(() => Int, {
    description:
      "This day's share of the provider API requests its month's pull spent (split evenly over the days).",
  })
  apiRequests!: number;
}

@ObjectType({ implements: Node, description: "One client's cost of one provider on one day." })
export class CostRecord implements Node {
  @Field(() => ID, { description: "Unique per client, provider and day." })
  id!: string;

  @Field(() => ID, { description: "The client whose cost this is." })
  clientId!: string;

  @Field(() => CloudProviderEnum, { description: "The cloud that billed it." })
  provider!: CloudProvider;

  @Field(() => DateScalar, {
    description: "The billing day of the usage: UTC for AWS and Azure, Pacific time for GCP (see Date).",
  })
  date!: string;

  @Field(() => Money, {
    description:
      "Net cost of the day (credits subtracted) in the client's reporting currency; lines without an exchange rate are left out (see dataQuality).",
  })
  total!: Money;

  @Field(() => [Money], { description: "What the provider billed, per billing currency, unconverted." })
  billedTotals!: Money[];

  @Field(() => Boolean, { description: "True while the provider may still restate the day." })
  estimated!: boolean;

  @Field(() => [ServiceCostItem], { description: "The total split by service, largest first." })
  services!: ServiceCostItem[];

  @Field(() => [AccountCostItem], { description: "The total split by sub-account, largest first." })
  accounts!: AccountCostItem[];

  @Field(() => [RegionCostItem], { description: "The total split by region, largest first." })
  regions!: RegionCostItem[];

  @Field(() => [ChargeCategoryCostItem], {
    description: "The total split by FOCUS charge category (usage, credits, taxes, ...), largest first.",
  })
  chargeCategories!: ChargeCategoryCostItem[];

  @Field(() => [ExchangeRate], {
    description: "The rates the billed amounts were converted with, one per billing currency.",
  })
  exchangeRates!: ExchangeRate[];

  @Field(() => DataQuality, { description: "How far these figures can be trusted, and why." })
  dataQuality!: DataQuality;

  @Field(() => CollectionMetadata, { description: "The collection that stored this version." })
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
