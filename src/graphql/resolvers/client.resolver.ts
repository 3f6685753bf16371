import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from "type-graphql";
import { prefetchCostFields } from "./client-cost.resolver.js";
import { Client, ClientConnection } from "../types/client.type.js";
import { ProviderConnection } from "../types/provider-connection.type.js";
import { CollectionJobConnection } from "../types/collection-job.type.js";
import { FIRST_DESCRIPTION } from "../page-arguments.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type {
  Client as ClientModel,
  ProviderConnection as ProviderConnectionModel,
} from "../../domain/client.js";
import type { CollectionJob } from "../../domain/collection-job.js";

@Resolver(() => Client)
export class ClientResolver {
  @Query(() => Client, {
    nullable: true,
    description: "A client the caller may read; null when it does not exist.",
  })
  async client(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ClientModel | null> {
    const profile = ctx.useCases.tenants.client(ctx.auth, id);
    prefetchCostFields(info, id, ctx);
    return profile;
  }

  @Query(() => ClientConnection, { description: "The clients the caller may read, in id order." })
  clients(
    @Arg("first", () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<ClientModel>> {
    return ctx.useCases.tenants.clients(ctx.auth, { first, after });
  }

  @FieldResolver(() => [ProviderConnection], { description: "Never exposes a secret." })
  connections(@Root() client: ClientModel, @Ctx() ctx: GraphQLContext): Promise<ProviderConnectionModel[]> {
    return ctx.useCases.tenants.connections(ctx.auth, client.id);
  }

  @FieldResolver(() => CollectionJobConnection, { description: "Newest first." })
  collectionJobs(
    @Root() client: ClientModel,
    @Arg("first", () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<CollectionJob>> {
    return ctx.useCases.collections.jobs(ctx.auth, client.id, { first, after });
  }
}
