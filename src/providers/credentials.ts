/**
 * The credentials of a provider connection, whatever the cloud: a union discriminated by `provider`
 * over each cloud's own zod-validated shape. Parsing names every bad field and never echoes a
 * value; masking gives the one summary that may be shown or logged.
 */
import type { CloudProvider } from "../domain/provider.js";
import { isCloudProvider } from "../domain/provider.js";
import { maskAwsCredentials, parseAwsCredentials, type AwsCredentials } from "./aws/aws-credentials.js";
import {
  maskAzureCredentials,
  parseAzureCredentials,
  type AzureCredentials,
} from "./azure/azure-credentials.js";
import { maskGcpCredentials, parseGcpCredentials, type GcpCredentials } from "./gcp/gcp-credentials.js";

export type ProviderCredentials =
  | ({ provider: "AWS" } & AwsCredentials)
  | ({ provider: "GCP" } & GcpCredentials)
  | ({ provider: "AZURE" } & AzureCredentials);

export type CredentialsOf<P extends CloudProvider> = Extract<ProviderCredentials, { provider: P }>;

/** Bad credential input; the message names each bad field (e.g. "aws.secretAccessKey: ..."), never a value. */
export class InvalidProviderCredentialsError extends Error {
  override name = "InvalidProviderCredentialsError";
  constructor(
    readonly provider: string,
    message: string,
  ) {
    super(message);
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
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new InvalidProviderCredentialsError(
      provider,
      `invalid ${provider} credentials: credentials: must be an object`,
    );
  }
  try {
    // Each parser returns its own cloud's shape; the tag makes the union discriminable.
    return { ...(PARSERS[provider](input) as object), provider } as ProviderCredentials;
  } catch (error) {
    throw new InvalidProviderCredentialsError(
      provider,
      error instanceof Error ? error.message : String(error),
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
