import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger };

/**
 * Field names whose values never reach a log line, wherever they sit in the logged object.
 * Secrets should not be logged at all; this is the net under that rule.
 */
export const REDACTED_FIELDS = [
  "authorization",
  "password",
  "secret",
  "secretAccessKey",
  "sessionToken",
  "clientSecret",
  "client_secret",
  "private_key",
  "privateKey",
  "accessToken",
  "access_token",
  "token",
  "credentials",
  "externalId",
  "secretEnvelope",
];

const redactPaths = REDACTED_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]);

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? "info",
      redact: { paths: redactPaths, censor: "[REDACTED]" },
      base: { service: "cost-analytics-bff" },
    },
    options.destination,
  );
}
