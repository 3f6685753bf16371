import { Arg, Ctx, Int, Mutation, Resolver } from "type-graphql";
import { Client } from "../types/client.type.js";
import { ProviderConnection } from "../types/provider-connection.type.js";
import { CollectionJob } from "../types/collection-job.type.js";
import { CreateClientInput } from "../inputs/create-client.input.js";
import { ConnectProviderInput } from "../inputs/connect-provider.input.js";
import { TriggerCollectionInput } from "../inputs/trigger-collection.input.js";
import { ExchangeRateInput } from "../inputs/exchange-rate.input.js";
import { providerCredentialsInput } from "../inputs/provider-credentials.js";
import { underInput } from "../inputs/under-input.js";
import type { GraphQLContext } from "../context.js";
import { collectionJobView, providerConnectionView } from "../views.js";
import type { Client as ClientModel } from "../../domain/client.js";

@Resolver()
export class MutationResolver {
  @Mutation(() => Client, { description: "Admins only." })
  async createClient(
    @Arg("input", () => CreateClientInput) input: CreateClientInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClientModel> {
    return underInput(() => ctx.useCases.tenants.createClient(ctx.auth, input));
  }

  @Mutation(() => ProviderConnection, {
    description:
      "Editors and admins of the client. Validates and encrypts the credentials, runs a health check.",
  })
  async connectProvider(
    @Arg("input", () => ConnectProviderInput) input: ConnectProviderInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProviderConnection> {
    const credentials = providerCredentialsInput(input);
    const connection = await underInput(() =>
      ctx.useCases.tenants.connectProvider(ctx.auth, {
        clientId: input.clientId,
        credentials,
        endpoint: input.endpoint ?? null,
      }),
    );
    return providerConnectionView(connection);
  }

  @Mutation(() => CollectionJob, {
    description:
      "Editors and admins of the client. Returns the QUEUED job at once, or the job already collecting.",
  })
  async triggerCollection(
    @Arg("input", () => TriggerCollectionInput) input: TriggerCollectionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<CollectionJob> {
    const job = await underInput(() =>
      ctx.useCases.collections.trigger(ctx.auth, {
        clientId: input.clientId,
        period: input.period,
        ...(input.providers ? { providers: input.providers } : {}),
      }),
    );
    return collectionJobView(job);
  }

  @Mutation(() => Int, {
    description: "Admins only. Stores monthly exchange rates; returns how many were stored.",
  })
  async setExchangeRates(
    @Arg("rates", () => [ExchangeRateInput]) rates: ExchangeRateInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return (await ctx.useCases.exchangeRates.set(ctx.auth, rates)).length;
  }
}
