import { Field, ObjectType } from "type-graphql";
import { DateScalar } from "../scalars.js";

@ObjectType({ description: "Both days inclusive." })
export class DateRange {
  @Field(() => DateScalar, { description: "First day (UTC)." })
  start!: string;

  @Field(() => DateScalar, { description: "Last day (UTC)." })
  end!: string;
}
