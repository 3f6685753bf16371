import { Field, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";

@ObjectType({ description: "Both days inclusive." })
export class DateRange {
  @Field(() => DateScalar)
  start!: string;

  @Field(() => DateScalar)
  end!: string;
}
