import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeScalar } from "../scalars.js";
import { Node } from "./node.type.js";
import { relayConnectionType } from "./page-info.type.js";

/** Cost fields (costSummary, costBreakdown, ...) are field resolvers in client-cost.resolver.ts. */
@ObjectType({ implements: Node, description: "A tenant: one organisation whose cloud costs are collected." })
export class Client implements Node {
  @Field(() => ID, { description: "The client's id, as `client(id:)` and every `clientId` take it." })
  id!: string;

  @Field(() => String, { description: "Display name." })
  name!: string;

  @Field(() => String, { description: "ISO 4217 code every amount of this client is served in." })
  reportingCurrency!: string;

  @Field(() => DateTimeScalar, { description: "When the client was created." })
  createdAt!: string;
}

export const ClientConnection = relayConnectionType(
  "Client",
  Client,
  "How many clients the caller may read (one count over the client listing).",
);
