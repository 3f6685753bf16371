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

  @Field(() => ID, { description: "The client this link belongs to." })
  clientId!: string;

  @Field(() => CloudProviderEnum, { description: "The cloud this link reads." })
  provider!: CloudProvider;

  @Field(() => String, {
    description: 'Masked description of the credentials, e.g. "access key AKIA****WXYZ"; never a secret.',
  })
  credentialSummary!: string;

  @Field(() => String, { nullable: true, description: "Custom endpoint (sandbox simulators only)." })
  endpoint?: string;

  @Field(() => HealthStatusEnum, {
    description: "Result of the health check run when the link was last connected (connectProvider).",
  })
  health!: HealthStatus;

  @Field(() => DateTimeScalar, {
    nullable: true,
    description: "When that check ran; null when no result is stored (UNKNOWN).",
  })
  lastHealthCheckAt?: string;

  @Field(() => String, {
    nullable: true,
    description: "Why that check failed, safe to show; null unless health is UNHEALTHY.",
  })
  lastHealthError?: string;

  @Field(() => DateTimeScalar, {
    description: "When the client first connected this provider (kept when the credentials are replaced).",
  })
  createdAt!: string;

  @Field(() => DateTimeScalar, { description: "When the credentials or endpoint were last set." })
  updatedAt!: string;
}

@ObjectType({
  description:
    "What a health check of credentials said (testConnection). Nothing of it is stored: a value, not a Node.",
})
export class ConnectionCheck {
  @Field(() => ID, { description: "The client the credentials were checked for." })
  clientId!: string;

  @Field(() => CloudProviderEnum, { description: "The cloud the credentials are for." })
  provider!: CloudProvider;

  @Field(() => HealthStatusEnum, { description: "HEALTHY when the provider accepted them, else UNHEALTHY." })
  health!: HealthStatus;

  @Field(() => String, {
    description:
      "What the check found, safe to show: the provider, operation, HTTP status and error code of a failure, never a secret.",
  })
  message!: string;

  @Field(() => DateTimeScalar, { description: "When the check ran." })
  checkedAt!: string;
}
