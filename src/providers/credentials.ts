/**
 * The credentials of a provider connection, whatever the cloud: a union discriminated by `provider`
 * over each cloud's own zod-validated shape. Parsing names every bad field and never echoes a
 * value; masking gives the one summary that may be shown or logged.
 */
import type { CloudProvider } from "../domain/provider.js";
import { isCloudProvider } from "../domain/provider.js";
import { ValidationError, type ValidationIssue } from "../domain/validation.js";
import { maskAwsCredentials, parseAwsCredentials, type AwsCredentials } from "./aws/aws-credentials.js";
import {
  maskAzureCredentials,
  parseAzureCredentials,
  type AzureCredentials,
} from "./azure/azure-credentials.js";
import { maskGcpCredentials, parseGcpCredentials, type GcpCredentials } from "./gcp/gcp-credentials.js";
import { InvalidCredentialsError, type CredentialIssue } from "./credential-parsing.js";

export type ProviderCredentials =
  | ({ provider: "AWS" } & AwsCredentials)
  | ({ provider: "GCP" } & GcpCredentials)
  | ({ provider: "AZURE" } & AzureCredentials);

/** Where a credentials path was given in a caller's input: the input field, and the path left inside it. */
export interface CredentialInputField {
  field: string;
  inner: readonly string[];
}

/** Bad credential input; the message names each bad field ("invalid AWS credentials: secretAccessKey: ..."), never a value. */
export class InvalidProviderCredentialsError extends Error {
  override name = "InvalidProviderCredentialsError";
  constructor(
    readonly provider: string,
    message: string,
    /** Each bad field; empty when the provider itself is not one we know. */
    readonly issues: readonly CredentialIssue[] = [],
  ) {
    super(message);
  }

  /**
   * The same problems as a ValidationError with one issue per bad field, each under the input field
   * `inputFieldOf` names for its credentials path; the path inside that field stays in the message.
   */
  toValidationError(inputFieldOf: (path: readonly string[]) => CredentialInputField): ValidationError {
    const problems = this.issues.length > 0 ? this.issues : [{ path: [], message: this.message }];
    const [first, ...rest] = problems.map(({ path, message }): ValidationIssue => {
      const { field, inner } = inputFieldOf(path);
      return { field, message: `${field}: ${inner.length > 0 ? `${inner.join(".")}: ` : ""}${message}` };
    });
    return new ValidationError([first!, ...rest]);
  }
}

const PARSERS = {
  AWS: parseAwsCredentials,
  GCP: parseGcpCredentials,
  AZURE: parseAzureCredentials,
} satisfies Record<CloudProvider, (input: unknown) => unknown>;

/** Validates untrusted input for one cloud; `provider` may come from a request, so it is checked too. */
export function parseProviderCredentials(provider: unknown, input: unknown): ProviderCredentials {
  if (!isCloudProvider(provider)) {
    throw new InvalidProviderCredentialsError(String(provider), "provider: must be AWS, GCP or AZURE");
  }
  try {
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new InvalidCredentialsError(provider, [{ path: [], message: "must be an object" }]);
    }
    // Each parser returns its own cloud's shape; the tag makes the union discriminable.
    return { ...(PARSERS[provider](input) as object), provider } as ProviderCredentials;
  } catch (error) {
    throw new InvalidProviderCredentialsError(
      provider,
      error instanceof Error ? error.message : String(error),
      error instanceof InvalidCredentialsError ? error.issues : [],
    );
  }
}

/** What may be shown and logged about credentials: never a secret. */
export function maskCredentials(credentials: ProviderCredentials): string {
  switch (credentials.provider) {
    case "AWS":
      return maskAwsCredentials(credentials);
    case "GCP":
      return maskGcpCredentials(credentials);
    case "AZURE":
      return maskAzureCredentials(credentials);
  }
}
