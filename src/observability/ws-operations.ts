/**
 * Observes graphql-ws operations: records each one like an HTTP request (count, latency until its
 * result or stream is ready, one log line), and keeps the open-subscriptions gauge exact: +1 when a
 * subscription's stream starts, -1 exactly once when it ends, however it ends (the client completes
 * it, the stream finishes or fails, or the socket closes).
 */
import type { Gauge } from "prom-client";
import type { Logger } from "./logger.js";
import { secondsSince, type GraphQLOperationRecorder } from "./graphql-operations.js";

interface Operation {
  started: bigint;
  operationName: string | null | undefined;
  logger: Logger;
  /** Set while its subscription stream is open (counted in the gauge). */
  streaming: boolean;
}

const isAsyncIterable = (value: unknown): boolean =>
  typeof value === "object" && value !== null && Symbol.asyncIterator in value;

const errorCount = (result: unknown): number => {
  const errors = (result as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) ? errors.length : 0;
};

export class WsOperationTracker {
  /** Per socket (its graphql-ws context), per operation id. */
  private readonly sockets = new WeakMap<object, Map<string, Operation>>();

  constructor(
    private readonly recorder: GraphQLOperationRecorder,
    private readonly openSubscriptions: Pick<Gauge, "inc" | "dec">,
  ) {}

  /** onSubscribe, as soon as the operation arrives: its clock starts. */
  started(socket: object, id: string, logger: Logger): void {
    const operations = this.sockets.get(socket) ?? new Map<string, Operation>();
    this.sockets.set(socket, operations);
    operations.set(id, {
      started: process.hrtime.bigint(),
      operationName: undefined,
      logger,
      streaming: false,
    });
  }

  /** The operation resolved (parsed and valid): later log lines of it carry its name. */
  resolved(socket: object, id: string, operationName: string | null, logger: Logger): void {
    const operation = this.sockets.get(socket)?.get(id);
    if (!operation) return;
    operation.operationName = operationName;
    operation.logger = logger;
  }

  /** onSubscribe refused it (parse or validation errors). */
  rejected(socket: object, id: string, errors: number): void {
    const operation = this.take(socket, id);
    if (operation) this.record(operation, "error", errors);
  }

  /** onOperation: a query's result, or a subscription's stream (or the errors that prevented it). */
  executed(socket: object, id: string, result: unknown): void {
    const operation = this.sockets.get(socket)?.get(id);
    if (!operation) return;
    const errors = errorCount(result);
    this.record(operation, errors > 0 ? "error" : "ok", errors);
    if (isAsyncIterable(result)) {
      operation.streaming = true;
      this.openSubscriptions.inc();
    } else {
      this.take(socket, id);
    }
  }

  /** onComplete: the stream ended or the client completed it. */
  completed(socket: object, id: string): void {
    const operation = this.take(socket, id);
    if (operation?.streaming) this.openSubscriptions.dec();
  }

  /** onClose: every stream still open on the socket ends with it. */
  closed(socket: object): void {
    for (const id of [...(this.sockets.get(socket)?.keys() ?? [])]) this.completed(socket, id);
    this.sockets.delete(socket);
  }

  private take(socket: object, id: string): Operation | undefined {
    const operations = this.sockets.get(socket);
    const operation = operations?.get(id);
    operations?.delete(id);
    return operation;
  }

  private record(operation: Operation, outcome: "ok" | "error", errors: number): void {
    this.recorder.finished({
      operationName: operation.operationName,
      transport: "ws",
      outcome,
      seconds: secondsSince(operation.started),
      logger: operation.logger,
      ...(errors > 0 ? { errors } : {}),
    });
  }
}
