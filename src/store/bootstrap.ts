/**
 * Creates the tables of TABLE_DEFINITIONS when missing and enables TTL, idempotently: safe on every
 * start, from several instances at once, against DynamoDB Local and real DynamoDB alike.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
  type TableDescription,
} from "@aws-sdk/client-dynamodb";
import {
  TABLE_DEFINITIONS,
  createTableInput,
  type TableDefinition,
  type TableNames,
} from "./table-definitions.js";

export interface EnsureTablesOptions {
  /** Enable TTL on the definitions' TTL attribute (default true). */
  ttl?: boolean;
  /** How long to wait for a new table to become ACTIVE (default 300 s; real DynamoDB can take minutes). */
  maxWaitSeconds?: number;
}

export async function ensureTables(
  client: DynamoDBClient,
  names: TableNames,
  options: EnsureTablesOptions = {},
): Promise<void> {
  await Promise.all(
    TABLE_DEFINITIONS.map(async (definition) => {
      const name = names[definition.role];
      try {
        const description = await ensureTable(client, definition, name, options.maxWaitSeconds ?? 300);
        assertMatchesDefinition(description, definition, name);
        if (options.ttl ?? true) await enableTtl(client, name, definition.ttlAttribute);
      } catch (error) {
        throw new Error(`Could not ensure table "${name}": ${(error as Error).message}`, { cause: error });
      }
    }),
  );
}

async function ensureTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  name: string,
  maxWaitSeconds: number,
): Promise<TableDescription | undefined> {
  const existing = await describeTable(client, name);
  if (existing?.TableStatus === "ACTIVE") return existing;
  if (existing === undefined) {
    try {
      await client.send(new CreateTableCommand(createTableInput(definition, name)));
    } catch (error) {
      // Another instance created it between our describe and our create: wait for theirs.
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  const waited = await waitUntilTableExists(
    { client, maxWaitTime: maxWaitSeconds, minDelay: 1, maxDelay: 5 },
    { TableName: name },
  );
  // On success the waiter's reason is its last DescribeTable response.
  return (waited.reason as DescribeTableCommandOutput | undefined)?.Table;
}

async function describeTable(client: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/**
 * A table left over from an older layout (say a data dir from before GSI2 existed) would fail
 * later with confusing query errors; say so now instead.
 */
function assertMatchesDefinition(
  description: TableDescription | undefined,
  definition: TableDefinition,
  name: string,
): void {
  const keys = (description?.KeySchema ?? []).map((k) => `${k.AttributeName}:${k.KeyType}`).join(",");
  const expectedKeys = `${definition.partitionKey}:HASH,${definition.sortKey}:RANGE`;
  const indexes = new Set((description?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName));
  const missing = definition.indexes.map((i) => i.indexName).filter((index) => !indexes.has(index));
  if (keys !== expectedKeys || missing.length > 0) {
    throw new Error(
      `table "${name}" exists with keys [${keys}] and is missing indexes [${missing.join(",")}]; ` +
        `expected keys [${expectedKeys}] and indexes [${definition.indexes.map((i) => i.indexName).join(",")}]. ` +
        "Delete or migrate it (locally: remove the DynamoDB data directory).",
    );
  }
}

async function enableTtl(client: DynamoDBClient, name: string, attribute: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: attribute, Enabled: true },
      }),
    );
  } catch (error) {
    // DynamoDB answers a repeated enable with a ValidationException; that is the state we want.
    if (!(
      (error as Error).name === "ValidationException" && /already enabled/i.test((error as Error).message)
    )) {
      throw error;
    }
  }
}
