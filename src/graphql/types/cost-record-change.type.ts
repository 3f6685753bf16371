import { Field, ObjectType } from "type-graphql";
import { ChangeTypeEnum, type ChangeType } from "../enums.js";
import { CostRecord } from "./cost-record.type.js";
import { Money } from "./money.type.js";

@ObjectType({
  description: "A day of a provider that was stored for the first time (ADDED) or restated (UPDATED).",
})
export class CostRecordChange {
  @Field(() => ChangeTypeEnum)
  changeType!: ChangeType;

  @Field(() => CostRecord)
  record!: CostRecord;

  @Field(() => Money, { nullable: true, description: "The replaced version's total; null when ADDED." })
  previousTotal!: Money | null;

  @Field(() => String, {
    description: "Stream sequence number: delivery is at-least-once, a repeat has the same id.",
  })
  eventId!: string;
}
