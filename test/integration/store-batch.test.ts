/**
 * The unprocessed-item retry loops, tested against real DynamoDB Local. DynamoDB only returns
 * UnprocessedItems/UnprocessedKeys under throttling, which DynamoDB Local practically never does,
 * so these tests wrap a DocumentClient with a real SDK middleware that holds back part of a batch
 * request: only the rest is sent (for real) and the held-back part comes back as unprocessed,
 * exactly as DynamoDB reports it. We chose this over injecting a fake `send` into batch.ts: the
 * production code stays free of test hooks and every item still travels through DynamoDB.
 */
import type {
  BatchGetCommandInput,
  BatchWriteCommandInput,
  DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { batchGetAll, batchWriteAll, inKeyOrder, keyedReadsTogether } from "../../src/store/batch.js";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import { BatchIncompleteError } from "../../src/store/errors.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import { DynamoRequestCounter } from "../support/dynamo-request-counter.js";

let ctx: TestStoreContext;

beforeAll(async () => {
  ctx = await createTestStoreContext();
});

const itemsFor = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    PK: `BATCH#${prefix}`,
    SK: `ITEM#${String(i).padStart(4, "0")}`,
    n: i,
  }));
const keysOf = (items: { PK: string; SK: string }[]) => items.map(({ PK, SK }) => ({ PK, SK }));

/** How many entries of a request the wrapped client really sends on its nth batch call (rest: unprocessed). */
type SendPolicy = (call: number, entries: number) => number;

/** A fresh counted client whose Batch{Write,Get}Item calls send only what `policy` allows. */
function partiallyProcessingClient(policy: SendPolicy): {
  doc: DynamoDBDocumentClient;
  counter: DynamoRequestCounter;
} {
  const { lowLevel: client, doc } = createDynamoClients({ endpoint: ctx.endpoint });
  const counter = new DynamoRequestCounter().attach(client);
  let calls = 0;
  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const writing = context.commandName === "BatchWriteItemCommand";
      if (!writing && context.commandName !== "BatchGetItemCommand") return next(args);
      calls++;
      if (writing) {
        const input = args.input as BatchWriteCommandInput;
        const [table, requests] = Object.entries(input.RequestItems ?? {})[0] ?? ["", []];
        const sent = Math.max(1, policy(calls, requests.length));
        const result = await next({
          ...args,
          input: { ...input, RequestItems: { [table]: requests.slice(0, sent) } },
        });
        const held = requests.slice(sent);
        if (held.length > 0) Object.assign(result.output as object, { UnprocessedItems: { [table]: held } });
        return result;
      }
      const input = args.input as BatchGetCommandInput;
      const [table, entry] = Object.entries(input.RequestItems ?? {})[0] ?? ["", { Keys: [] }];
      const keys = entry.Keys ?? [];
      const sent = Math.max(1, policy(calls, keys.length));
      const result = await next({
        ...args,
        input: { ...input, RequestItems: { [table]: { ...entry, Keys: keys.slice(0, sent) } } },
      });
      const held = keys.slice(sent);
      if (held.length > 0)
        Object.assign(result.output as object, { UnprocessedKeys: { [table]: { ...entry, Keys: held } } });
      return result;
    },
    { step: "initialize", name: "partialProcessing" },
  );
  return { doc, counter };
}

