/**
 * The last few errors of each provider connection, for the job report and the connection's health
 * view ("throttled 4 times in the last hour, then access denied"). Bounded twice: a fixed number of
 * entries per connection, and a fixed number of connections (the least recently touched is dropped),
 * so a long-running process never grows it without limit.
 */
import type { CollectionError } from "../domain/collection-job.js";

export interface ErrorHistoryEntry extends CollectionError {
  /** ISO-8601 instant. */
  at: string;
}

export interface ErrorHistoryOptions {
  /** Entries kept per connection (default 20). */
  perConnection?: number;
  /** Connections kept (default 1000). */
  connections?: number;
}

export class ErrorHistory {
  private readonly entries = new Map<string, ErrorHistoryEntry[]>();
  private readonly perConnection: number;
  private readonly connections: number;

  constructor(options: ErrorHistoryOptions = {}) {
    this.perConnection = options.perConnection ?? 20;
    this.connections = options.connections ?? 1000;
  }

  /** `connection` identifies a connection, e.g. `${clientId}#${provider}`. */
  record(connection: string, error: CollectionError, at: Date = new Date()): ErrorHistoryEntry {
    const entry: ErrorHistoryEntry = {
      code: error.code,
      message: error.message,
      retryable: error.retryable,
      at: at.toISOString(),
    };
    const list = this.entries.get(connection) ?? [];
    // Re-inserting moves the connection to the end of the Map's order: the most recently touched.
    this.entries.delete(connection);
    this.entries.set(connection, [...list, entry].slice(-this.perConnection));
    if (this.entries.size > this.connections) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return entry;
  }

  /** Oldest first. */
  list(connection: string): ErrorHistoryEntry[] {
    return [...(this.entries.get(connection) ?? [])];
  }

  clear(connection: string): void {
    this.entries.delete(connection);
  }
}
