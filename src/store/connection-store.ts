/**
 * Provider connections: `CLIENT#{id}` / `CONNECTION#{provider}`. The encrypted credentials sit in
 * the `secretEnvelope` attribute, which the normal reads never fetch (their projection leaves it
 * out), so a ProviderConnection can be handed to any layer; only the collector asks for the envelope.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { HealthStatus, ProviderConnection } from "../domain/client.js";
import { checkListSize, CONNECTION_LISTING } from "../domain/limits.js";
import type { CloudProvider } from "../domain/provider.js";
import { ValidationError, validateText } from "../domain/validation.js";
import { checkId, checkProvider } from "./input.js";
import { keys } from "./keys.js";
import { queryAll, type StoredItem } from "./query.js";
import { decodeItem, encodeShape, type Shape } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

const CONNECTION: Shape<ProviderConnection> = {
  clientId: "string",
  provider: "string",
  credentialSummary: "string",
  endpoint: "string?",
  createdAt: "string",
  updatedAt: "string",
  health: "string",
  lastHealthCheckAt: "string?",
  lastHealthError: "string?",
};

const SECRET_ATTRIBUTE = "secretEnvelope";
/** What normal reads fetch: every field of ProviderConnection and nothing else. */
const PUBLIC_PROJECTION = {
  ProjectionExpression: Object.keys(CONNECTION)
    .map((_, i) => `#c${i}`)
    .join(", "),
  ExpressionAttributeNames: Object.fromEntries(Object.keys(CONNECTION).map((name, i) => [`#c${i}`, name])),
};

const HEALTH_STATUSES: readonly HealthStatus[] = ["UNKNOWN", "HEALTHY", "UNHEALTHY"];

export function connectionToItem(connection: ProviderConnection, secretEnvelope: string): StoredItem {
  return {
    ...keys.connection(connection.clientId, connection.provider),
    ...keys.connectionListing(connection.clientId, connection.provider),
    entity: "CONNECTION",
    ...encodeShape(CONNECTION, connection),
    [SECRET_ATTRIBUTE]: secretEnvelope,
  };
}

export function connectionFromItem(item: StoredItem): ProviderConnection {
  return decodeItem(CONNECTION, item, `connection ${String(item.clientId)}/${String(item.provider)}`);
}

export class ConnectionStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames }) {
    this.doc = options.doc;
    this.table = options.names.data;
  }

  /**
   * Creates or replaces the client's connection to a provider. `secretEnvelope` is the already
   * encrypted, serialized credential envelope; the store never interprets it.
   */
  async put(connection: ProviderConnection, secretEnvelope: string): Promise<ProviderConnection> {
    checkId(connection.clientId, "clientId");
    checkProvider(connection.provider, "provider");
    validateText(connection.credentialSummary, "credentialSummary");
    if (!HEALTH_STATUSES.includes(connection.health)) {
      throw new ValidationError("health", `must be one of ${HEALTH_STATUSES.join(", ")}`);
    }
    if (typeof secretEnvelope !== "string" || secretEnvelope.length === 0) {
      throw new ValidationError("secretEnvelope", "is missing");
    }
    await this.doc.send(
      new PutCommand({ TableName: this.table, Item: connectionToItem(connection, secretEnvelope) }),
    );
    return connection;
  }

  async get(clientId: string, provider: CloudProvider): Promise<ProviderConnection | null> {
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: this.key(clientId, provider), ...PUBLIC_PROJECTION }),
    );
    return Item ? connectionFromItem(Item) : null;
  }

  /** The client's connections in provider order, without their secrets. */
  async listByClient(clientId: string): Promise<ProviderConnection[]> {
    checkId(clientId, "clientId");
    const input: QueryCommandInput = {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.client(clientId).PK, ":prefix": "CONNECTION#" },
      ...PUBLIC_PROJECTION,
    };
    const { items } = await queryAll(this.doc, input);
    return items.map(connectionFromItem);
  }

  /**
   * Up to `limit` connections of all clients (client id order), without their secrets, in one Query
   * of GSI1; `truncated` when more may exist.
   */
  async listAcrossClients(limit: number): Promise<{ connections: ProviderConnection[]; truncated: boolean }> {
    checkListSize(limit, "limit", CONNECTION_LISTING);
    const { Items = [], LastEvaluatedKey } = await this.doc.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: "GSI1",
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": keys.connectionListing("", "AWS").GSI1PK },
        Limit: limit,
        ...PUBLIC_PROJECTION,
      }),
    );
    return { connections: Items.map(connectionFromItem), truncated: LastEvaluatedKey !== undefined };
  }

  /** The encrypted credential envelope, for the collector only; null when there is no connection. */
  async getSecretEnvelope(clientId: string, provider: CloudProvider): Promise<string | null> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.table,
        Key: this.key(clientId, provider),
        ProjectionExpression: "#secret",
        ExpressionAttributeNames: { "#secret": SECRET_ATTRIBUTE },
      }),
    );
    const envelope = Item?.[SECRET_ATTRIBUTE];
    return typeof envelope === "string" ? envelope : null;
  }

  private key(clientId: string, provider: CloudProvider) {
    return keys.connection(checkId(clientId, "clientId"), checkProvider(provider, "provider"));
  }
}
