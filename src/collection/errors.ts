/**
 * Errors the collection services raise for callers to act on. Each carries a GraphQL-style code in
 * `extensions` (graphql-js copies an original error's extensions), so a resolver can rethrow it as
 * is; messages name ids, never credential material.
 */
export type CollectionServiceErrorCode = "CONFLICT" | "NOT_FOUND";

export class CollectionServiceError extends Error {
  readonly extensions: { code: CollectionServiceErrorCode };

  constructor(
    readonly code: CollectionServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "CollectionServiceError";
    this.extensions = { code };
  }
}

export const clientNotFound = (clientId: string) =>
  new CollectionServiceError("NOT_FOUND", `client "${clientId}" does not exist`);
