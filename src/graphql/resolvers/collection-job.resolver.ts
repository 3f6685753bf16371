import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import { CollectionJob } from "../types/collection-job.type.js";
import { requireCaller, requireRead } from "../auth.js";
import { validateSafeId } from "../../domain/validation.js";
import type { GraphQLContext } from "../context.js";
import type { CollectionJob as CollectionJobModel } from "../../domain/collection-job.js";

@Resolver(() => CollectionJob)
export class CollectionJobResolver {
  @Query(() => CollectionJob, { nullable: true })
  async collectionJob(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CollectionJobModel | null> {
    requireCaller(ctx.auth);
    validateSafeId(id, "id");
    const job = await ctx.services.stores.jobs.get(id);
    if (!job) return null;
    // The job's tenant decides access: another tenant's job id gets FORBIDDEN, never the job.
    requireRead(ctx.auth, job.clientId);
    return job;
  }
}
