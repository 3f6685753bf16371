import type { GraphQLResolveInfo } from "graphql";
import { Arg, Ctx, FieldResolver, ID, Info, Int, Query, Resolver, Root } from "type-graphql";
import { prefetchCostFields } from "./client-cost.resolver.js";
import { Client, ClientConnection } from "../types/client.type.js";
import { ProviderConnection } from "../types/provider-connection.type.js";
import { CollectionJobConnection } from "../types/collection-job.type.js";
import { isAdmin, requireCaller, requireRead } from "../auth.js";
import { FIRST_DESCRIPTION, pageSize } from "../pagination.js";
import { validateSafeId } from "../../domain/validation.js";
import { jobListingCursor } from "../../store/collection-job-store.js";
import type { GraphQLContext } from "../context.js";
import type { Connection } from "../types/page-info.type.js";
import type {
  Client as ClientModel,
  ProviderConnection as ProviderConnectionModel,
} from "../../domain/client.js";
import type { CollectionJob } from "../../domain/collection-job.js";

const CLIENTS_SCOPE = "clients";

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
    validateSafeId(id, "id");
    requireRead(ctx.auth, id);
    const profile = ctx.loaders.client.load(id);
    prefetchCostFields(info, id, ctx);
    return profile;
  }

  @Query(() => ClientConnection, { description: "The clients the caller may read, in id order." })
  async clients(
    @Arg("first", () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<ClientModel>> {
    const caller = requireCaller(ctx.auth);
    const size = pageSize(first);
    const afterId = ctx.cursors.decode(CLIENTS_SCOPE, after);
    let items: ClientModel[];
    let hasNextPage: boolean;
    if (isAdmin(caller)) {
      ({ items, hasNextPage } = await ctx.services.stores.clients.list(size, afterId));
    } else {
      // A non-admin's list is their own tenants: the cursor can never reach past them.
      const ids = [...new Set(caller.clientIds)].sort().filter((id) => afterId === undefined || id > afterId);
      const found = (await ctx.loaders.client.loadMany(ids.slice(0, size + 1))).filter(
        (c): c is ClientModel => c !== null && !(c instanceof Error),
      );
      items = found.slice(0, size);
      hasNextPage = found.length > size;
    }
    const edges = items.map((node) => ({ node, cursor: ctx.cursors.encode(CLIENTS_SCOPE, node.id) }));
    return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }

  @FieldResolver(() => [ProviderConnection], { description: "Never exposes a secret." })
  async connections(
    @Root() client: ClientModel,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProviderConnectionModel[]> {
    requireRead(ctx.auth, client.id);
    return ctx.loaders.connections.load(client.id);
  }

  @FieldResolver(() => CollectionJobConnection, { description: "Newest first." })
  async collectionJobs(
    @Root() client: ClientModel,
    @Arg("first", () => Int, { nullable: true, description: FIRST_DESCRIPTION }) first: number | undefined,
    @Arg("after", () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<Connection<CollectionJob>> {
    requireRead(ctx.auth, client.id);
    const scope = `jobs:${client.id}`;
    const page = await ctx.services.stores.jobs.listByClient(
      client.id,
      pageSize(first),
      ctx.cursors.decode(scope, after),
    );
    const edges = page.items.map((node) => ({
      node,
      cursor: ctx.cursors.encode(scope, jobListingCursor(node)),
    }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
