/** Clients (tenants): profile items `CLIENT#{id}` / `PROFILE`, listed in id order through GSI1 `CLIENTS`. */
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { Client } from "../domain/client.js";
import { validateCurrencyCode, validateText } from "../domain/validation.js";
import { keyedRead, type KeyedRead } from "./batch.js";
import { isConditionFailure, ItemAlreadyExistsError } from "./errors.js";
import { checkId, checkPageSize } from "./input.js";
import { keys } from "./keys.js";
import { pageOf, windowQuery, type ListingWindow, type Page } from "./page.js";
import { countAll, queryAll, type StoredItem } from "./query.js";
import { decodeItem, encodeShape, type Shape } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

const CLIENT: Shape<Client> = {
  id: "string",
  name: "string",
  reportingCurrency: "string",
  createdAt: "string",
};

export function clientToItem(client: Client): StoredItem {
  return {
    ...keys.client(client.id),
    ...keys.clientListing(client.id),
    entity: "CLIENT",
    ...encodeShape(CLIENT, client),
  };
}

export function clientFromItem(item: StoredItem): Client {
  return decodeItem(CLIENT, item, `client ${String(item.PK)}`);
}

export class ClientStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  private readonly onWritten: ((clientId: string) => void) | undefined;
  private readonly read: KeyedRead;

  constructor(options: {
    doc: DynamoDBDocumentClient;
    names: TableNames;
    /** Told after a client's profile was written (this process's read cache drops it). */
    onWritten?: (clientId: string) => void;
  }) {
    this.doc = options.doc;
    this.table = options.names.data;
    this.onWritten = options.onWritten;
    this.read = keyedRead(options.doc);
  }

  /** Creates the client; throws ItemAlreadyExistsError when the id is taken (nothing is overwritten). */
  async create(client: Client): Promise<Client> {
    checkId(client.id, "id");
    validateText(client.name, "name");
    validateCurrencyCode(client.reportingCurrency, "reportingCurrency");
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: clientToItem(client),
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new ItemAlreadyExistsError("client", client.id);
      }
      throw error;
    }
    this.onWritten?.(client.id);
    return client;
  }

  async get(id: string): Promise<Client | null> {
    checkId(id, "id");
    const { Item } = await this.doc.send(new GetCommand({ TableName: this.table, Key: keys.client(id) }));
    return Item ? clientFromItem(Item) : null;
  }

  /**
   * One entry per id, in order, null where unknown (for DataLoaders: BatchGetItem, 100 keys a call,
   * or shared with other reads through `read`).
   */
  async batchGet(ids: readonly string[], read: KeyedRead = this.read): Promise<(Client | null)[]> {
    const itemKeys = ids.map((id, i) => keys.client(checkId(id, `ids[${i}]`)));
    return (await read(this.table, itemKeys)).map((item) => (item ? clientFromItem(item) : null));
  }

  /** How many clients exist (one COUNT Query over the listing). */
  async count(): Promise<number> {
    return countAll(this.doc, {
      TableName: this.table,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": keys.clientListing("").GSI1PK },
    });
  }

  /** Clients in id order; a window's cursor is a client id. */
  async list(window: ListingWindow): Promise<Page<Client>> {
    checkPageSize(window.size, "size");
    const start =
      window.cursor === undefined ? undefined : keys.clientListing(checkId(window.cursor, "cursor")).GSI1SK;
    const range = windowQuery(window, "ascending", "GSI1SK", start);
    const { items } = await queryAll(
      this.doc,
      {
        TableName: this.table,
        IndexName: "GSI1",
        KeyConditionExpression: `GSI1PK = :pk${range.condition}`,
        ExpressionAttributeValues: { ":pk": keys.clientListing("").GSI1PK, ...range.values },
        ScanIndexForward: range.scanIndexForward,
      },
      { maxItems: window.size + 1 },
    );
    return pageOf(items.map(clientFromItem), window);
  }
}
