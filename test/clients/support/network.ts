/**
 * What a client sends and receives: a fetch that counts every HTTP request by operation and keeps
 * each response, and a graphql-ws client whose subscriptions keep each event. Responses reach the
 * recorder before the client reads them, so it sees them in the order the cache writes them.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { getOperationAST, parse, type DocumentNode } from "graphql";
import type { Client as WsClient, FormattedExecutionResult, Sink, SubscribePayload } from "graphql-ws";
import { stableStringify } from "./sent-values.js";

type Variables = Record<string, unknown>;

export interface Payload {
  transport: "http" | "ws";
  operationName: string;
  variables: Variables;
  /** The document as the client sent it (with the __typename fields it adds). */
  document: DocumentNode;
  data?: unknown;
  errors?: unknown;
}

interface Body {
  query?: string;
  operationName?: string;
  variables?: Variables;
}

const operationNameOf = (body: Body, document: DocumentNode) =>
  body.operationName ?? getOperationAST(document)?.name?.value ?? "(anonymous)";

/** Whether `sent` has every variable of `wanted` with the same value (a client may add defaults). */
export const variablesMatch = (sent: Variables, wanted: Variables) =>
  Object.entries(wanted).every(([name, value]) => stableStringify(sent[name]) === stableStringify(value));

export class Network {
  readonly requests: { operationName: string; variables: Variables }[] = [];
  readonly payloads: Payload[] = [];
  private inFlight = 0;
  private lastActivity = Date.now();
  private readonly realFetch = globalThis.fetch;

  constructor(private readonly onPayload: (payload: Payload) => void) {}

  /** HTTP requests of the operation with these variables so far. */
  requestCount(operationName: string, variables: Variables = {}): number {
    return this.requests.filter(
      (request) => request.operationName === operationName && variablesMatch(request.variables, variables),
    ).length;
  }

  /** Requests per operation name, for messages. */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const { operationName } of this.requests) counts[operationName] = (counts[operationName] ?? 0) + 1;
    return counts;
  }

  /** Resolves once no request is in flight and none started or ended for `quietMs`. */
  async idle(quietMs = 300): Promise<void> {
    while (this.inFlight > 0 || Date.now() - this.lastActivity < quietMs) await sleep(25);
  }

  readonly fetch: typeof fetch = async (input, init) => {
    const body = JSON.parse(String(init?.body)) as Body;
    if (typeof body.query !== "string") throw new Error(`a request without a query: ${String(init?.body)}`);
    const document = parse(body.query);
    const operationName = operationNameOf(body, document);
    const variables = body.variables ?? {};
    this.requests.push({ operationName, variables });
    this.inFlight++;
    this.lastActivity = Date.now();
    try {
      const response = await this.realFetch(input, init);
      const text = await response.text();
      const result = JSON.parse(text) as { data?: unknown; errors?: unknown };
      this.received({ transport: "http", operationName, variables, document, ...result });
      return new Response(text, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      });
    } finally {
      this.inFlight--;
      this.lastActivity = Date.now();
    }
  };

  /** The client, its subscriptions' events recorded before the link or exchange gets them. */
  recordingWsClient(client: WsClient): WsClient {
    const received = (payload: Payload) => this.received(payload);
    return {
      ...client,
      subscribe<Data, Extensions>(
        request: SubscribePayload,
        sink: Sink<FormattedExecutionResult<Data, Extensions>>,
      ): () => void {
        const document = parse(request.query);
        const operationName = operationNameOf(request as Body, document);
        const variables = (request.variables ?? {}) as Variables;
        return client.subscribe<Data, Extensions>(request, {
          next: (value) => {
            received({ transport: "ws", operationName, variables, document, ...value });
            sink.next(value);
          },
          error: (error) => sink.error(error),
          complete: () => sink.complete(),
        });
      },
    };
  }

  private received(payload: Payload): void {
    this.payloads.push(payload);
    this.onPayload(payload);
  }
}
