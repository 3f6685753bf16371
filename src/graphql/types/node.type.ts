import { Field, ID, InterfaceType } from "type-graphql";

/** Views carry the name of the object type they are, so `node(id)` answers the right one. */
export interface Typed {
  __typename: string;
}

@InterfaceType({
  description:
    "An object with a globally unique id: normalized caches key it by `id`, and `Query.node` fetches it again. Ids are opaque.",
  resolveType: (value: Typed) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: "Unique across all objects of the API; opaque." })
  id!: string;
}
