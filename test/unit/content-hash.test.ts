import { describe, expect, it } from "vitest";
import { costRecordContentHash } from "../../src/store/content-hash.js";
import { costRecord } from "../support/records.js";

describe("costRecordContentHash", () => {
  it("keeps the hashes stored days carry (a new spelling would rewrite every stored day once)", () => {
    expect(costRecordContentHash(costRecord({ clientId: "hash", provider: "AWS", date: "2026-03-05" }))).toBe(
      "40c3f0e89c2eee4e08448e697f6cf0c0a2f56d8cf7d2f9f694b6b0c588d017a4",
    );
    expect(
      costRecordContentHash(
        costRecord({ clientId: "hash", provider: "GCP", date: "2026-03-05", scale: 1.3 }),
      ),
    ).toBe("9500628f58f0ee70741e09ef64059b91c9cf9f7297e04c2f88e428d88915ff2a");
  });

  it("ignores key order, undefined members and collection metadata, and sees every content change", () => {
    const record = costRecord({ clientId: "hash", provider: "AWS", date: "2026-03-05" });
    const hash = costRecordContentHash(record);
    const reordered = Object.fromEntries(Object.entries(record).reverse()) as typeof record;
    const [line, ...rest] = record.lines;
    const lineReordered = { ...Object.fromEntries(Object.entries(line!).reverse()), absent: undefined };
    expect(costRecordContentHash(reordered)).toBe(hash);
    expect(
      costRecordContentHash({ ...record, lines: [lineReordered as unknown as typeof line & {}, ...rest] }),
    ).toBe(hash);
    expect(costRecordContentHash({ ...record, collection: { ...record.collection, jobId: "other" } })).toBe(
      hash,
    );
    expect(
      costRecordContentHash({ ...record, lines: [{ ...line!, region: "elsewhere" }, ...rest] }),
    ).not.toBe(hash);
  });
});
