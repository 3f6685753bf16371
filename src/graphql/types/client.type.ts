import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../scalars.js";
import { relayConnectionType } from "./page-info.type.js";

/** Cost fields (costSummary, costBreakdown, ...) are field resolvers in client.resolver.ts. */
@ObjectType()
export class Client {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "ISO 4217 code every amount of this client is served in." })
  reportingCurrency!: string;

  @Field(() => DateTimeScalar)
  createdAt!: string;
}

export const ClientConnection = relayConnectionType("Client", Client);
