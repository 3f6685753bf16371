import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";

export type StoredItem = Record<string, unknown>;

export interface QueryAllOptions {
  /** Stop after this many pages even if DynamoDB has more (a guard against unbounded reads). */
  maxPages?: number;
  /** Stop once this many items are collected; each page asks only for what is still missing. */
  maxItems?: number;
}

export interface QueryAllResult {
  items: StoredItem[];
  /** Set when more items exist beyond what was read (maxItems or maxPages reached). */
  lastEvaluatedKey?: StoredItem;
  pages: number;
}

/**
 * Runs a Query and follows LastEvaluatedKey until the result is complete (or a bound is reached).
 * DynamoDB ends a page at 1 MB whatever the Limit, so every caller needs this loop.
 */
export async function queryAll(
  doc: DynamoDBDocumentClient,
  input: QueryCommandInput,
  options: QueryAllOptions = {},
): Promise<QueryAllResult> {
  const items: StoredItem[] = [];
  let startKey = input.ExclusiveStartKey;
  let pages = 0;
  for (;;) {
    const remaining = options.maxItems === undefined ? undefined : options.maxItems - items.length;
    const page = await doc.send(
      new QueryCommand({
        ...input,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        ...(remaining === undefined ? {} : { Limit: remaining }),
      }),
    );
    pages++;
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
    const full = options.maxItems !== undefined && items.length >= options.maxItems;
    if (!startKey || full || (options.maxPages !== undefined && pages >= options.maxPages)) {
      return { items, pages, ...(startKey ? { lastEvaluatedKey: startKey } : {}) };
    }
  }
}

/** How many items a Query matches, over every page (Select COUNT: no item is returned). */
export async function countAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<number> {
  let count = 0;
  let startKey = input.ExclusiveStartKey;
  do {
    const page = await doc.send(
      new QueryCommand({ ...input, Select: "COUNT", ...(startKey ? { ExclusiveStartKey: startKey } : {}) }),
    );
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}
