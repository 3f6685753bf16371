/**
 * One place that records a finished GraphQL operation, whichever transport carried it: the request
 * counter, the latency histogram (and the alarm metric) and one info log line on the operation's own (request-id) logger.
 */
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics.js";

/** Clients choose operation names: past this many distinct ones, the rest share the label "<other>". */
export const MAX_OPERATION_LABELS = 200;

/** Labels no GraphQL name can collide with (names are [_A-Za-z][_0-9A-Za-z]*). */
export const OPERATION_LABELS = {
  anonymous: "<anonymous>",
  /** The request never resolved to an operation: parse or validation errors, unknown operationName. */
  unresolved: "<unresolved>",
  other: "<other>",
} as const;

export interface FinishedOperation {
  /** The resolved operation's name; null when it is anonymous, undefined when none was resolved. */
  operationName: string | null | undefined;
  transport: "http" | "ws";
  outcome: "ok" | "error";
  seconds: number;
  logger: Logger;
  /** Errors in the response. */
  errors?: number;
}

export class GraphQLOperationRecorder {
  private readonly names = new Set<string>();

  constructor(
    private readonly metrics: Metrics,
    private readonly maxLabels = MAX_OPERATION_LABELS,
  ) {}

  /** The metric label of an operation name, bounded in cardinality. */
  label(operationName: string | null | undefined): string {
    if (operationName === undefined) return OPERATION_LABELS.unresolved;
    if (operationName === null) return OPERATION_LABELS.anonymous;
    if (this.names.has(operationName)) return operationName;
    if (this.names.size >= this.maxLabels) return OPERATION_LABELS.other;
    this.names.add(operationName);
    return operationName;
  }

  finished(operation: FinishedOperation): void {
    const label = this.label(operation.operationName);
    this.metrics.graphqlRequests.inc({ operation: label, outcome: operation.outcome });
    this.metrics.graphqlDuration.observe({ operation: label }, operation.seconds);
    this.metrics.alarms.graphqlLatency(operation.seconds * 1000);
    operation.logger.info(
      {
        operation: label,
        transport: operation.transport,
        outcome: operation.outcome,
        durationMs: Math.round(operation.seconds * 10_000) / 10,
        ...(operation.errors ? { errors: operation.errors } : {}),
      },
      "graphql operation",
    );
  }
}

/** Seconds since a process.hrtime.bigint() reading. */
export const secondsSince = (started: bigint): number => Number(process.hrtime.bigint() - started) / 1e9;
