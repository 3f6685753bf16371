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

/**
 * The write lease of a client, provider and month stayed with another writer too long, or was lost
 * before the rollups moved: this round moved no rollup and wrote no header.
 */
export class WriteContentionError extends StoreError {
  constructor(
    readonly id: string,
    reason: string,
  ) {
    super(`cost records ${id}: ${reason}; no rollup or header was written`);
  }
}

/** A day's header cannot fit one item (400 KB) even with its marginal lists moved to the chunks. */
export class RecordTooLargeError extends StoreError {}

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

function cancellationReasons(error: unknown): string[] | undefined {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return undefined;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code ?? "None");
}

/** A transaction cancelled because one of its conditions failed (not a collision, which is retried). */
export function isTransactionConditionFailure(error: unknown): boolean {
  return cancellationReasons(error)?.includes("ConditionalCheckFailed") ?? false;
}

/** A transaction cancelled only because another one held an item it writes: sending it again is safe. */
export function isTransactionCollision(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  return (
    reasons !== undefined &&
    reasons.includes("TransactionConflict") &&
    !reasons.includes("ConditionalCheckFailed")
  );
}
