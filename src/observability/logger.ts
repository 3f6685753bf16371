import { pino, type Logger, type DestinationStream } from "pino";

export type { Logger };

/**
 * Field names whose values never reach a log line, wherever they sit in the logged object (down to
 * REDACTION_DEPTH levels). Secrets should not be logged at all; this is the net under that rule.
 */
export const REDACTED_FIELDS = [
  "authorization",
  // HTTP clients keep header names as written: an SDK error carries its request's headers.
  "Authorization",
  "x-amz-security-token",
  "X-Amz-Security-Token",
  "cookie",
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

/**
 * Down to four levels, e.g. `err.config.headers.Authorization`; pino's redaction has no recursive
 * wildcard, so a secret nested deeper is not caught.
 */
export const REDACTION_DEPTH = 4;

/** `field`, `*.field`, `*.*.field`, ...; names that are not identifiers in bracket notation. */
const redactPaths = REDACTED_FIELDS.flatMap((field) => {
  const identifier = /^[A-Za-z_$][\w$]*$/.test(field);
  return Array.from({ length: REDACTION_DEPTH }, (_, depth) => {
    const parents = Array.from({ length: depth }, () => "*").join(".");
    if (identifier) return parents ? `${parents}.${field}` : field;
    return `${parents}["${field}"]`;
  });
});

export interface LoggerOptions {
  /** Wins over LOG_LEVEL (tests). */
  level?: string;
  /** The level when LOG_LEVEL is unset (default info; the sandbox is quieter). */
  defaultLevel?: string;
  /** Where the JSON lines go (default stdout); the sandbox formats them for a terminal (pretty-log.ts). */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? options.defaultLevel ?? "info",
      redact: { paths: redactPaths, censor: "[REDACTED]" },
      base: { service: "cost-analytics-bff" },
    },
    options.destination,
  );
}
