/**
 * connectProvider's input -> validated credentials: each bad credential is one issue named by the
 * exact GraphQL input field it came from, and no message carries a value.
 */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/domain/validation.js";
import { providerCredentialsInput } from "../../src/graphql/inputs/provider-credentials.js";
import type { ConnectProviderInput } from "../../src/graphql/inputs/connect-provider.input.js";
import { simulatorCredentials } from "../../src/sandbox/simulator-credentials.js";

const CANARY = "UnitLeakCanary";
const { GCP, AZURE } = simulatorCredentials({
  awsAccessKeyId: "AKIAUNITTEST00000001",
  awsSecretAccessKey: "UnitTestSecretAccessKey".padEnd(40, "Q"),
  gcpPrivateKeyId: "unit",
  azureClientSecret: `azure-${CANARY}`,
});
const gcpInput = {
  serviceAccountKeyJson: JSON.stringify(GCP.serviceAccountKey),
  billingExportTable: GCP.billingExportTable,
  location: GCP.location,
};

const refusal = (input: Omit<ConnectProviderInput, "clientId">): ValidationError => {
  try {
    providerCredentialsInput({ clientId: "acme", ...input });
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error("expected a ValidationError");
};

describe("providerCredentialsInput", () => {
  it("builds each cloud's credentials, the GCP key parsed from its JSON and unused fields dropped", () => {
    const gcp = providerCredentialsInput({ clientId: "acme", gcp: gcpInput });
    expect(gcp.provider).toBe("GCP");
    expect(gcp).toMatchObject({
      serviceAccountKey: { client_email: GCP.serviceAccountKey.client_email },
    });

    const azure = providerCredentialsInput({
      clientId: "acme",
      azure: { ...AZURE, useManagedIdentity: true },
    });
    expect(azure).toEqual({
      provider: "AZURE",
      method: "managedIdentity",
      clientId: AZURE.clientId,
      scope: AZURE.scope,
    });
  });

  it.each([
    {
      input: { aws: { roleArn: `arn:aws:iam::1:role/${CANARY}`, externalId: `!${CANARY}` } },
      issues: [
        ["input.aws.roleArn", "must be an IAM role ARN"],
        ["input.aws.externalId", "must be 2 to 1224 characters"],
      ],
    },
    {
      input: { aws: { accessKeyId: `AKIA${CANARY}`, secretAccessKey: CANARY, sessionToken: "" } },
      issues: [
        ["input.aws.accessKeyId", "must be AKIA or ASIA"],
        ["input.aws.secretAccessKey", "must be 40 characters"],
        ["input.aws.sessionToken", "must not be empty when given"],
      ],
    },
    {
      input: { gcp: { ...gcpInput, serviceAccountKeyJson: `{"private_key": "${CANARY}`, location: CANARY } },
      issues: [
        ["input.gcp.serviceAccountKeyJson", "is not valid JSON"],
        ["input.gcp.location", "must be a BigQuery location"],
      ],
    },
    {
      input: {
        gcp: {
          ...gcpInput,
          serviceAccountKeyJson: JSON.stringify({ ...GCP.serviceAccountKey, private_key: CANARY }),
          billingExportTable: CANARY,
        },
      },
      issues: [
        ["input.gcp.serviceAccountKeyJson", "private_key: must be a PEM private key"],
        ["input.gcp.billingExportTable", "must be project.dataset.gcp_billing_export_v1_"],
      ],
    },
    {
      input: { azure: { ...AZURE, tenantId: CANARY, clientId: undefined, clientSecret: "", scope: CANARY } },
      issues: [
        ["input.azure.tenantId", "must be a GUID"],
        ["input.azure.clientId", "must be a GUID"],
        ["input.azure.clientSecret", "must not be empty"],
        ["input.azure.scope", "must be subscriptions/"],
      ],
    },
  ])("names $issues.0.0 and each other bad field, echoing no value", ({ input, issues }) => {
    const error = refusal(input);
    expect(error.field).toBe(issues[0]![0]);
    expect(error.issues.map((issue) => issue.field)).toEqual(issues.map(([field]) => field));
    error.issues.forEach((issue, index) => {
      expect(issue.message.startsWith(`${issue.field}: ${issues[index]![1]}`)).toBe(true);
    });
    expect(error.message).not.toContain(CANARY);
  });
});
