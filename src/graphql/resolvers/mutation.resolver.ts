import { Arg, Ctx, Int, Mutation, Resolver } from "type-graphql";
import { Client } from "../types/client.type.js";
import { ConnectionCheck, ProviderConnection } from "../types/provider-connection.type.js";
import { CollectionJob } from "../types/collection-job.type.js";
import { CreateClientInput } from "../inputs/create-client.input.js";
import { ConnectProviderInput, TestConnectionInput } from "../inputs/connect-provider.input.js";
import { TriggerCollectionInput } from "../inputs/trigger-collection.input.js";
import { ExchangeRateInput } from "../inputs/exchange-rate.input.js";
import { providerCredentialsInput } from "../inputs/provider-credentials.js";
import { underInput } from "../inputs/under-input.js";
import type { GraphQLContext } from "../context.js";
import { collectionJobView, connectionCheckView, providerConnectionView } from "../views.js";
import type { Client as ClientModel } from "../../domain/client.js";

@Resolver()
export class MutationResolver {
  @Mutation(() => Client, { description: "Admins only. Creates a client (tenant) and returns it." })
  async createClient(
    @Arg("input", () => CreateClientInput, { description: "The new client." }) input: CreateClientInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ClientModel> {
    return underInput(() => ctx.useCases.tenants.createClient(ctx.auth, input));
  }

  @Mutation(() => ProviderConnection, {
    description:
      "Editors and admins of the client. Validates the credentials and runs a health check before storing them encrypted. Over an existing link, credentials that fail the check change nothing: the answer is a CONNECTION_CHECK_FAILED error with the check's result. A first link is stored with its result (UNHEALTHY included); saveUnverified stores without a check (UNKNOWN).",
  })
  async connectProvider(
    @Arg("input", () => ConnectProviderInput, {
      description: "The client, one cloud's credentials and optionally a custom endpoint.",
    })
    input: ConnectProviderInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProviderConnection> {
    const credentials = providerCredentialsInput(input);
    const connection = await underInput(() =>
      ctx.useCases.tenants.connectProvider(ctx.auth, {
        clientId: input.clientId,
        credentials,
        endpoint: input.endpoint ?? null,
        saveUnverified: input.saveUnverified ?? false,
      }),
    );
    return providerConnectionView(connection);
  }

  @Mutation(() => ConnectionCheck, {
    description:
      "Editors and admins of the client. Checks credentials against the provider as connectProvider would, and stores nothing.",
  })
  async testConnection(
    @Arg("input", () => TestConnectionInput, {
      description: "The client, one cloud's credentials and optionally a custom endpoint.",
    })
    input: TestConnectionInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ConnectionCheck> {
    const credentials = providerCredentialsInput(input);
    const check = await underInput(() =>
      ctx.useCases.tenants.testConnection(ctx.auth, {
        clientId: input.clientId,
        credentials,
        endpoint: input.endpoint ?? null,
      }),
    );
    return connectionCheckView(check);
  }

  @Mutation(() => CollectionJob, {
    description:
      "Editors and admins of the client. Returns the QUEUED job at once (it runs in the background), or the QUEUED or RUNNING job already collecting one of these providers.",
  })
  async triggerCollection(
    @Arg("input", () => TriggerCollectionInput, {
      description: "The client, period and providers to collect.",
    })
    input: TriggerCollectionInput,
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
    description:
      "Admins only. Stores monthly exchange rates, replacing those of the same month and pair; returns how many were stored. Nothing is stored when one is invalid; days already stored keep their conversion until collected again.",
  })
  async setExchangeRates(
    @Arg("rates", () => [ExchangeRateInput], { description: "The rates; each month and pair at most once." })
    rates: ExchangeRateInput[],
    @Ctx() ctx: GraphQLContext,
  ): Promise<number> {
    return (await ctx.useCases.exchangeRates.set(ctx.auth, rates)).length;
  }
}
