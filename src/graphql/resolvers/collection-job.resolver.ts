import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { CollectionJob } from "../types/collection-job.type.js";
import type { GraphQLContext } from "../context.js";
import type { CollectionJob as CollectionJobModel } from "../../domain/collection-job.js";

@Resolver(() => CollectionJob)
export class CollectionJobResolver {
  @Query(() => CollectionJob, { nullable: true })
  collectionJob(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CollectionJobModel | null> {
    return ctx.useCases.collections.job(ctx.auth, id);
  }
}
