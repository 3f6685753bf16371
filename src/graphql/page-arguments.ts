/** The paging arguments of every connection, described once (the size rule: domain/limits.ts). */
import { ArgsType, Field, Int } from "type-graphql";
import { DEFAULT_PAGE_SIZE, PAGE_SIZE } from "../domain/limits.js";

const size = (edge: string) =>
  `Page size from the ${edge}: ${PAGE_SIZE.min} to ${PAGE_SIZE.max}, ${DEFAULT_PAGE_SIZE} when omitted; ${PAGE_SIZE.min} answers only pageInfo.`;

/** Forward (`first`, `after`) or backward (`last`, `before`); a mix is refused naming the field. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: size("start (or after `after`)") })
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Page forward from this cursor (an edge's or endCursor).",
  })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: size("end (or before `before`)") })
  last?: number | null;

  @Field(() => String, {
    nullable: true,
    description: "Page backward from this cursor (an edge's or startCursor).",
  })
  before?: string | null;
}
