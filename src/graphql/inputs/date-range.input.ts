import { Field, InputType } from "type-graphql";
import { DateScalar } from "../scalars.js";

@InputType({ description: "Both days inclusive." })
export class DateRangeInput {
  @Field(() => DateScalar)
  start!: string;

  @Field(() => DateScalar)
  end!: string;
}
