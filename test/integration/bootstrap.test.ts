import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
} from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  BatchWriteCommand,
  GetCommand,
  QueryCommand,
  TransactGetCommand,
} from "@aws-sdk/lib-dynamodb";
import { describe, expect, inject, it } from "vitest";
import { ensureTables } from "../../src/store/bootstrap.js";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { tableNames } from "../../src/store/table-definitions.js";
import { createTestStoreContext } from "../support/dynamo.js";
import { DynamoRequestCounter } from "../support/dynamo-request-counter.js";

const endpoint = inject("dynamoEndpoint");
const uniqueNames = () => tableNames(`t${randomUUID().slice(0, 8)}-`);

function countedClient() {
  const clients = createDynamoClients({ endpoint });
  return { counter: new DynamoRequestCounter().attach(clients.lowLevel), ...clients };
}

describe("ensureTables", () => {
  it("creates both tables once and is idempotent, with an exact request count each time", async () => {
    const { lowLevel: client, counter } = countedClient();
    const names = uniqueNames();

    await ensureTables(client, names);
    // Per table: DescribeTable (missing), CreateTable, DescribeTable (waiter: ACTIVE), UpdateTimeToLive.
    expect(counter.requests({ operation: "CreateTable" })).toBe(2);
    expect(counter.requests({ operation: "DescribeTable" })).toBe(4);
    expect(counter.requests({ operation: "UpdateTimeToLive" })).toBe(2);
    expect(counter.requests()).toBe(8);

    counter.reset();
    await ensureTables(client, names);
    expect(counter.requests({ operation: "CreateTable" })).toBe(0);
    expect(counter.requests({ operation: "DescribeTable", table: names.data })).toBe(1);
    expect(counter.requests({ operation: "UpdateTimeToLive", table: names.timeseries })).toBe(1);
    expect(counter.requests()).toBe(4);

    for (const table of [names.data, names.timeseries]) {
      const described = await client.send(new DescribeTableCommand({ TableName: table }));
      expect(described.Table?.TableStatus).toBe("ACTIVE");
    }
  });

  it("creates the keys, indexes, stream, billing mode and TTL of the table definitions", async () => {
    const { lowLevel: client, names } = await createTestStoreContext();
    const data = (await client.send(new DescribeTableCommand({ TableName: names.data }))).Table;
    expect(data?.KeySchema).toEqual([
      { AttributeName: "PK", KeyType: "HASH" },
      { AttributeName: "SK", KeyType: "RANGE" },
    ]);
    expect(data?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
    expect(data?.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
    expect(data?.LatestStreamArn).toMatch(/stream/);
    const dataIndexes = (data?.GlobalSecondaryIndexes ?? []).map((index) => ({
      name: index.IndexName,
      keys: index.KeySchema?.map((k) => `${k.AttributeName}:${k.KeyType}`),
      projection: index.Projection?.ProjectionType,
    }));
    expect(dataIndexes.sort((a, b) => String(a.name).localeCompare(String(b.name)))).toEqual([
      { name: "GSI1", keys: ["GSI1PK:HASH", "GSI1SK:RANGE"], projection: "ALL" },
      { name: "GSI2", keys: ["GSI2PK:HASH", "GSI2SK:RANGE"], projection: "ALL" },
    ]);

    const timeseries = (await client.send(new DescribeTableCommand({ TableName: names.timeseries }))).Table;
    expect(timeseries?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(["GSI1"]);
    expect(timeseries?.GlobalSecondaryIndexes?.[0]?.KeySchema).toEqual([
      { AttributeName: "GSI1PK", KeyType: "HASH" },
      { AttributeName: "GSI1SK", KeyType: "RANGE" },
    ]);
    expect(timeseries?.StreamSpecification?.StreamEnabled ?? false).toBe(false);
    expect(timeseries?.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");

    for (const table of [names.data, names.timeseries]) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "expiresAt" });
    }
  });

  it("survives two instances bootstrapping the same tables at once", async () => {
    const names = uniqueNames();
    const [first, second] = [countedClient(), countedClient()];
    await Promise.all([ensureTables(first.lowLevel, names), ensureTables(second.lowLevel, names)]);
    const creates =
      first.counter.requests({ operation: "CreateTable" }) +
      second.counter.requests({ operation: "CreateTable" });
    expect(creates).toBeGreaterThanOrEqual(2);
    const ttl = await first.lowLevel.send(new DescribeTimeToLiveCommand({ TableName: names.data }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe("ENABLED");
  });

  it("leaves TTL off when asked to", async () => {
    const { lowLevel: client, counter } = countedClient();
    const names = uniqueNames();
    await ensureTables(client, names, { ttl: false });
    expect(counter.requests({ operation: "UpdateTimeToLive" })).toBe(0);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: names.timeseries }));
    expect(ttl.TimeToLiveDescription?.TimeToLiveStatus).toBe("DISABLED");
  });

  it("refuses an existing table with another layout, naming the table and the missing index", async () => {
    const { lowLevel: client } = countedClient();
    const names = uniqueNames();
    await client.send(
      new CreateTableCommand({
        TableName: names.data,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "PK", AttributeType: "S" },
          { AttributeName: "SK", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "PK", KeyType: "HASH" },
          { AttributeName: "SK", KeyType: "RANGE" },
        ],
      }),
    );
    const failure = ensureTables(client, names);
    await expect(failure).rejects.toThrow(`Could not ensure table "${names.data}"`);
    await expect(failure).rejects.toThrow("missing indexes [GSI1,GSI2]");
  });
});

