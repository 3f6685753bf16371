/**
 * BigQuery's JSON wire format, as the REST API v2 writes it: Google's error envelope and the
 * `{"f":[{"v":...}]}` row encoding where every scalar is a string and NULL is null.
 */

/** A failure the simulator answers with Google's JSON error format. */
export class BigQueryReplyError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly status: string,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "BigQueryReplyError";
  }

  get body(): unknown {
    const errors = this.reason
      ? [{ message: this.message, domain: "global", reason: this.reason }]
      : undefined;
    return {
      error: {
        code: this.httpStatus,
        message: this.message,
        ...(errors ? { errors } : {}),
        status: this.status,
      },
    };
  }
}

export const invalidQuery = (message: string) =>
  new BigQueryReplyError(400, "INVALID_ARGUMENT", "invalidQuery", message);
export const invalidRequest = (message: string) =>
  new BigQueryReplyError(400, "INVALID_ARGUMENT", "invalid", message);
export const notFound = (message: string) => new BigQueryReplyError(404, "NOT_FOUND", "notFound", message);
export const accessDenied = (message: string) =>
  new BigQueryReplyError(403, "PERMISSION_DENIED", "accessDenied", message);
export const duplicate = (message: string) =>
  new BigQueryReplyError(409, "ALREADY_EXISTS", "duplicate", message);

export const rateLimitExceeded = () =>
  new BigQueryReplyError(
    403,
    "PERMISSION_DENIED",
    "rateLimitExceeded",
    "Exceeded rate limits: too many api requests per user per method for this user_method. For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas",
  );

export const backendError = (httpStatus: 500 | 503) =>
  new BigQueryReplyError(
    httpStatus,
    httpStatus === 503 ? "UNAVAILABLE" : "INTERNAL",
    "backendError",
    "Error encountered during execution. Retrying may solve the problem.",
  );

/** What Google's front end answers for an expired or revoked access token (no `errors` array). */
export const unauthenticated = () =>
  new BigQueryReplyError(
    401,
    "UNAUTHENTICATED",
    undefined,
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
  );

/** A result cell before encoding; TIMESTAMP cells hold int64 microseconds since the epoch. */
export type Cell = string | null;

export type BigQueryType = "DATE" | "STRING" | "FLOAT" | "INTEGER" | "TIMESTAMP";

/** A column of a result, as its schema names it. */
export interface BigQueryColumn {
  name: string;
  type: BigQueryType;
}

export interface SchemaField {
  name: string;
  type: string;
  mode: "NULLABLE";
}

export function schemaOf(columns: readonly BigQueryColumn[]): { fields: SchemaField[] } {
  return { fields: columns.map(({ name, type }) => ({ name, type, mode: "NULLABLE" })) };
}

/**
 * Rows as `{"f":[{"v":...}]}`. TIMESTAMP is int64 microseconds when the client asked for
 * formatOptions.useInt64Timestamp, otherwise the legacy float seconds in E notation.
 */
export function encodeRows(
  columns: readonly BigQueryColumn[],
  rows: Cell[][],
  useInt64Timestamp: boolean,
): { f: { v: Cell }[] }[] {
  return rows.map((row) => ({
    f: row.map((cell, index) => ({
      v:
        cell !== null && columns[index]?.type === "TIMESTAMP" && !useInt64Timestamp
          ? floatSeconds(cell)
          : cell,
    })),
  }));
}

function floatSeconds(micros: string): string {
  return (Number(micros) / 1e6).toExponential().replace("e+", "E");
}

/** Opaque to clients; here the job and the offset of the page's first row. */
export function encodePageToken(jobId: string, offset: number): string {
  return Buffer.from(JSON.stringify({ jobId, offset })).toString("base64url");
}

export function decodePageToken(token: string, jobId: string): number {
  try {
    const decoded = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as {
      jobId?: unknown;
      offset?: unknown;
    };
    if (decoded.jobId === jobId && Number.isInteger(decoded.offset) && (decoded.offset as number) >= 0) {
      return decoded.offset as number;
    }
  } catch {
    // fall through: any undecodable token is invalid
  }
  throw invalidRequest("Invalid page token.");
}
