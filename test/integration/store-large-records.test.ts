import { createHash } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import type { UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { CostRecordStore } from "../../src/store/cost-record-store.js";
import { LINE_CHUNK_BYTES } from "../../src/store/cost-record-item.js";
import { itemSize } from "../../src/store/item-size.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import { costRecord, hugeCostRecord } from "../support/records.js";
import { storedCosts, type StoredCosts } from "../support/stored-costs.js";

let ctx: TestStoreContext;
let store: CostRecordStore;
let stored: StoredCosts;
const DAY = "2026-01-05";

beforeAll(async () => {
  ctx = await createTestStoreContext();
  store = new CostRecordStore({ doc: ctx.doc, names: ctx.names });
  stored = storedCosts(ctx);
});

/** The raw items of one day: its header and line chunks, as DynamoDB holds them. */
async function rawItems(clientId: string) {
  const out = await ctx.doc.send(
    new QueryCommand({
      TableName: ctx.names.data,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": `CLIENT#${clientId}` },
    }),
  );
  const items = out.Items ?? [];
  return {
    header: items.find((item) => String(item.SK).startsWith("COST#")),
    chunks: items.filter((item) => String(item.SK).startsWith("LINES#")),
  };
}

describe("records over 400 KB", () => {
  let huge: UnifiedCostRecord;

  beforeAll(() => {
    huge = hugeCostRecord("huge", DAY, 10_000);
  });

  it("splits 20k lines / 10k services into chunks and reassembles them losslessly", async () => {
    expect(huge.lines).toHaveLength(20_000);
    expect(huge.services).toHaveLength(10_000);
    // Far over one item's 400 KB as plain JSON.
    expect(Buffer.byteLength(JSON.stringify(huge))).toBeGreaterThan(4 * 400 * 1024);

    expect(await stored.upsertDay(huge)).toEqual({ outcome: "created", version: 1 });
    const { header, chunks } = await rawItems("huge");
    expect(header?.detailInChunks).toBe(true);
    expect(header && "services" in header).toBe(false);
    expect(header?.lineChunks).toBe(chunks.length);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(itemSize(chunk)).toBeLessThan(LINE_CHUNK_BYTES + 1024);
    }
    expect(itemSize(header ?? {})).toBeLessThan(400 * 1024);

    expect(await store.getRecord("huge", "AWS", DAY)).toStrictEqual({ ...huge, version: 1 });
    const [viaBatch] = await store.getHeaders([{ clientId: "huge", provider: "AWS", date: DAY }]);
    const { lines: _lines, ...expectedHeader } = { ...huge, version: 1 };
    expect(viaBatch).toStrictEqual(expectedHeader);
    expect(await stored.headers("huge", "AWS", DAY, DAY)).toStrictEqual([expectedHeader]);
    expect((await store.getLines("huge", "AWS", DAY, DAY)).get(DAY)).toStrictEqual(huge.lines);
  });

  it("keeps the marginal lists in the header when they fit", async () => {
    const small = costRecord({ clientId: "huge-small", provider: "AWS", date: DAY });
    await stored.upsertDay(small);
    const { header, chunks } = await rawItems("huge-small");
    expect(header?.detailInChunks).toBe(false);
    expect(header?.services).toHaveLength(small.services.length);
    expect(chunks).toHaveLength(1);
  });

  it("deletes the chunks a smaller restatement no longer needs, in the same write", async () => {
    const before = (await rawItems("huge")).chunks.length;
    const smaller = costRecord({ clientId: "huge", provider: "AWS", date: DAY });
    expect(await stored.upsertDay(smaller)).toMatchObject({ outcome: "updated", version: 2 });
    const { header, chunks } = await rawItems("huge");
    expect(before).toBeGreaterThan(1);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.version).toBe(2);
    expect(header?.detailInChunks).toBe(false);
    expect(await store.getRecord("huge", "AWS", DAY)).toStrictEqual({ ...smaller, version: 2 });
  });

  it("stores a day the transactional write refused (40,000 incompressible lines) and reads it back whole", async () => {
    // Hash-derived names defeat gzip: about 5 MB of chunks after compression.
    const base = costRecord({ clientId: "too-big", provider: "AWS", date: DAY });
    const template = base.lines[0]!;
    const noise = (i: number) =>
      [0, 1, 2, 3].map((n) => createHash("sha256").update(`${i}/${n}`).digest("base64")).join("");
    const lines = Array.from({ length: 40_000 }, (_, i) => ({
      ...template,
      serviceName: noise(i),
      cost: 0,
      billedCost: 0,
    }));
    const record: UnifiedCostRecord = {
      ...base,
      lines: [...base.lines, ...lines],
    };
    expect(await stored.upsertDay(record)).toMatchObject({ outcome: "created", version: 1 });
    const { chunks } = await rawItems("too-big");
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.every((chunk) => chunk.version === 1)).toBe(true);
    expect(await store.getRecord("too-big", "AWS", DAY)).toStrictEqual({ ...record, version: 1 });
  });
});
