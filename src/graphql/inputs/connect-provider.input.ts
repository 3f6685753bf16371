import { Field, ID, InputType } from "type-graphql";

@InputType({
  description: "An access key pair, or a role in the tenant's account assumed with an external id.",
})
export class AwsConnectionInput {
  @Field(() => String, {
    nullable: true,
    description: "Access key id, AKIA... (or ASIA... for temporary keys); used when roleArn is absent.",
  })
  accessKeyId?: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The access key's 40-character secret; required with accessKeyId. Write-only: never returned.",
  })
  secretAccessKey?: string;

  @Field(() => String, {
    nullable: true,
    description: "Session token of temporary (ASIA...) keys. Write-only: never returned.",
  })
  sessionToken?: string;

  @Field(() => String, {
    nullable: true,
    description:
      "arn:aws:iam::<account>:role/<name>; when given, the role is assumed and access key fields are ignored.",
  })
  roleArn?: string;

  @Field(() => String, {
    nullable: true,
    description:
      "The external id the role's trust policy requires; required with roleArn. Write-only: never returned.",
  })
  externalId?: string;
}

@InputType({ description: "A service account with read access to the Cloud Billing export table." })
export class GcpConnectionInput {
  @Field(() => String, { description: "The service-account key file's JSON. Write-only: never returned." })
  serviceAccountKeyJson!: string;

  @Field(() => String, { description: "project.dataset.gcp_billing_export_v1_<BILLING_ACCOUNT>" })
  billingExportTable!: string;

  @Field(() => String, { description: "BigQuery location of the dataset, e.g. US, EU, europe-west1." })
  location!: string;
}

@InputType({
  description: "A service principal (client secret) or the managed identity, and the scope to query.",
})
export class AzureConnectionInput {
  @Field(() => String, {
    nullable: true,
    description: "Microsoft Entra tenant id (a GUID); required with clientSecret.",
  })
  tenantId?: string;

  @Field(() => String, {
    nullable: true,
    description:
      "With clientSecret, the application's client id (a GUID, required); with the managed identity, a user-assigned identity's client id, or absent for the system-assigned one.",
  })
  clientId?: string;

  @Field(() => String, { nullable: true, description: "Write-only: never returned." })
  clientSecret?: string;

  @Field(() => Boolean, {
    nullable: true,
    description:
      "Use the host's managed identity instead of a client secret; tenantId and clientSecret are then ignored.",
  })
  useManagedIdentity?: boolean;

  @Field(() => String, {
    description:
      "The Cost Management scope read: subscriptions/<guid> or providers/Microsoft.Billing/billingAccounts/<id>.",
  })
  scope!: string;
}

@InputType({
  description:
    "Credentials for one cloud of a client, to check (testConnection): exactly one of aws, gcp and azure.",
})
export class TestConnectionInput {
  @Field(() => ID, { description: "The client to link the cloud account to." })
  clientId!: string;

  @Field(() => AwsConnectionInput, {
    nullable: true,
    description: "Connects AWS (read through Cost Explorer).",
  })
  aws?: AwsConnectionInput;

  @Field(() => GcpConnectionInput, {
    nullable: true,
    description: "Connects Google Cloud (read from the billing export in BigQuery).",
  })
  gcp?: GcpConnectionInput;

  @Field(() => AzureConnectionInput, {
    nullable: true,
    description: "Connects Azure (read through Cost Management).",
  })
  azure?: AzureConnectionInput;

  @Field(() => String, {
    nullable: true,
    description:
      "A non-default API endpoint; refused unless ALLOW_CUSTOM_PROVIDER_ENDPOINTS=1 (the sandbox allows it), and always refused for a link-local or instance-metadata host.",
  })
  endpoint?: string;
}

@InputType({
  description:
    "A client's link to one cloud: exactly one of aws, gcp and azure. Replaces the client's existing link to that cloud once the new credentials pass their health check (or with saveUnverified).",
})
export class ConnectProviderInput extends TestConnectionInput {
  @Field(() => Boolean, {
    nullable: true,
    defaultValue: false,
    description:
      "Store the credentials without a health check (health UNKNOWN), replacing a working link too: for credentials the provider cannot accept yet. Editors and admins of the client.",
  })
  saveUnverified?: boolean;
}
