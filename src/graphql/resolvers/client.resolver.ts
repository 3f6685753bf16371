import type { GraphQLResolveInfo } from "graphql";
import { Arg, Args, Ctx, FieldResolver, ID, Info, Query, Resolver, Root } from "type-graphql";
import { connectionNodeSelections, prefetchCostFields } from "./client-cost.resolver.js";
import { Client, ClientConnection } from "../types/client.type.js";
import { ProviderConnection } from "../types/provider-connection.type.js";
import type { CollectionJob } from "../types/collection-job.type.js";
import { CollectionJobConnection } from "../types/collection-job.type.js";
import { PageArgs } from "../page-arguments.js";
import { collectionJobView, providerConnectionView } from "../views.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type { Client as ClientModel } from "../../domain/client.js";

@Resolver(() => Client)
export class ClientResolver {
  @Query(() => Client, {
    nullable: true,
    description: "A client the caller may read; null when it does not exist.",
  })
  async client(
    @Arg("id", () => ID, { description: "The client's id." }) id: string,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ClientModel | null> {
    const profile = ctx.useCases.tenants.client(ctx.auth, id);
    prefetchCostFields(info, info.fieldNodes, id, ctx);
    return profile;
  }

  @Query(() => ClientConnection, { description: "The clients the caller may read, in id order." })
  clients(
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Connection<ClientModel>> {
    const nodes = connectionNodeSelections(info.fieldNodes);
    return ctx.useCases.tenants.clients(ctx.auth, page, (ids) => {
      for (const id of ids) prefetchCostFields(info, nodes, id, ctx);
    });
  }

  @FieldResolver(() => [ProviderConnection], { description: "The client's provider links; never a secret." })
  async connections(@Root() client: ClientModel, @Ctx() ctx: GraphQLContext): Promise<ProviderConnection[]> {
    return (await ctx.useCases.tenants.connections(ctx.auth, client.id)).map(providerConnectionView);
  }

  @FieldResolver(() => CollectionJobConnection, {
    description: "The client's collection jobs, newest first.",
  })
  async collectionJobs(
    @Root() client: ClientModel,
    @Args(() => PageArgs) page: PageArgs,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<CollectionJob>> {
    const jobs = await ctx.useCases.collections.jobs(ctx.auth, client.id, page);
    return { ...jobs, edges: jobs.edges.map((edge) => ({ ...edge, node: collectionJobView(edge.node) })) };
  }
}
