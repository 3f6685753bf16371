/**
 * Errors the store raises on its own account. Messages name the entity and its id, never item
 * contents (a connection's secret envelope must not reach a log through an error).
 */
export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** A create met an item that already exists. */
export class ItemAlreadyExistsError extends StoreError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" already exists`);
  }
}

/** An update or read-modify-write met no item. */
export class ItemNotFoundError extends StoreError {
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super(`${entity} "${id}" does not exist`);
  }
}

/** The stored version is not the one the caller expected. */
export class VersionConflictError extends StoreError {
  constructor(
    readonly id: string,
    readonly expectedVersion: number | null,
    readonly actualVersion: number | null,
  ) {
    super(
      `cost record ${id}: expected version ${expectedVersion ?? "none (new record)"}, found ${actualVersion ?? "none"}`,
    );
  }
}

/** Concurrent writers of the same day kept winning the version race; the write did not happen. */
export class WriteContentionError extends StoreError {
  constructor(
    readonly id: string,
    attempts: number,
  ) {
    super(
      `cost record ${id}: still losing to concurrent writers after ${attempts} attempts; nothing was written`,
    );
  }
}

/** A day's items cannot fit one TransactWriteItems (100 items, 4 MB). */
export class TransactionTooLargeError extends StoreError {}

/** A batch operation still had unprocessed items after its last attempt. */
export class BatchIncompleteError extends StoreError {
  constructor(
    readonly operation: "BatchWriteItem" | "BatchGetItem",
    readonly remaining: number,
    attempts: number,
  ) {
    super(`${operation}: ${remaining} item(s) still unprocessed after ${attempts} attempts`);
  }
}

/** A stored item lacks a field its entity needs: the table holds something this code did not write. */
export class CorruptItemError extends StoreError {}

/** A conditional write's condition did not hold (the SDK's ConditionalCheckFailedException). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** A transaction cancelled because one of its conditions failed (not a collision, which is retried). */
export function isTransactionConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === "ConditionalCheckFailed");
}
