/** ConnectProviderInput -> the provider and the untrusted credential fields its zod schema validates. */
import { ValidationError } from "../../domain/validation.js";
import type { CloudProvider } from "../../domain/provider.js";
import type { ConnectProviderInput } from "./connect-provider.input.js";

/** Drops absent fields, so the schema reports a missing field as missing rather than null. */
const present = (fields: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined && value !== null));

export function providerCredentialsInput(input: ConnectProviderInput): {
  provider: CloudProvider;
  credentials: unknown;
} {
  const given = (["aws", "gcp", "azure"] as const).filter((key) => input[key]);
  if (given.length !== 1) {
    throw new ValidationError("input", `give exactly one of aws, gcp and azure (got ${given.length})`);
  }
  if (input.aws) {
    const { roleArn, externalId, accessKeyId, secretAccessKey, sessionToken } = input.aws;
    return {
      provider: "AWS",
      credentials: roleArn
        ? present({ method: "assumeRole", roleArn, externalId })
        : present({ method: "accessKey", accessKeyId, secretAccessKey, sessionToken }),
    };
  }
  if (input.gcp) {
    const { serviceAccountKeyJson, billingExportTable, location } = input.gcp;
    return {
      provider: "GCP",
      credentials: present({ serviceAccountKey: serviceAccountKeyJson, billingExportTable, location }),
    };
  }
  const { tenantId, clientId, clientSecret, useManagedIdentity, scope } = input.azure!;
  return {
    provider: "AZURE",
    credentials: useManagedIdentity
      ? present({ method: "managedIdentity", clientId, scope })
      : present({ method: "clientSecret", tenantId, clientId, clientSecret, scope }),
  };
}
