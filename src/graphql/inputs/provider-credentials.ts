/**
 * ConnectProviderInput and TestConnectionInput -> the provider and its credentials, validated by
 * the cloud's zod schema. A bad credential is reported under the exact input field it came from,
 * e.g. input.aws.secretAccessKey.
 */
import { ValidationError } from "../../domain/validation.js";
import type { CloudProvider } from "../../domain/provider.js";
import {
  InvalidProviderCredentialsError,
  parseProviderCredentials,
  type CredentialInputField,
  type ProviderCredentials,
} from "../../application/tenants.js";
import type { TestConnectionInput } from "./connect-provider.input.js";

type CloudInputName = "aws" | "gcp" | "azure";

interface CloudInput {
  provider: CloudProvider;
  /**
   * Input field -> the credentials field it fills. Read both ways: to build the credentials, and to
   * name the input field a credentials problem is about.
   */
  fields: Readonly<Record<string, string>>;
  /** The credentials' method, chosen by the fields given; absent for a cloud with one way in. */
  method?: (given: Readonly<Record<string, unknown>>) => string;
}

const sameNames = (...names: string[]) => Object.fromEntries(names.map((name) => [name, name]));

const CLOUD_INPUTS: Record<CloudInputName, CloudInput> = {
  aws: {
    provider: "AWS",
    fields: sameNames("accessKeyId", "secretAccessKey", "sessionToken", "roleArn", "externalId"),
    method: (given) => (given.roleArn ? "assumeRole" : "accessKey"),
  },
  gcp: {
    provider: "GCP",
    fields: {
      serviceAccountKeyJson: "serviceAccountKey",
      billingExportTable: "billingExportTable",
      location: "location",
    },
  },
  azure: {
    provider: "AZURE",
    fields: sameNames("tenantId", "clientId", "clientSecret", "scope"),
    method: (given) => (given.useManagedIdentity ? "managedIdentity" : "clientSecret"),
  },
};

/**
 * The credentials the given input fields fill. Absent fields are left out, so the schema reports a
 * missing field as missing rather than null; fields the method does not use are dropped by its schema.
 */
function credentialsFrom(
  cloud: CloudInput,
  given: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const credentials: Record<string, unknown> = cloud.method ? { method: cloud.method(given) } : {};
  for (const [inputField, credentialsField] of Object.entries(cloud.fields)) {
    const value = given[inputField];
    if (value !== undefined && value !== null) credentials[credentialsField] = value;
  }
  return credentials;
}

/** The input field a credentials path came from; a path no field fills (the method, the whole object) is the cloud's input. */
function inputFieldOf(name: CloudInputName, path: readonly string[]): CredentialInputField {
  const [credentialsField, ...inner] = path;
  const inputField = Object.entries(CLOUD_INPUTS[name].fields).find(
    ([, filled]) => filled === credentialsField,
  )?.[0];
  return inputField
    ? { field: `input.${name}.${inputField}`, inner }
    : { field: `input.${name}`, inner: path };
}

export function providerCredentialsInput(input: TestConnectionInput): ProviderCredentials {
  const chosen = (["aws", "gcp", "azure"] as const).filter((name) => input[name]);
  const [name] = chosen;
  if (chosen.length !== 1 || !name) {
    throw new ValidationError("input", `give exactly one of aws, gcp and azure (got ${chosen.length})`);
  }
  const cloud = CLOUD_INPUTS[name];
  try {
    return parseProviderCredentials(cloud.provider, credentialsFrom(cloud, { ...input[name] }));
  } catch (error) {
    if (error instanceof InvalidProviderCredentialsError) {
      throw error.toValidationError((path) => inputFieldOf(name, path));
    }
    throw error;
  }
}
