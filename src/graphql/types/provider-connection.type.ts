import { Field, ID, ObjectType } from "type-graphql";
import { Node } from "./node.type.js";
import { CloudProviderEnum, HealthStatusEnum } from "../enums.js";
import { DateTimeScalar } from "../scalars.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { HealthStatus } from "../../domain/client.js";

@ObjectType({
  implements: Node,
  description:
    "A client's link to one cloud account. Never exposes a secret. (A provider link, not a Relay connection.)",
})
export class ProviderConnection implements Node {
  @Field(() => ID, { description: "Unique per client and provider." })
  id!: string;

  @Field(() => String, { description: "The client this link belongs to." })
  clientId!: string;

  @Field(() => CloudProviderEnum)
  provider!: CloudProvider;

  @Field(() => String, { description: "Masked description of the credentials." })
  credentialSummary!: string;

  @Field(() => String, { nullable: true, description: "Custom endpoint (sandbox simulators only)." })
  endpoint?: string;

  @Field(() => HealthStatusEnum)
  health!: HealthStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  lastHealthCheckAt?: string;

  @Field(() => String, { nullable: true })
  lastHealthError?: string;

  @Field(() => DateTimeScalar)
  createdAt!: string;

  @Field(() => DateTimeScalar)
  updatedAt!: string;
}
