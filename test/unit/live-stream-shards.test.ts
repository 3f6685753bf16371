import { describe, expect, it } from "vitest";
import { readableShards, type ShardInfo } from "../../src/live/stream-shards.js";

// A rollover and a split: root closed into `a`; `a` split into `b` and `c`. `orphan`'s parent was trimmed.
const shards: ShardInfo[] = [
  { shardId: "root" },
  { shardId: "a", parentShardId: "root" },
  { shardId: "b", parentShardId: "a" },
  { shardId: "c", parentShardId: "a" },
  { shardId: "orphan", parentShardId: "trimmed-long-ago" },
];
const ids = (finished: string[]) => readableShards(shards, new Set(finished)).map((s) => s.shardId);

describe("readableShards", () => {
  it("reads parents before children", () => {
    expect(ids([])).toEqual(["root", "orphan"]);
  });

  it("follows a rollover: a finished shard's children become readable", () => {
    expect(ids(["root"])).toEqual(["a", "orphan"]);
    expect(ids(["root", "a"])).toEqual(["b", "c", "orphan"]);
  });

  it("never returns a finished shard", () => {
    expect(ids(["root", "a", "b", "c", "orphan"])).toEqual([]);
  });
});
