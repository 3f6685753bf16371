import { Field, InputType } from "type-graphql";
import { DateScalar } from "../scalars.js";

@InputType({ description: "Both days inclusive." })
export class DateRangeInput {
  @Field(() => DateScalar, { description: "First day (UTC)." })
  start!: string;

  @Field(() => DateScalar, { description: "Last day (UTC); not before start." })
  end!: string;
}
