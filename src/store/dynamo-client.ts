/**
 * The one way the app builds its DynamoDB clients, plus one client middleware that observes every
 * request attempt (observeDynamoRequests): metrics export requests and the capacity they consumed.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DynamoSdkClients {
  /** The low-level client (tables, streams set-up); `doc` speaks plain JS values. */
  lowLevel: DynamoDBClient;
  doc: DynamoDBDocumentClient;
}

export interface DynamoClientOptions {
  /** Custom endpoint (DynamoDB Local, a VPC endpoint); the SDK's regional endpoint when absent. */
  endpoint?: string;
  region?: string;
  /** Explicit credentials; otherwise dummies for a loopback endpoint and the default chain elsewhere. */
  credentials?: DynamoDBClientConfig["credentials"];
  /** Attempts per operation including the first (the SDK's default is 3). */
  maxAttempts?: number;
  /** How long one HTTP attempt may go without a byte, connecting included (default DEFAULT_DYNAMO_TIMEOUT_MS). */
  requestTimeoutMs?: number;
  /**
   * Sees every attempt (observeDynamoRequests). Setting it also asks DynamoDB to return the capacity
   * each read and write consumed (ReturnConsumedCapacity TOTAL, unless the command asks for more).
   */
  onRequest?: DynamoRequestListener;
}

/**
 * How long a DynamoDB connection may stay silent (connecting, or waiting for the answer) before the
 * attempt fails and the SDK's retries take over (config DYNAMODB_TIMEOUT_MS). Silence, not total
 * time: a request queued for a free socket under load is not cut short.
 */
export const DEFAULT_DYNAMO_TIMEOUT_MS = 5_000;

export interface DynamoHttpOptions {
  connectionTimeout: number;
  socketTimeout: number;
}

/**
 * The HTTP options each client was built with, so a Streams client made from it (stream-shards.ts)
 * gets the same bounds. The SDK sets none by default: a stalled connection (a partition, a hung
 * endpoint) would hold a request, and the GraphQL call or job waiting on it, forever.
 */
const httpOptions = new WeakMap<DynamoDBClient, DynamoHttpOptions>();

const timeouts = (ms: number): DynamoHttpOptions => ({ connectionTimeout: ms, socketTimeout: ms });

export function httpOptionsOf(lowLevel: DynamoDBClient): DynamoHttpOptions {
  return httpOptions.get(lowLevel) ?? timeouts(DEFAULT_DYNAMO_TIMEOUT_MS);
}

/** DynamoDB Local accepts any key pair; these only satisfy the SDK's signer. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const LOCAL_REGION = "us-east-1";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function createDynamoClients(options: DynamoClientOptions = {}): DynamoSdkClients {
  const local = options.endpoint !== undefined && isLoopbackEndpoint(options.endpoint);
  const region = options.region ?? (local ? LOCAL_REGION : undefined);
  const credentials = options.credentials ?? (local ? LOCAL_CREDENTIALS : undefined);
  const lowLevel = new DynamoDBClient({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    requestHandler: timeouts(options.requestTimeoutMs ?? DEFAULT_DYNAMO_TIMEOUT_MS),
  });
  httpOptions.set(lowLevel, timeouts(options.requestTimeoutMs ?? DEFAULT_DYNAMO_TIMEOUT_MS));
  if (options.onRequest) {
    addConsumedCapacityRequest(lowLevel);
    observeDynamoRequests(lowLevel, options.onRequest);
  }
  const doc = DynamoDBDocumentClient.from(lowLevel, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { lowLevel, doc };
}

function isLoopbackEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new Error(`DynamoDB endpoint must be an http(s) URL, got "${endpoint}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`DynamoDB endpoint must be an http(s) URL, got protocol "${url.protocol}"`);
  }
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith("127.");
}

/** One HTTP attempt as the request middleware saw it. */
export interface DynamoRequestRecord {
  /** Wire operation name: GetItem, BatchGetItem, Query, TransactWriteItems, ... */
  operation: string;
  /** Tables the request names; empty for requests that name none (ListTables, PartiQL). */
  tables: readonly string[];
  itemsReadByTable: ReadonlyMap<string | null, number>;
  /** Capacity units DynamoDB reported per table; empty unless it was asked to report them. */
  capacityByTable: ReadonlyMap<string, number>;
  /** The error's name when the attempt failed (ConditionalCheckFailedException, TimeoutError, ...). */
  error?: string;
}

export type DynamoRequestListener = (request: DynamoRequestRecord) => void;

/**
 * Calls `observe` once per HTTP attempt of `client` and of the document clients made from it (they
 * share its middleware stack). finalizeRequest with low priority sits inside the SDK's retry
 * middleware (finalizeRequest, high), so it runs once per attempt, and sees the signed request and
 * the deserialized output. Attaching several observers is fine: each gets every attempt.
 */