describe("batchWriteAll / batchGetAll", () => {
  it("chunks writes by 25 and reads by 100 keys", async () => {
    const items = itemsFor("plain", 260);
    await batchWriteAll(
      ctx.doc,
      ctx.names.data,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    expect(ctx.counter.requests({ operation: "BatchWriteItem" })).toBe(11);
    ctx.counter.reset();
    const found = await batchGetAll(ctx.doc, {
      [ctx.names.data]: { Keys: [...keysOf(items), ...keysOf(items)] },
    });
    // Duplicate keys are dropped (DynamoDB rejects them), so 260 keys = 3 requests.
    expect(ctx.counter.requests({ operation: "BatchGetItem" })).toBe(3);
    expect(inKeyOrder(keysOf(items), found[ctx.names.data] ?? [])).toEqual(items);
  });

  it("resends UnprocessedItems until every write landed", async () => {
    // First call: only 5 of 25 are processed; later calls: everything.
    const { doc, counter } = partiallyProcessingClient((call, entries) => (call === 1 ? 5 : entries));
    const items = itemsFor("retried", 60);
    await batchWriteAll(
      doc,
      ctx.names.data,
      items.map((Item) => ({ PutRequest: { Item } })),
      { baseDelayMs: 1 },
    );
    // 25 -> 5 written + 20 resent, then 25, then 10.
    expect(counter.requests({ operation: "BatchWriteItem" })).toBe(4);
    const found = await batchGetAll(ctx.doc, { [ctx.names.data]: { Keys: keysOf(items) } });
    expect(inKeyOrder(keysOf(items), found[ctx.names.data] ?? [])).toEqual(items);
  });

  it("gives up after the last attempt with a clear count of what remains", async () => {
    // Only one entry per call is ever processed.
    const { doc, counter } = partiallyProcessingClient(() => 1);
    const items = itemsFor("stuck", 30);
    const error = await batchWriteAll(
      doc,
      ctx.names.data,
      items.map((Item) => ({ PutRequest: { Item } })),
      { maxAttempts: 3, baseDelayMs: 1 },
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    // First chunk: 3 written of 25, 22 left; second chunk (5) never sent.
    expect((error as BatchIncompleteError).remaining).toBe(27);
    expect((error as Error).message).toBe("BatchWriteItem: 27 item(s) still unprocessed after 3 attempts");
    expect(counter.requests({ operation: "BatchWriteItem" })).toBe(3);
    const found = await batchGetAll(ctx.doc, { [ctx.names.data]: { Keys: keysOf(items) } });
    expect(found[ctx.names.data]).toHaveLength(3);
  });

  it("resends UnprocessedKeys until every key was read", async () => {
    const items = itemsFor("reads", 150);
    await batchWriteAll(
      ctx.doc,
      ctx.names.data,
      items.map((Item) => ({ PutRequest: { Item } })),
    );
    // Every first read of a chunk returns only half its keys.
    const { doc, counter } = partiallyProcessingClient((call, entries) =>
      call % 2 === 1 ? Math.ceil(entries / 2) : entries,
    );
    const found = await batchGetAll(doc, { [ctx.names.data]: { Keys: keysOf(items) } }, { baseDelayMs: 1 });
    expect(inKeyOrder(keysOf(items), found[ctx.names.data] ?? [])).toEqual(items);
    // 100 keys -> 50 + 50, then 50 keys -> 25 + 25.
    expect(counter.requests({ operation: "BatchGetItem" })).toBe(4);
  });

  it("gives up reading after the last attempt, naming how many keys remain", async () => {
    const { doc } = partiallyProcessingClient(() => 1);
    const keys = keysOf(itemsFor("reads", 10));
    await expect(
      batchGetAll(doc, { [ctx.names.data]: { Keys: keys } }, { maxAttempts: 2, baseDelayMs: 1 }),
    ).rejects.toThrow("BatchGetItem: 8 item(s) still unprocessed after 2 attempts");
  });
});

describe("keyedReadsTogether", () => {
  it("sends the reads asked in one turn, of any table, in shared BatchGetItem calls of 100 keys", async () => {
    const records = itemsFor("together", 130);
    const rollups = itemsFor("together-rollups", 20);
    await batchWriteAll(
      ctx.doc,
      ctx.names.data,
      records.map((Item) => ({ PutRequest: { Item } })),
    );
    await batchWriteAll(
      ctx.doc,
      ctx.names.timeseries,
      rollups.map((Item) => ({ PutRequest: { Item } })),
    );
    const missing = { PK: "BATCH#together", SK: "ITEM#none" };
    const read = keyedReadsTogether(ctx.doc);
    ctx.counter.reset();
    const [first, second, third] = await Promise.all([
      read(ctx.names.data, keysOf(records.slice(0, 80))),
      read(ctx.names.timeseries, keysOf(rollups)),
      // The same key twice across calls is read once (DynamoDB refuses duplicates in a call).
      read(ctx.names.data, [...keysOf(records.slice(80)), missing, keysOf(records)[0]!]),
    ]);
    // 131 distinct keys of the data table and 20 of the time-series table: 151 keys, 2 calls.
    expect(ctx.counter.requests({ operation: "BatchGetItem" })).toBe(2);
    expect(first).toEqual(records.slice(0, 80));
    expect(second).toEqual(rollups);
    expect(third).toEqual([...records.slice(80), null, records[0]]);
    // A later turn is a call of its own.
    expect(await read(ctx.names.timeseries, keysOf(rollups.slice(0, 1)))).toEqual(rollups.slice(0, 1));
    expect(ctx.counter.requests({ operation: "BatchGetItem" })).toBe(3);
  });

  it("fails every read of the turn when the shared call gives up", async () => {
    const { doc } = partiallyProcessingClient(() => 1);
    const read = keyedReadsTogether(doc, { maxAttempts: 2, baseDelayMs: 1 });
    const reads = [
      read(ctx.names.data, keysOf(itemsFor("fails", 6))),
      read(ctx.names.data, keysOf(itemsFor("fails-too", 4))),
    ].map((pending) => pending.catch((error: unknown) => error));
    for (const error of await Promise.all(reads)) {
      expect(error).toBeInstanceOf(BatchIncompleteError);
      expect((error as Error).message).toBe("BatchGetItem: 8 item(s) still unprocessed after 2 attempts");
    }
  });
});