describe("the request observer, through the tests' DynamoRequestCounter", () => {
  it("counts requests per operation and table and the items each read returned", async () => {
    const { doc, names, counter } = await createTestStoreContext();
    expect(counter.requests()).toBe(0);
    const items = ["a", "b", "c"].map((id) => ({ PK: "CLIENT#counted", SK: `ITEM#${id}`, id }));
    await doc.send(
      new BatchWriteCommand({
        RequestItems: {
          [names.data]: items.map((Item) => ({ PutRequest: { Item } })),
          [names.timeseries]: [
            { PutRequest: { Item: { PK: "TIMESERIES#counted", SK: "DAILY#2025-01-01" } } },
          ],
        },
      }),
    );
    await doc.send(new GetCommand({ TableName: names.data, Key: { PK: "CLIENT#counted", SK: "ITEM#a" } }));
    await doc.send(
      new GetCommand({ TableName: names.data, Key: { PK: "CLIENT#counted", SK: "ITEM#missing" } }),
    );
    await doc.send(
      new BatchGetCommand({
        RequestItems: {
          [names.data]: {
            Keys: ["a", "b", "c", "missing"].map((id) => ({ PK: "CLIENT#counted", SK: `ITEM#${id}` })),
          },
        },
      }),
    );
    await doc.send(
      new QueryCommand({
        TableName: names.data,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": "CLIENT#counted" },
      }),
    );
    await doc.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: names.data, Key: { PK: "CLIENT#counted", SK: "ITEM#b" } } },
          { Get: { TableName: names.timeseries, Key: { PK: "TIMESERIES#counted", SK: "DAILY#2025-01-01" } } },
          { Get: { TableName: names.timeseries, Key: { PK: "TIMESERIES#counted", SK: "DAILY#1999-01-01" } } },
        ],
      }),
    );

    expect(counter.requests()).toBe(6);
    expect(counter.requests({ operation: "BatchWriteItem" })).toBe(1);
    expect(counter.requests({ operation: "BatchWriteItem", table: names.timeseries })).toBe(1);
    expect(counter.requests({ operation: "GetItem" })).toBe(2);
    expect(counter.itemsRead({ operation: "GetItem" })).toBe(1);
    expect(counter.itemsRead({ operation: "BatchGetItem", table: names.data })).toBe(3);
    expect(counter.itemsRead({ operation: "Query" })).toBe(3);
    expect(counter.itemsRead({ operation: "TransactGetItems", table: names.data })).toBe(1);
    expect(counter.itemsRead({ operation: "TransactGetItems", table: names.timeseries })).toBe(1);
    expect(counter.requests({ table: names.data })).toBe(6);
    expect(counter.requests({ table: names.timeseries })).toBe(2);
    expect(counter.itemsRead()).toBe(1 + 3 + 3 + 2);
    expect(counter.snapshot()).toContainEqual({
      operation: "Query",
      table: names.data,
      requests: 1,
      itemsRead: 3,
    });

    counter.reset();
    expect(counter.requests()).toBe(0);
    expect(counter.snapshot()).toEqual([]);
  });

  it("counts every attempt, SDK retries included", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    const { lowLevel: client } = createDynamoClients({
      endpoint: `http://127.0.0.1:${closedPort}`,
      maxAttempts: 3,
    });
    const counter = new DynamoRequestCounter().attach(client);
    await expect(client.send(new ListTablesCommand({}))).rejects.toThrow();
    expect(counter.requests({ operation: "ListTables" })).toBe(3);
    expect(counter.snapshot()).toEqual([{ operation: "ListTables", table: null, requests: 3, itemsRead: 0 }]);
  });
});

describe("createDynamoClients", () => {
  it("rejects an endpoint that is not an http(s) URL, naming it", () => {
    expect(() => createDynamoClients({ endpoint: "localhost:8000" })).toThrow(
      /DynamoDB endpoint must be an http\(s\) URL/,
    );
    expect(() => createDynamoClients({ endpoint: "not a url" })).toThrow(
      'DynamoDB endpoint must be an http(s) URL, got "not a url"',
    );
  });
});
