/**
 * AWS connection settings: an access key pair (optionally temporary, with a session token), or an
 * IAM role in the tenant's account that our own identity assumes with an external id (the pattern
 * AWS recommends for third parties). Validated with zod so a bad field is named; the secret key,
 * the session token and the external id are never echoed, masked or logged.
 */
import { z } from "zod";
import { parseCredentials } from "../credential-parsing.js";

const ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
const SECRET_ACCESS_KEY = /^[A-Za-z0-9/+=]{40}$/;
export const ROLE_ARN = /^arn:aws(?:-us-gov|-cn)?:iam::(\d{12}):role\/([\w+=,.@/-]{1,128})$/;
/** IAM's own constraint on sts:ExternalId. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

export const awsCredentialsSchema = z.discriminatedUnion("method", [
  z.object({
    method: z.literal("accessKey"),
    accessKeyId: z
      .string({ error: "must be a string" })
      .regex(ACCESS_KEY_ID, "must be AKIA or ASIA followed by 16 upper-case letters or digits"),
    secretAccessKey: z
      .string({ error: "must be a string" })
      .regex(SECRET_ACCESS_KEY, "must be 40 characters of letters, digits, / + or ="),
    sessionToken: z.string().min(1, "must not be empty when given").optional(),
  }),
  z.object({
    method: z.literal("assumeRole"),
    roleArn: z
      .string({ error: "must be a string" })
      .regex(ROLE_ARN, "must be an IAM role ARN: arn:aws:iam::<12-digit account>:role/<name>"),
    externalId: z
      .string({ error: "must be a string" })
      .regex(EXTERNAL_ID, "must be 2 to 1224 characters of letters, digits or + = , . @ : / -"),
  }),
]);

export type AwsCredentials = z.infer<typeof awsCredentialsSchema>;

/** Validates untrusted input; the error names each bad field and never contains a value. */
export function parseAwsCredentials(input: unknown): AwsCredentials {
  // zod's own text for a bad discriminator would list the allowed values only: say what they mean.
  return parseCredentials(awsCredentialsSchema, input, "AWS", (path, message) =>
    path === "method" ? 'must be "accessKey" or "assumeRole"' : message,
  );
}

const mask = (value: string) => `${value.slice(0, 4)}****${value.slice(-4)}`;

/** A summary safe for logs and the API, e.g. "access key AKIA****WXYZ" or "role arn:aws:iam::1111****3333:role/x". */
export function maskAwsCredentials(credentials: AwsCredentials): string {
  if (credentials.method === "accessKey") {
    const temporary = credentials.sessionToken ? " (temporary)" : "";
    return `access key ${mask(credentials.accessKeyId)}${temporary}`;
  }
  const [, account = "", role = ""] = ROLE_ARN.exec(credentials.roleArn) ?? [];
  const partition = credentials.roleArn.split(":")[1] ?? "aws";
  return `role arn:${partition}:iam::${mask(account)}:role/${role}`;
}