export function observeDynamoRequests(lowLevel: DynamoDBClient, observe: DynamoRequestListener): void {
  lowLevel.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(args.request, context.commandName);
      const tables = tablesOf(args.input);
      try {
        const result = await next(args);
        observe({
          operation,
          tables,
          itemsReadByTable: itemsReadOf(result.output, args.input, tables),
          capacityByTable: capacityOf(result.output),
        });
        return result;
      } catch (error) {
        const name = error instanceof Error ? error.name : "Error";
        observe({ operation, tables, itemsReadByTable: new Map(), capacityByTable: new Map(), error: name });
        throw error;
      }
    },
    { step: "finalizeRequest", priority: "low" },
  );
}

/** Commands that accept ReturnConsumedCapacity (the others reject unknown input fields). */
const CAPACITY_COMMANDS = new Set(
  [
    "GetItem",
    "BatchGetItem",
    "Query",
    "Scan",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
  ].map((operation) => `${operation}Command`),
);

/** Asks for the consumed capacity on a copy of the input; a command that asks for INDEXES keeps it. */
function addConsumedCapacityRequest(lowLevel: DynamoDBClient): void {
  lowLevel.middlewareStack.add(
    (next, context) => (args) => {
      const input = args.input as Loose;
      if (!CAPACITY_COMMANDS.has(context.commandName ?? "") || input.ReturnConsumedCapacity !== undefined) {
        return next(args);
      }
      return next({ ...args, input: { ...input, ReturnConsumedCapacity: "TOTAL" } });
    },
    { step: "initialize", priority: "high", name: "returnConsumedCapacity" },
  );
}

/** ConsumedCapacity is one object for single-table operations and a list for batches and transactions. */
function capacityOf(output: unknown): Map<string, number> {
  const capacity = new Map<string, number>();
  const reported = isObject(output) ? output.ConsumedCapacity : undefined;
  for (const entry of Array.isArray(reported) ? reported : [reported]) {
    if (!isObject(entry) || typeof entry.TableName !== "string" || typeof entry.CapacityUnits !== "number") {
      continue;
    }
    capacity.set(entry.TableName, (capacity.get(entry.TableName) ?? 0) + entry.CapacityUnits);
  }
  return capacity;
}

/** The wire operation from the X-Amz-Target header ("DynamoDB_20120810.GetItem"). */
function operationOf(request: unknown, commandName: string | undefined): string {
  const headers = (request as { headers?: Record<string, string> } | undefined)?.headers ?? {};
  const target = Object.entries(headers).find(([name]) => name.toLowerCase() === "x-amz-target")?.[1];
  return target?.split(".").pop() ?? commandName?.replace(/Command$/, "") ?? "Unknown";
}

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === "object" && value !== null;

/** Tables of a request, in request order for transactions (their Responses follow that order). */
function transactTables(input: Loose): Array<string | null> | undefined {
  if (!Array.isArray(input.TransactItems)) return undefined;
  return input.TransactItems.map((item: unknown) => {
    const action = isObject(item) ? Object.values(item).find(isObject) : undefined;
    return typeof action?.TableName === "string" ? action.TableName : null;
  });
}

function tablesOf(input: unknown): string[] {
  if (!isObject(input)) return [];
  if (typeof input.TableName === "string") return [input.TableName];
  if (isObject(input.RequestItems)) return Object.keys(input.RequestItems);
  const inTransaction = transactTables(input)?.filter((table): table is string => table !== null);
  return [...new Set(inTransaction)];
}

function itemsReadOf(output: unknown, input: unknown, tables: readonly string[]): Map<string | null, number> {
  const items = new Map<string | null, number>();
  if (!isObject(output)) return items;
  const only = tables.length === 1 ? (tables[0] ?? null) : null;
  const count = (table: string | null, n: number) => items.set(table, (items.get(table) ?? 0) + n);
  if (isObject(output.Item)) count(only, 1);
  if (typeof output.Count === "number") count(only, output.Count);
  else if (Array.isArray(output.Items)) count(only, output.Items.length);
  if (Array.isArray(output.Responses)) {
    const order = (isObject(input) ? transactTables(input) : undefined) ?? [];
    output.Responses.forEach((response: unknown, index) => {
      if (isObject(response) && isObject(response.Item)) count(order[index] ?? null, 1);
    });
  } else if (isObject(output.Responses)) {
    for (const [table, rows] of Object.entries(output.Responses)) {
      if (Array.isArray(rows)) count(table, rows.length);
    }
  }
  return items;
}
