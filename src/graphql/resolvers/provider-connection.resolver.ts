import { Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { Client } from "../types/client.type.js";
import { ProviderConnection } from "../types/provider-connection.type.js";
import type { GraphQLContext } from "../context.js";
import type { Client as ClientModel } from "../../domain/client.js";

@Resolver(() => ProviderConnection)
export class ProviderConnectionResolver {
  @FieldResolver(() => Client, {
    description:
      "The client this link belongs to: select `client { connections { ... } }` on connectProvider so a cache adds a new link to the client's list.",
  })
  async client(@Root() connection: ProviderConnection, @Ctx() ctx: GraphQLContext): Promise<ClientModel> {
    // The link was readable, so its client is: a null here would be a deleted client mid-request.
    return (await ctx.useCases.tenants.client(ctx.auth, connection.clientId))!;
  }
}
