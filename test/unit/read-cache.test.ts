import { describe, expect, it } from "vitest";
import { cacheKey, ReadCache, type ReadCacheMetrics } from "../../src/application/read-cache.js";

function counted() {
  const counts = { hit: 0, miss: 0, invalidated: 0, bytes: 0 };
  const metrics: ReadCacheMetrics = {
    hit: () => counts.hit++,
    miss: () => counts.miss++,
    invalidated: () => counts.invalidated++,
    size: (bytes) => (counts.bytes = bytes),
  };
  return { counts, metrics };
}

function followingCache(options: Partial<ConstructorParameters<typeof ReadCache>[0]> = {}) {
  const cache = new ReadCache({ maxBytes: 1_000_000, ...options });
  cache.setFollowing(true);
  return cache;
}

describe("ReadCache", () => {
  it("keeps an answer until the client's data changes, and counts hits, misses and invalidations", async () => {
    const { counts, metrics } = counted();
    const cache = followingCache({ metrics });
    let computed = 0;
    const compute = async () => ({ total: ++computed });
    expect(await cache.remember("c1", "summary|x", compute)).toEqual({ total: 1 });
    expect(await cache.remember("c1", "summary|x", compute)).toEqual({ total: 1 });
    cache.invalidate(["c1"]);
    expect(await cache.remember("c1", "summary|x", compute)).toEqual({ total: 2 });
    expect(counts).toMatchObject({ hit: 1, miss: 2, invalidated: 1 });
    expect(counts.bytes).toBeGreaterThan(0);
  });

  it("keeps clients apart: one client's change leaves another's entries", async () => {
    const cache = followingCache();
    await cache.remember("a", "summary|x", async () => "a's");
    await cache.remember("b", "summary|x", async () => "b's");
    cache.invalidate(["a"]);
    expect(cache.get("a", "summary|x")).toBeUndefined();
    expect(await cache.get("b", "summary|x")).toBe("b's");
  });

  it("does not keep what a read begun before a change found", async () => {
    const cache = followingCache();
    let release!: (value: string) => void;
    const slow = cache.remember("c1", "summary|x", () => new Promise<string>((r) => (release = r)));
    const version = cache.version("c1");
    cache.invalidate(["c1"]);
    release("old");
    expect(await slow).toBe("old");
    cache.set("c1", "header|d", "old item", version);
    expect(cache.get("c1", "summary|x")).toBeUndefined();
    expect(cache.get("c1", "header|d")).toBeUndefined();
    expect(await cache.remember("c1", "summary|x", async () => "new")).toBe("new");
  });

  it("shares one computation between callers asking at once, and keeps no failure", async () => {
    const cache = followingCache();
    let calls = 0;
    const compute = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      return calls;
    };
    const [first, second] = await Promise.all([
      cache.remember("c1", "series|x", compute),
      cache.remember("c1", "series|x", compute),
    ]);
    expect([first, second, calls]).toEqual([1, 1, 1]);
    await expect(
      cache.remember("c1", "series|y", async () => {
        throw new Error("read failed");
      }),
    ).rejects.toThrow("read failed");
    expect(await cache.remember("c1", "series|y", async () => "second try")).toBe("second try");
  });

  it("keeps within its memory bound, dropping the least recently used first", async () => {
    const cache = followingCache({ maxBytes: 3 * (200 + 2_000) });
    const value = "x".repeat(998); // 2 000 bytes of JSON text
    for (const key of ["a", "b", "c"]) cache.set("c1", `item|${key}`, value, cache.version("c1"));
    expect(cache.get("c1", "item|a")).toBe(value); // a is now the most recent
    cache.set("c1", "item|d", value, cache.version("c1"));
    expect(cache.get("c1", "item|b")).toBeUndefined();
    expect(cache.get("c1", "item|a")).toBe(value);
    expect(cache.stats().entries).toBe(3);
    expect(cache.stats().bytes).toBeLessThanOrEqual(3 * (200 + 2_000));
  });

  it("keeps nothing while changes are not followed, nor what was read before following resumed", () => {
    const cache = new ReadCache({ maxBytes: 1_000_000 });
    cache.set("c1", "item|a", 1, cache.version("c1"));
    expect(cache.get("c1", "item|a")).toBeUndefined();
    cache.setFollowing(true);
    cache.set("c1", "item|a", 1, cache.version("c1"));
    const before = cache.version("c1");
    cache.setFollowing(false);
    cache.setFollowing(true);
    expect(cache.get("c1", "item|a")).toBeUndefined();
    cache.set("c1", "item|a", 2, before);
    expect(cache.get("c1", "item|a")).toBeUndefined();
  });

  it("does not keep reads made while a change may still be settling", () => {
    let now = 0;
    const cache = followingCache({ settleMs: 1_000, now: () => now });
    now = 5_000;
    cache.invalidate(["c1"]);
    now = 5_500;
    cache.set("c1", "item|a", "maybe old", cache.version("c1"));
    expect(cache.get("c1", "item|a")).toBeUndefined();
    now = 6_000;
    cache.set("c1", "item|a", "settled", cache.version("c1"));
    expect(cache.get("c1", "item|a")).toBe("settled");
  });

  it("keys questions by their arguments, whatever their order", () => {
    expect(cacheKey("summary", { b: 1, a: { d: 2, c: undefined } })).toBe(
      cacheKey("summary", { a: { d: 2 }, b: 1 }),
    );
    expect(cacheKey("summary", { a: 1 })).not.toBe(cacheKey("breakdown", { a: 1 }));
  });
});
