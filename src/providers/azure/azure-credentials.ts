/**
 * Azure connection settings: who we are (a service principal with a client secret, or the host's
 * managed identity) and which Cost Management scope we read. Validated with zod so a bad field is
 * named; the secret is never echoed, masked or logged.
 */
import { ClientSecretCredential, ManagedIdentityCredential } from "@azure/identity";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { z } from "zod";
import { parseCredentials } from "../credential-parsing.js";

const SUBSCRIPTION_SCOPE = /^subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const BILLING_ACCOUNT_SCOPE = /^providers\/microsoft\.billing\/billingaccounts\/([A-Za-z0-9:_.-]{1,200})$/i;

export type AzureScopeKind = "subscription" | "billingAccount";

export interface AzureScope {
  kind: AzureScopeKind;
  /** Canonical form, no leading slash: "subscriptions/<guid>" or "providers/Microsoft.Billing/billingAccounts/<id>". */
  path: string;
  /** The subscription GUID or the billing account id. */
  id: string;
}

/** Parses a Cost Management scope; a leading slash is tolerated (the SDK would double it). */
export function parseAzureScope(raw: string): AzureScope | undefined {
  const trimmed = raw.trim().replace(/^\/+/, "").replace(/\/+$/, "");
  const subscription = SUBSCRIPTION_SCOPE.exec(trimmed);
  if (subscription?.[1]) {
    const id = subscription[1].toLowerCase();
    return { kind: "subscription", path: `subscriptions/${id}`, id };
  }
  const billingAccount = BILLING_ACCOUNT_SCOPE.exec(trimmed);
  if (billingAccount?.[1]) {
    const id = billingAccount[1];
    return { kind: "billingAccount", path: `providers/Microsoft.Billing/billingAccounts/${id}`, id };
  }
  return undefined;
}

const scopeField = z.string().transform((value, ctx) => {
  const scope = parseAzureScope(value);
  if (!scope) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be subscriptions/<subscription GUID> or providers/Microsoft.Billing/billingAccounts/<id>",
    });
    return z.NEVER;
  }
  return scope.path;
});

export const azureCredentialsSchema = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("clientSecret"),
    tenantId: z.guid("must be a GUID (the Microsoft Entra tenant id)"),
    clientId: z.guid("must be a GUID (the application's client id)"),
    clientSecret: z.string().min(1, "must not be empty"),
    scope: scopeField,
  }),
  z.object({
    method: z.literal("managedIdentity"),
    /** A user-assigned identity's client id; absent for the system-assigned identity. */
    clientId: z.guid("must be a GUID (the user-assigned identity's client id)").optional(),
    scope: scopeField,
  }),
]);

export type AzureCredentials = z.infer<typeof azureCredentialsSchema>;

/** Validates untrusted input; the error names each bad field and never contains a value. */
export function parseAzureCredentials(input: unknown): AzureCredentials {
  return parseCredentials(azureCredentialsSchema, input, "Azure");
}

const lastFour = (value: string) => `…${value.slice(-4)}`;

/** A summary safe for logs and the API: the method, the ends of the ids, the scope; never the secret. */
export function maskAzureCredentials(credentials: AzureCredentials): string {
  if (credentials.method === "clientSecret") {
    return `service principal ${lastFour(credentials.clientId)} in tenant ${lastFour(credentials.tenantId)}, scope ${credentials.scope}`;
  }
  const identity = credentials.clientId
    ? `user-assigned identity ${lastFour(credentials.clientId)}`
    : "system-assigned identity";
  return `managed ${identity}, scope ${credentials.scope}`;
}

/** The token the sandbox credential hands out; the simulator only checks that a bearer token is present. */
export const SANDBOX_ACCESS_TOKEN = "sandbox-azure-access-token";

/**
 * Stands in for Microsoft Entra ID against the simulator: the real credentials would call the
 * login endpoint, which the offline sandbox must not reach.
 */
export const sandboxTokenCredential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({
    token: SANDBOX_ACCESS_TOKEN,
    expiresOnTimestamp: Date.now() + 60 * 60 * 1000,
  }),
};

/** The Entra ID credential the SDK's bearer policy asks for tokens. */
export function createAzureTokenCredential(credentials: AzureCredentials): TokenCredential {
  if (credentials.method === "clientSecret") {
    return new ClientSecretCredential(credentials.tenantId, credentials.clientId, credentials.clientSecret);
  }
  return credentials.clientId
    ? new ManagedIdentityCredential({ clientId: credentials.clientId })
    : new ManagedIdentityCredential();
}
