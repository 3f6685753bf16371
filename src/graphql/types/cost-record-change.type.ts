import { Field, ObjectType } from "type-graphql";
import { ChangeTypeEnum, type ChangeType } from "../enums.js";
import { CostRecord } from "./cost-record.type.js";
import { Money } from "./money.type.js";

@ObjectType({
  description: "A day of a provider that was stored for the first time (ADDED) or restated (UPDATED).",
})
export class CostRecordChange {
  @Field(() => ChangeTypeEnum, { description: "ADDED for a new day, UPDATED for a replaced one." })
  changeType!: ChangeType;

  @Field(() => CostRecord, {
    description:
      "The day as now stored. For a rare very large day, services, accounts and regions arrive empty: fetch the record again with `node(id:)`.",
  })
  record!: CostRecord;

  @Field(() => Money, {
    nullable: true,
    description: "The replaced version's total, in the reporting currency; null when ADDED.",
  })
  previousTotal!: Money | null;

  @Field(() => String, {
    description: "Stream sequence number: delivery is at-least-once, a repeat has the same id.",
  })
  eventId!: string;
}
