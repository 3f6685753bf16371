/**
 * A real graphql-ws client (the official `graphql-ws` client over the `ws` package) for end-to-end
 * tests of live updates: connections that report how they closed, subscriptions that record every
 * result, and waits on both that fail with a message saying what never happened.
 */
import WebSocket from "ws";
import { createClient, type Client } from "graphql-ws";
import { print, type GraphQLFormattedError } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { setTimeout as sleep } from "node:timers/promises";
import type { CloudProvider } from "../../src/domain/provider.js";
import type { SandboxServer } from "./sandbox-server.js";
import { addDays } from "../../src/domain/dates.js";
import { costRecords } from "./records.js";
import {
  TriggerCollectionDocument,
  type CostRecordChangedSubscription,
  type TriggerCollectionInput,
} from "../e2e/generated/graphql.js";

const DEFAULT_WAIT_MS = 45_000;

export interface LiveResult<T> {
  data?: T | null;
  errors?: readonly GraphQLFormattedError[];
}

/** How the server ended a subscription: `complete`, or an error (a list of GraphQL errors or a close event). */
export type LiveEnd = { completed: true } | { error: unknown };

/** Resolves once `check` holds, re-checking whenever `onChange` signals; rejects after `timeoutMs`. */
function waitUntil(
  check: () => boolean,
  listeners: Set<() => void>,
  what: () => string,
  timeoutMs: number,
): Promise<void> {
  if (check()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = () => {
      if (!check()) return;
      clearTimeout(timer);
      listeners.delete(listener);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what()}`));
    }, timeoutMs);
    listeners.add(listener);
  });
}

export class LiveSubscription<T> {
  readonly results: LiveResult<T>[] = [];
  end: LiveEnd | undefined;
  unsubscribe: () => void = () => undefined;
  private readonly listeners = new Set<() => void>();

  /** The data of every result, in arrival order. */
  get events(): T[] {
    return this.results.flatMap((result) => (result.data ? [result.data] : []));
  }

  record(result: LiveResult<T>): void {
    this.results.push(result);
    this.notify();
  }

  finish(end: LiveEnd): void {
    this.end = end;
    this.notify();
  }

  /** Waits until `predicate` holds for the events received so far. */
  waitFor(predicate: (events: T[]) => boolean, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return waitUntil(
      () => predicate(this.events),
      this.listeners,
      () => `${what} (${this.events.length} events so far, ended: ${JSON.stringify(this.end)})`,
      timeoutMs,
    );
  }

  /** Waits until the server ended the subscription, and returns how. */
  async ended(timeoutMs = DEFAULT_WAIT_MS): Promise<LiveEnd> {
    await waitUntil(
      () => this.end !== undefined,
      this.listeners,
      () => "the subscription to end",
      timeoutMs,
    );
    return this.end!;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

export interface LiveConnection {
  client: Client;
  /** Resolves once the server acknowledged connection_init; rejects if the socket closed first. */
  acknowledged: Promise<void>;
  /** Resolves with the close code and reason once the socket closed. */
  closed: Promise<{ code: number; reason: string }>;
  subscribe<T, V>(document: TypedDocumentNode<T, V> | string, variables?: V): LiveSubscription<T>;
  close(): Promise<void>;
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Opens one WebSocket at once (not lazily) and never reconnects: every close is visible to the test. */
export function connectLive(wsUrl: string, connectionParams?: Record<string, unknown>): LiveConnection {
  let onAck!: () => void;
  let onClose!: (close: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClose = resolve));
  const acknowledged = new Promise<void>((resolve, reject) => {
    onAck = resolve;
    void closed.then((close) =>
      reject(new Error(`socket closed before connection_ack: ${close.code} ${close.reason}`)),
    );
  });
  acknowledged.catch(() => undefined);
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    ...(connectionParams ? { connectionParams } : {}),
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: {
      connected: () => onAck(),
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClose({ code, reason: String(reason) });
      },
    },
  });
  return {
    client,
    acknowledged,
    closed,
    subscribe<T, V>(document: TypedDocumentNode<T, V> | string, variables?: V) {
      const subscription = new LiveSubscription<T>();
      subscription.unsubscribe = client.subscribe<T>(
        {
          query: typeof document === "string" ? document : print(document),
          ...(variables ? { variables: variables as Record<string, unknown> } : {}),
        },
        {
          next: (result) => subscription.record(result as LiveResult<T>),
          error: (error) => subscription.finish({ error }),
          complete: () => subscription.finish({ completed: true }),
        },
      );
      return subscription;
    },
    close: async () => {
      await client.dispose();
    },
  };
}

/** The server's open graphql-ws operations, from its /metrics gauge. */
export async function openSubscriptions(graphqlUrl: string): Promise<number> {
  const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, "/metrics"))).text();
  const line = text.split("\n").find((l) => l.startsWith("graphql_open_subscriptions "));
  if (!line) throw new Error("graphql_open_subscriptions is missing from /metrics");
  return Number(line.split(" ")[1]);
}

/**
 * Waits until the server runs exactly `count` subscriptions (ended ones close asynchronously).
 * graphql-ws does not acknowledge a subscribe message; the gauge moves once the subscription
 * listens to its topic, so a change made after this cannot be missed.
 */
export async function waitForOpenSubscriptions(
  graphqlUrl: string,
  count: number,
  timeoutMs = DEFAULT_WAIT_MS,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let open = await openSubscriptions(graphqlUrl);
  while (open !== count) {
    if (Date.now() > deadline) throw new Error(`${open} subscriptions open, expected ${count}`);
    await sleep(50);
    open = await openSubscriptions(graphqlUrl);
  }
}

let sentinelDays = 0;

/**
 * Stores a new day of `provider` for the client, far before any collected data, and waits until
 * every subscription has its event. The data table's stream is read in write order (DynamoDB Local
 * has one shard), so afterwards no event of an earlier write is still on its way: counts are final.
 */
export async function drain(
  server: SandboxServer,
  clientId: string,
  subscriptions: LiveSubscription<CostRecordChangedSubscription>[],
  provider: CloudProvider = "AWS",
): Promise<void> {
  const [record] = costRecords({ clientId, provider }, addDays("2001-01-01", sentinelDays++), 1);
  await server.sandbox.runtime.services.stores.costs.upsertDays([record!]);
  for (const subscription of subscriptions) {
    await subscription.waitFor(
      (events) => events.some((e) => e.costRecordChanged.record.date === record!.date),
      `the sentinel day ${record!.date}`,
    );
  }
}

/** Triggers a collection over HTTP as `token`'s caller and returns the QUEUED (or already running) job. */
export async function triggerCollection(server: SandboxServer, token: string, input: TriggerCollectionInput) {
  const { body } = await server.graphql(TriggerCollectionDocument, { input }, token);
  if (!body.data) throw new Error(`triggerCollection failed: ${JSON.stringify(body.errors)}`);
  return body.data.triggerCollection;
}

export type CostChange = CostRecordChangedSubscription["costRecordChanged"];

/** The changes a collection job made, from a costRecordChanged subscriber's events. */
export const changesOfJob = (events: CostRecordChangedSubscription[], jobId: string): CostChange[] =>
  events.map((event) => event.costRecordChanged).filter((change) => change.record.collection.jobId === jobId);

/** "PROVIDER yyyy-mm-dd": one client's day of one provider. */
export const dayKey = (change: CostChange) => `${change.record.provider} ${change.record.date}`;

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
