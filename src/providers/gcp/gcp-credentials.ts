/**
 * GCP connection settings: a service-account key (the JSON file Google hands out), the billing export
 * table to read and the BigQuery location it lives in. Validated with zod so a bad field is named;
 * the private key is never echoed, masked or logged.
 */
import { JWT, OAuth2Client, type AuthClient } from "google-auth-library";
import { z } from "zod";
import { parseCredentials } from "../credential-parsing.js";
import { BILLING_EXPORT_TABLE_PATTERN } from "./billing-export-query.js";

const PROJECT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
const PRIVATE_KEY_PEM =
  /^-----BEGIN (?:RSA )?PRIVATE KEY-----\r?\n[A-Za-z0-9+/=\r\n]+\r?\n-----END (?:RSA )?PRIVATE KEY-----\s*$/;
/** Multi-regions (US, EU) or a region such as europe-west1, us-central1, northamerica-northeast2. */
const LOCATION = /^(?:US|EU|[a-z]+(?:-[a-z]+)+[0-9]{1,2})$/;

/** Keys pasted through environment variables often carry "\n" as two characters. */
const unescapeNewlines = (pem: string) => pem.replace(/\\n/g, "\n");

const serviceAccountKeyObject = z.object({
  type: z.literal("service_account", { error: 'must be "service_account" (a service-account key file)' }),
  project_id: z
    .string()
    .regex(PROJECT_ID, "must be a GCP project id (6-30 lowercase letters, digits or hyphens)"),
  private_key_id: z.string().min(1, "must not be empty").optional(),
  client_email: z.email("must be the service account's e-mail address"),
  private_key: z
    .string({ error: "must be a PEM private key" })
    .transform(unescapeNewlines)
    .pipe(z.string().regex(PRIVATE_KEY_PEM, "must be a PEM private key (-----BEGIN PRIVATE KEY----- ...)")),
});

/** The key file's content, as the parsed object or as the JSON text itself. */
const serviceAccountKey = z.preprocess((value, ctx) => {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "is not valid JSON (paste the whole key file)" });
    return z.NEVER;
  }
}, serviceAccountKeyObject);

export const gcpCredentialsSchema = z.object({
  serviceAccountKey,
  billingExportTable: z
    .string()
    .regex(
      BILLING_EXPORT_TABLE_PATTERN,
      "must be project.dataset.gcp_billing_export_v1_<billing account> (or gcp_billing_export_resource_v1_)",
    ),
  location: z
    .string()
    .regex(LOCATION, "must be a BigQuery location: US, EU or a region such as europe-west1"),
});

export type GcpCredentials = z.output<typeof gcpCredentialsSchema>;

/** Validates untrusted input; the error names each bad field and never contains a value. */
export function parseGcpCredentials(input: unknown): GcpCredentials {
  return parseCredentials(gcpCredentialsSchema, input, "GCP");
}

/** A summary safe for logs and the API: the service account, the end of its key id, the table. */
export function maskGcpCredentials(credentials: GcpCredentials): string {
  const { client_email: email, private_key_id: keyId } = credentials.serviceAccountKey;
  const key = keyId ? ` (key …${keyId.slice(-4)})` : "";
  return `service account ${email}${key}, export ${credentials.billingExportTable} in ${credentials.location}`;
}

/** What the sandbox auth client presents; the simulator only checks that a bearer token is there. */
export const SANDBOX_GCP_ACCESS_TOKEN = "sandbox-token";

const BIGQUERY_SCOPE = "https://www.googleapis.com/auth/bigquery";
const SANDBOX_TOKEN_LIFETIME_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The auth client the BigQuery client signs requests with. Against a simulator it holds a static
 * token, so nothing (metadata server, token endpoint) is looked up; otherwise a JWT client that
 * trades the service-account key for access tokens.
 */
export function createGcpAuthClient(credentials: GcpCredentials, sandbox: boolean): AuthClient {
  if (sandbox) {
    const oauth = new OAuth2Client();
    oauth.setCredentials({
      access_token: SANDBOX_GCP_ACCESS_TOKEN,
      expiry_date: Date.now() + SANDBOX_TOKEN_LIFETIME_MS,
    });
    return oauth;
  }
  const key = credentials.serviceAccountKey;
  return new JWT({
    email: key.client_email,
    key: key.private_key,
    ...(key.private_key_id === undefined ? {} : { keyId: key.private_key_id }),
    scopes: [BIGQUERY_SCOPE],
  });
}
