/**
 * The one way the app builds its DynamoDB clients, plus a request counter fed by client middleware
 * so tests can assert exact request counts of read paths and metrics can export them.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

export interface DynamoClients {
  client: DynamoDBClient;
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
  requestCounter?: DynamoRequestCounter;
}

/** DynamoDB Local accepts any key pair; these only satisfy the SDK's signer. */
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
const LOCAL_REGION = "us-east-1";
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function createDynamoClients(options: DynamoClientOptions = {}): DynamoClients {
  const local = options.endpoint !== undefined && isLoopbackEndpoint(options.endpoint);
  const region = options.region ?? (local ? LOCAL_REGION : undefined);
  const credentials = options.credentials ?? (local ? LOCAL_CREDENTIALS : undefined);
  const client = new DynamoDBClient({
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(region !== undefined ? { region } : {}),
    ...(credentials !== undefined ? { credentials } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  });
  if (options.requestCounter) addRequestCounting(client, options.requestCounter);
  const doc = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  return { client, doc };
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

export interface DynamoRequestFilter {
  /** Wire operation name: GetItem, BatchGetItem, Query, TransactWriteItems, ... */
  operation?: string;
  table?: string;
}

export interface DynamoRequestCount {
  operation: string;
  /** null for requests that name no table (ListTables, PartiQL). */
  table: string | null;
  requests: number;
  itemsRead: number;
}

interface Tally {
  requests: number;
  itemsRead: number;
}

/**
 * Counts every HTTP attempt the SDK makes (SDK retries included, failed attempts included) per
 * operation and per table, and the items each response returned: Item (0/1), Count of a Query or
 * Scan (matched items, also with Select COUNT), Responses of BatchGetItem and TransactGetItems.
 * A request naming several tables counts once in the totals and once for each table it names.
 */
export class DynamoRequestCounter {
  private readonly byOperation = new Map<string, Tally>();
  private readonly byTable = new Map<string, Map<string | null, Tally>>();

  record(operation: string, tables: readonly string[], itemsReadByTable: ReadonlyMap<string | null, number>) {
    const itemsRead = [...itemsReadByTable.values()].reduce((sum, n) => sum + n, 0);
    add(tallyIn(this.byOperation, operation), 1, itemsRead);
    const perTable = this.byTable.get(operation) ?? new Map<string | null, Tally>();
    this.byTable.set(operation, perTable);
    for (const table of tables.length > 0 ? tables : [null]) {
      add(tallyIn(perTable, table), 1, itemsReadByTable.get(table) ?? 0);
    }
  }

  requests(filter: DynamoRequestFilter = {}): number {
    return this.sum(filter, (tally) => tally.requests);
  }

  itemsRead(filter: DynamoRequestFilter = {}): number {
    return this.sum(filter, (tally) => tally.itemsRead);
  }

  /** One row per (operation, table) seen since the last reset. */
  snapshot(): DynamoRequestCount[] {
    return [...this.byTable].flatMap(([operation, perTable]) =>
      [...perTable].map(([table, tally]) => ({ operation, table, ...tally })),
    );
  }

  reset(): void {
    this.byOperation.clear();
    this.byTable.clear();
  }

  private sum(filter: DynamoRequestFilter, pick: (tally: Tally) => number): number {
    const matchesOperation = (operation: string) =>
      filter.operation === undefined || filter.operation === operation;
    if (filter.table === undefined) {
      return [...this.byOperation].reduce(
        (sum, [op, tally]) => sum + (matchesOperation(op) ? pick(tally) : 0),
        0,
      );
    }
    return [...this.byTable].reduce((sum, [op, perTable]) => {
      const tally = matchesOperation(op) ? perTable.get(filter.table ?? null) : undefined;
      return sum + (tally ? pick(tally) : 0);
    }, 0);
  }
}

function tallyIn<K>(map: Map<K, Tally>, key: K): Tally {
  const tally = map.get(key) ?? { requests: 0, itemsRead: 0 };
  map.set(key, tally);
  return tally;
}

function add(tally: Tally, requests: number, itemsRead: number): void {
  tally.requests += requests;
  tally.itemsRead += itemsRead;
}

/**
 * finalizeRequest with low priority sits inside the SDK's retry middleware (finalizeRequest, high),
 * so it runs once per attempt, and sees the signed request and the deserialized output.
 */
function addRequestCounting(client: DynamoDBClient, counter: DynamoRequestCounter): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(args.request, context.commandName);
      const tables = tablesOf(args.input);
      try {
        const result = await next(args);
        counter.record(operation, tables, itemsReadOf(result.output, args.input, tables));
        return result;
      } catch (error) {
        counter.record(operation, tables, new Map());
        throw error;
      }
    },
    { step: "finalizeRequest", priority: "low", name: "dynamoRequestCounter" },
  );
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
