import { Field, ID, InputType } from "type-graphql";

@InputType({
  description: "An access key pair, or a role in the tenant's account assumed with an external id.",
})
export class AwsConnectionInput {
  @Field(() => String, { nullable: true })
  accessKeyId?: string;

  @Field(() => String, { nullable: true, description: "Write-only: never returned." })
  secretAccessKey?: string;

  @Field(() => String, { nullable: true, description: "Write-only: never returned." })
  sessionToken?: string;

  @Field(() => String, { nullable: true, description: "arn:aws:iam::<account>:role/<name>" })
  roleArn?: string;

  @Field(() => String, { nullable: true, description: "Write-only: never returned." })
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
  @Field(() => String, { nullable: true })
  tenantId?: string;

  @Field(() => String, { nullable: true })
  clientId?: string;

  @Field(() => String, { nullable: true, description: "Write-only: never returned." })
  clientSecret?: string;

  @Field(() => Boolean, {
    nullable: true,
    description: "Use the managed identity instead of a client secret.",
  })
  useManagedIdentity?: boolean;

  @Field(() => String, {
    description: "subscriptions/<guid> or providers/Microsoft.Billing/billingAccounts/<id>",
  })
  scope!: string;
}

@InputType({ description: "Exactly one of aws, gcp and azure." })
export class ConnectProviderInput {
  @Field(() => ID)
  clientId!: string;

  @Field(() => AwsConnectionInput, { nullable: true })
  aws?: AwsConnectionInput;

  @Field(() => GcpConnectionInput, { nullable: true })
  gcp?: GcpConnectionInput;

  @Field(() => AzureConnectionInput, { nullable: true })
  azure?: AzureConnectionInput;

  @Field(() => String, {
    nullable: true,
    description:
      "A non-default API endpoint; refused unless ALLOW_CUSTOM_PROVIDER_ENDPOINTS=1 (the sandbox allows it).",
  })
  endpoint?: string;
}
