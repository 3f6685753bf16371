import { Field, ID, InputType } from "type-graphql";
import { AnomalyFeedbackEnum } from "../enums.js";
import type { AnomalyFeedback } from "../../domain/anomaly.js";

@InputType({ description: "A person's verdict on one anomaly." })
export class SetAnomalyFeedbackInput {
  @Field(() => ID, { description: "The anomaly's id." })
  anomalyId!: string;

  @Field(() => AnomalyFeedbackEnum, {
    description: "NOT_ANOMALY and PLANNED also keep the same pattern from alerting again.",
  })
  feedback!: AnomalyFeedback;
}
