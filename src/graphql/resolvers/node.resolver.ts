import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { Node, type Typed } from "../types/node.type.js";
import { nodeView } from "../views.js";
import type { GraphQLContext } from "../context.js";

@Resolver()
export class NodeResolver {
  @Query(() => Node, {
    nullable: true,
    description: "Any object by its id; null when nothing has it, FORBIDDEN when another tenant's.",
  })
  async node(
    @Arg("id", () => ID, { description: "An id this API issued." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ) {
    const found = await ctx.useCases.nodes.node(ctx.auth, id);
    return found && nodeView(found);
  }

  @Query(() => [Node], {
    nullable: "items",
    description: "Objects by their ids, in the order asked (at most 100); each fails or is null on its own.",
  })
  async nodes(
    @Arg("ids", () => [ID], { description: "Ids this API issued." }) ids: string[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<(Typed | null | Error)[]> {
    const found = await ctx.useCases.nodes.nodes(ctx.auth, ids);
    return found.map((item) => (item === null || item instanceof Error ? item : nodeView(item)));
  }
}
