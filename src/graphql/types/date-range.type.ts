import { Field, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";

@ObjectType({ description: "Both days inclusive." })
export class DateRange {
  @Field(() => DateScalar, { description: "First day (a billing day: see Date)." })
  start!: string;

  @Field(() => DateScalar, { description: "Last day (a billing day: see Date)." })
  end!: string;
}
