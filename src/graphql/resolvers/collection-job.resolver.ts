import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { CollectionJob } from "../types/collection-job.type.js";
import { collectionJobView } from "../views.js";
import type { GraphQLContext } from "../context.js";

@Resolver(() => CollectionJob)
export class CollectionJobResolver {
  @Query(() => CollectionJob, {
    nullable: true,
    description: "A collection job of a client the caller may read; null when it does not exist.",
  })
  async collectionJob(
    @Arg("id", () => ID, { description: "The job's id." }) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CollectionJob | null> {
    const job = await ctx.useCases.collections.job(ctx.auth, id);
    return job && collectionJobView(job);
  }
}
