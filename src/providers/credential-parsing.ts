import type { z } from "zod";

/** Bad credential input: the message names each bad field and never contains a value. */
export class InvalidCredentialsError extends Error {
  override name = "InvalidCredentialsError";
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
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.join(".") || "credentials";
    return `${path}: ${explain(path, issue.message)}`;
  });
  throw new InvalidCredentialsError(`invalid ${cloud} credentials: ${problems.join("; ")}`);
}
