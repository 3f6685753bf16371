/**
 * The errors a caller can act on, raised by use cases and the services under them; the GraphQL edge
 * turns each class into its code in one place (graphql/errors.ts). Invalid input is ValidationError
 * (validation.ts), which names the field. Messages name ids, never credential material.
 */
export class NotFoundError extends Error {
  override name = "NotFoundError";
}

export class ConflictError extends Error {
  override name = "ConflictError";
}

export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

export class ForbiddenError extends Error {
  override name = "ForbiddenError";
}

/** A dependency (the database, the key service) cannot answer now; the same call may work later. */
export class UnavailableError extends Error {
  override name = "UnavailableError";
}

/**
 * New credentials failed their health check over a stored connection, which was kept unchanged.
 * The message carries the check's result, already free of credential material.
 */
export class ConnectionCheckFailedError extends Error {
  override name = "ConnectionCheckFailedError";
}

export const clientNotFound = (clientId: string) => new NotFoundError(`client "${clientId}" does not exist`);
