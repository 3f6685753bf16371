import { Field, InputType } from "type-graphql";
import { DateScalar } from "../scalars.js";

@InputType({ description: "Both days inclusive." })
export class DateRangeInput {
  @Field(() => DateScalar, { description: "First day (a billing day: see Date)." })
  start!: string;

  @Field(() => DateScalar, { description: "Last day (a billing day: see Date); not before start." })
  end!: string;
}
