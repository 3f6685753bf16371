/**
 * What a client sees of an error. Known, safe errors pass with their code; everything else becomes
 * INTERNAL_SERVER_ERROR with the request id, and the detail goes to the log only.
 */
import {
  GraphQLError,
  type ExecutionResult,
  type FormattedExecutionResult,
  type GraphQLFormattedError,
} from "graphql";
import { unwrapResolverError } from "@apollo/server/errors";
import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLContext } from "./context.js";
import { LiveStreamError } from "../application/live-updates.js";
import {
  ConflictError,
  ConnectionCheckFailedError,
  ForbiddenError,
  NotFoundError,
  UnauthenticatedError,
  UnavailableError,
} from "../domain/errors.js";
import { ValidationError } from "../domain/validation.js";

/** Codes whose messages are written for clients and carry no internals. */
const SAFE_CODES = new Set([
  "BAD_USER_INPUT",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "CONFLICT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "BAD_REQUEST",
  "OPERATION_RESOLUTION_FAILURE",
  "PERSISTED_QUERY_NOT_SUPPORTED",
  "PERSISTED_QUERY_NOT_FOUND",
  "SERVICE_UNAVAILABLE",
  "CONNECTION_CHECK_FAILED",
]);

/** What a caller sees of an error the application raised for it: its code, field and HTTP status. */
interface KnownError {
  code: string;
  message: string;
  field?: string;
  status?: number;
}

/** Each typed error's code, and the HTTP status it gives a whole answer (refusals for who asks). */
const ERROR_CODES: { type: new (message: string) => Error; code: string; status?: number }[] = [
  { type: UnauthenticatedError, code: "UNAUTHENTICATED", status: 401 },
  { type: ForbiddenError, code: "FORBIDDEN", status: 403 },
  { type: NotFoundError, code: "NOT_FOUND" },
  { type: ConflictError, code: "CONFLICT" },
  { type: UnavailableError, code: "SERVICE_UNAVAILABLE" },
  { type: ConnectionCheckFailedError, code: "CONNECTION_CHECK_FAILED" },
];

/** The one mapping from the application's typed errors to GraphQL codes; anything else is unknown. */
export function knownError(error: unknown): KnownError | undefined {
  if (error instanceof ValidationError) {
    const prefix = `${error.field}: `;
    const message = error.message.startsWith(prefix) ? error.message : prefix + error.message;
    return { code: "BAD_USER_INPUT", message, field: error.field };
  }
  const known = ERROR_CODES.find(({ type }) => error instanceof type);
  if (!known) return undefined;
  const { code, status } = known;
  return { code, message: (error as Error).message, ...(status ? { status } : {}) };
}

/** Errors whose detail must not reach the client (anything not written for it). */
export function isUnexpected(formatted: GraphQLFormattedError, error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (knownError(original)) return false;
  const code = formatted.extensions?.code;
  if (typeof code === "string" && SAFE_CODES.has(code)) return false;
  // A GraphQLError raised by graphql-js itself (e.g. variable coercion) is about the request.
  return !(original instanceof GraphQLError && original.originalError === undefined && !code);
}

/** Apollo's formatError: safe errors pass without stack traces; the rest are masked. */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const known = knownError(unwrapResolverError(error));
  if (known) {
    const extensions = { code: known.code, ...(known.field ? { field: known.field } : {}) };
    return { message: known.message, path: formatted.path, extensions };
  }
  if (!isUnexpected(formatted, error)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions: { ...extensions, code: extensions.code ?? "BAD_USER_INPUT" } };
  }
  return {
    message: "Internal server error",
    path: formatted.path,
    extensions: { code: "INTERNAL_SERVER_ERROR" },
  };
}

/**
 * Logs unexpected errors with the request id and stamps that id on the masked errors, so a user can
 * quote it and an operator can find the detail.
 */
export function errorReportingPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            const original = unwrapResolverError(error);
            if (isUnexpected(error.toJSON(), error)) {
              contextValue.logger.error(
                { err: original, requestId: contextValue.requestId, path: error.path },
                "unexpected error",
              );
            }
          }
        },
        async willSendResponse({ response, contextValue, errors }) {
          response.http.headers.set("x-request-id", contextValue.requestId);
          // Refused for who the caller is (401, 403): the whole answer says so, as Apollo does for
          // its own refusals.
          const status = errors?.map((e) => knownError(unwrapResolverError(e))?.status).find(Boolean);
          if (status && !response.http.status) response.http.status = status;
          if (response.body.kind !== "single") return;
          for (const error of response.body.singleResult.errors ?? []) {
            if (error.extensions?.code === "INTERNAL_SERVER_ERROR") {
              Object.assign(error, {
                message: `Internal server error (request id ${contextValue.requestId})`,
              });
              Object.assign(error.extensions, { requestId: contextValue.requestId });
            }
          }
        },
      };
    },
  };
}

/**
 * graphql-ws "error" messages (an operation refused before it ran, or a stream that ended with an
 * error) carry the code Apollo gives the same refusal over HTTP, and never a stack.
 */
export function formatRefusal(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((error) => {
    const { stacktrace: _stacktrace, ...extensions } = error.toJSON().extensions ?? {};
    // A live stream that ended early (too slow, broker lost) says so with its own code; parse errors
    // are tagged where they happen: armor's validation messages also start "Syntax Error".
    const ended = error.originalError instanceof LiveStreamError ? error.originalError.code : undefined;
    const code = extensions.code ?? ended ?? "GRAPHQL_VALIDATION_FAILED";
    return { ...error.toJSON(), extensions: { ...extensions, code } };
  });
}

/**
 * graphql-ws results get what formatError and errorReportingPlugin give HTTP answers: a code on
 * every error, and unexpected errors logged with the request id and masked.
 */
export function formatLiveResult(
  result: ExecutionResult,
  context: Pick<GraphQLContext, "logger" | "requestId">,
): FormattedExecutionResult {
  if (!result.errors?.length) return result as FormattedExecutionResult;
  const errors = result.errors.map((error) => {
    const formatted = error.toJSON();
    // Without a path the error is about the request itself (variable coercion), never a resolver's.
    if (!error.path) return { ...formatted, extensions: { ...formatted.extensions, code: "BAD_USER_INPUT" } };
    if (!isUnexpected(formatted, error)) return formatError(formatted, error);
    context.logger.error(
      { err: unwrapResolverError(error), requestId: context.requestId, path: error.path },
      "unexpected error",
    );
    return {
      message: `Internal server error (request id ${context.requestId})`,
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: "INTERNAL_SERVER_ERROR", requestId: context.requestId },
    };
  });
  return { ...result, errors };
}
