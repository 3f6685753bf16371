import type { z } from "zod";

/** One bad credentials field: where it is in the credentials object, and what is wrong, never its value. */
export interface CredentialIssue {
  /** Keys from the credentials object down to the field, e.g. ["serviceAccountKey", "private_key"]; empty for the whole object. */
  path: readonly string[];
  message: string;
}

/** "serviceAccountKey.private_key: must be ...", or "credentials: ..." for the whole object. */
const describeCredentialIssue = (issue: CredentialIssue): string =>
  `${issue.path.join(".") || "credentials"}: ${issue.message}`;

/** Bad credential input: the message names each bad field and never contains a value. */
export class InvalidCredentialsError extends Error {
  override name = "InvalidCredentialsError";
  constructor(
    cloud: string,
    readonly issues: readonly CredentialIssue[],
  ) {
    super(`invalid ${cloud} credentials: ${issues.map(describeCredentialIssue).join("; ")}`);
  }
}

/**
 * Validates untrusted credential input against a cloud's schema. zod issue messages are our own
 * texts (they never echo the value); `explain` may reword one field's message.
 */
export function parseCredentials<S extends z.ZodType>(
  schema: S,
  input: unknown,
  cloud: string,
  explain: (path: string, message: string) => string = (_path, message) => message,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => {
    const path = issue.path.map(String);
    return { path, message: explain(path.join(".") || "credentials", issue.message) };
  });
  throw new InvalidCredentialsError(cloud, issues);
}
