import { Field, Float, ID, ObjectType } from "type-graphql";
import {
  AnomalyCauseEnum,
  AnomalyDirectionEnum,
  AnomalyFeedbackEnum,
  AnomalyStatusEnum,
  CloudProviderEnum,
  CostDimensionEnum,
  SeverityEnum,
  type CostDimension,
} from "../enums.js";
import { DateScalar, DateTimeScalar } from "../scalars.js";
import { Money } from "./money.type.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";
import type {
  AnomalyCause,
  AnomalyDirection,
  AnomalyFeedback,
  AnomalyStatus,
  Severity,
} from "../../domain/anomaly.js";
import type { CloudProvider } from "../../domain/provider.js";

@ObjectType({ description: "Where an anomaly is reported; every field null means the client's total." })
export class AnomalyScope {
  @Field(() => CostDimensionEnum, {
    nullable: true,
    description: "The dimension of the series; null for the total.",
  })
  dimension!: CostDimension | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The value's key, provider-qualified as breakdown keys are (e.g. AWS|Amazon EC2); null for the total.",
  })
  key!: string | null;

  @Field(() => String, { nullable: true, description: "The value's display name; null for the total." })
  label!: string | null;
}

@ObjectType({ description: "A deeper dimension value that explains part of an anomaly's impact." })
export class AnomalyRootCause {
  @Field(() => CostDimensionEnum, { description: "The dimension of the value." })
  dimension!: CostDimension;

  @Field(() => String, { description: "The value's key, provider-qualified as breakdown keys are." })
  key!: string;

  @Field(() => String, { description: "The value's display name." })
  label!: string;

  @Field(() => Money, { description: "How far this value moved against its own expected amount." })
  impact!: Money;

  @Field(() => Float, { description: "impact / the anomaly's impact, 0..1." })
  share!: number;
}

@ObjectType({
  implements: Node,
  description: "A day whose cost left its expected range, explained down to its root causes.",
})
export class CostAnomaly implements Node {
  @Field(() => ID, { description: "Unique per client, event and scope; the same event keeps its id." })
  id!: string;

  @Field(() => ID, { description: "The client whose cost moved." })
  clientId!: string;

  @Field(() => DateScalar, { description: "The event's first day (a level shift spans later days too)." })
  date!: string;

  @Field(() => CloudProviderEnum, {
    nullable: true,
    description: "The provider; null when the scope spans providers.",
  })
  provider!: CloudProvider | null;

  @Field(() => AnomalyScope, { description: "The series where the event is reported." })
  scope!: AnomalyScope;

  @Field(() => AnomalyDirectionEnum, { description: "Above or below the expected range." })
  direction!: AnomalyDirection;

  @Field(() => AnomalyCauseEnum, { description: "What moved the number." })
  cause!: AnomalyCause;

  @Field(() => Money, { description: "The day's cost of the scope, as stored." })
  actual!: Money;

  @Field(() => Money, { description: "What the model expected for the day." })
  expected!: Money;

  @Field(() => Money, { description: "The low end of the expected range." })
  expectedLower!: Money;

  @Field(() => Money, { description: "The high end of the expected range." })
  expectedUpper!: Money;

  @Field(() => Money, { description: "actual - expected: negative for a drop." })
  impact!: Money;

  @Field(() => Float, { description: "impact as a percentage of expected; 100 when nothing was expected." })
  impactPercent!: number;

  @Field(() => Float, { description: "How many robust standard deviations the day lies from expected." })
  score!: number;

  @Field(() => SeverityEnum, {
    description: "From the money impact and the score, with the client's thresholds.",
  })
  severity!: Severity;

  @Field(() => [AnomalyRootCause], {
    description:
      "Largest impact first; the deepest values that explain the move (provider > account > service > region).",
  })
  rootCauses!: AnomalyRootCause[];

  @Field(() => AnomalyStatusEnum, { description: "OPEN while the stored data shows it." })
  status!: AnomalyStatus;

  @Field(() => AnomalyFeedbackEnum, { nullable: true, description: "A person's verdict; null until given." })
  feedback!: AnomalyFeedback | null;

  @Field(() => DateTimeScalar, { description: "When it was first detected." })
  detectedAt!: string;

  @Field(() => DateTimeScalar, { description: "When it last changed (re-scored, resolved, feedback)." })
  updatedAt!: string;
}

export const CostAnomalyConnection = relayConnectionType(
  "CostAnomaly",
  CostAnomaly,
  "Always null: the filters are applied while reading; page until hasNextPage is false.",
);
