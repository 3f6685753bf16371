import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import type { ProviderConnection } from "../../src/domain/client.js";
import { ValidationError } from "../../src/domain/validation.js";
import { ClientStore } from "../../src/store/client-store.js";
import { CollectionJobStore, jobListingCursor } from "../../src/store/collection-job-store.js";
import { ConnectionStore } from "../../src/store/connection-store.js";
import { ItemAlreadyExistsError } from "../../src/store/errors.js";
import { ExchangeRateStore } from "../../src/store/exchange-rate-store.js";
import { keys } from "../../src/store/keys.js";
import { collectionJob } from "../support/collection-jobs.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";

let ctx: TestStoreContext;

beforeAll(async () => {
  ctx = await createTestStoreContext();
});

const client = (id: string) => ({
  id,
  name: `Client ${id} – Zürich`,
  reportingCurrency: "EUR",
  createdAt: "2026-01-02T03:04:05.000Z",
});

describe("ClientStore", () => {
  it("creates, refuses a taken id, gets and batch-gets in order", async () => {
    const clients = new ClientStore({ doc: ctx.doc, names: ctx.names });
    await clients.create(client("acme"));
    await expect(clients.create({ ...client("acme"), name: "Impostor" })).rejects.toBeInstanceOf(
      ItemAlreadyExistsError,
    );
    await expect(clients.create({ ...client("acme"), name: "Impostor" })).rejects.toThrow(
      'client "acme" already exists',
    );
    expect(await clients.get("acme")).toStrictEqual(client("acme"));
    expect(await clients.get("nobody")).toBeNull();
    await clients.create(client("globex"));
    ctx.counter.reset();
    expect(await clients.batchGet(["globex", "nobody", "acme"])).toStrictEqual([
      client("globex"),
      null,
      client("acme"),
    ]);
    expect(ctx.counter.requests({ operation: "BatchGetItem" })).toBe(1);
  });

  it("pages through clients in id order", async () => {
    const clients = new ClientStore({ doc: ctx.doc, names: ctx.names });
    for (const id of ["c-03", "c-01", "c-05", "c-02", "c-04"]) await clients.create(client(id));
    const fwd = (size: number, cursor?: string) =>
      clients.list({ size, backward: false, ...(cursor === undefined ? {} : { cursor }) });
    const first = await fwd(2, "b");
    expect(first).toStrictEqual({ items: [client("c-01"), client("c-02")], hasMore: true });
    const second = await fwd(3, "c-02");
    expect(second.items.map((c) => c.id)).toEqual(["c-03", "c-04", "c-05"]);
    expect(second.hasMore).toBe(true); // "globex" follows
    const all = await fwd(100);
    expect(all.items.map((c) => c.id)).toEqual(["acme", "c-01", "c-02", "c-03", "c-04", "c-05", "globex"]);
    expect(all.hasMore).toBe(false);
    // size 0: no items, but whether any exist (after the cursor).
    expect(await fwd(0)).toStrictEqual({ items: [], hasMore: true });
    expect(await fwd(0, "globex")).toStrictEqual({ items: [], hasMore: false });
    // Backward: the items just before the cursor, still in id order.
    const back = await clients.list({ size: 2, cursor: "c-03", backward: true });
    expect(back).toStrictEqual({ items: [client("c-01"), client("c-02")], hasMore: true });
    const head = await clients.list({ size: 5, cursor: "c-02", backward: true });
    expect(head.items.map((c) => c.id)).toEqual(["acme", "c-01"]);
    expect(head.hasMore).toBe(false);
    const tail = await clients.list({ size: 2, backward: true });
    expect(tail.items.map((c) => c.id)).toEqual(["c-05", "globex"]);
    expect(tail.hasMore).toBe(true);
  });

  it("rejects bad ids and page sizes naming the field, writing nothing", async () => {
    const clients = new ClientStore({ doc: ctx.doc, names: ctx.names });
    ctx.counter.reset();
    await expect(clients.create(client("evil#CLIENT#acme"))).rejects.toThrow(
      /^id: "evil#CLIENT#acme" is not a valid id/,
    );
    await expect(clients.create({ ...client("ok"), reportingCurrency: "EURO" })).rejects.toThrow(
      /^reportingCurrency: /,
    );
    await expect(clients.list({ size: 101, backward: false })).rejects.toThrow(
      /^size: 101 is out of range: use 0 to 100$/,
    );
    await expect(clients.list({ size: -1, backward: true })).rejects.toThrow(
      /^size: -1 is out of range: use 0 to 100$/,
    );
    await expect(clients.list({ size: 10, cursor: "bad id", backward: false })).rejects.toThrow(/^cursor: /);
    await expect(clients.batchGet(["fine", "not/fine"])).rejects.toThrow(/^ids\[1\]: /);
    expect(ctx.counter.requests()).toBe(0);
  });
});

describe("ConnectionStore", () => {
  const connection = (provider: "AWS" | "GCP"): ProviderConnection => ({
    clientId: "acme",
    provider,
    credentialSummary:
      provider === "AWS" ? "role arn:aws:iam::1111****3333:role/cost-reader" : "sa cost@acme.iam",
    createdAt: "2026-01-02T00:00:00.000Z",
    updatedAt: "2026-01-02T00:00:00.000Z",
    health: "UNKNOWN",
  });
  const envelope = '{"kid":"k1","iv":"aXY=","ct":"c2VjcmV0LWNpcGhlcnRleHQ=","tag":"dGFn"}';

  it("stores the secret envelope but never returns it from normal reads", async () => {
    const connections = new ConnectionStore({ doc: ctx.doc, names: ctx.names });
    await connections.put(connection("GCP"), envelope);
    await connections.put({ ...connection("AWS"), endpoint: "https://127.0.0.1:4510" }, envelope);
    const listed = await connections.listByClient("acme");
    expect(listed).toStrictEqual([
      { ...connection("AWS"), endpoint: "https://127.0.0.1:4510" },
      connection("GCP"),
    ]);
    expect(JSON.stringify(listed)).not.toContain("c2VjcmV0");
    const got = await connections.get("acme", "GCP");
    expect(got).toStrictEqual(connection("GCP"));
    expect(got && "secretEnvelope" in got).toBe(false);
    expect(await connections.getSecretEnvelope("acme", "GCP")).toBe(envelope);
    expect(await connections.getSecretEnvelope("acme", "AZURE")).toBeNull();
    // The raw item does hold it: the projection is what keeps it out.
    const raw = await ctx.doc.send(
      new GetCommand({ TableName: ctx.names.data, Key: keys.connection("acme", "GCP") }),
    );
    expect(raw.Item?.secretEnvelope).toBe(envelope);
  });

  it("stores a health check's result with the connection, and replaces it whole", async () => {
    const connections = new ConnectionStore({ doc: ctx.doc, names: ctx.names });
    const failed: ProviderConnection = {
      ...connection("GCP"),
      health: "UNHEALTHY",
      lastHealthCheckAt: "2026-01-03T00:00:00.000Z",
      lastHealthError: "AUTHORIZATION: the service account lacks bigquery.jobs.create",
    };
    await connections.put(failed, envelope);
    expect(await connections.get("acme", "GCP")).toStrictEqual(failed);
    const healed: ProviderConnection = {
      ...connection("GCP"),
      health: "HEALTHY",
      lastHealthCheckAt: "2026-01-04T00:00:00.000Z",
    };
    await connections.put(healed, envelope);
    expect(await connections.get("acme", "GCP")).toStrictEqual(healed);
    await expect(
      connections.put({ ...healed, health: "SICK" as ProviderConnection["health"] }, envelope),
    ).rejects.toThrow("health: must be one of UNKNOWN, HEALTHY, UNHEALTHY");
  });
});

describe("CollectionJobStore", () => {
  const job = (id: string, createdAt: string) =>
    collectionJob({
      id,
      clientId: "acme",
      status: "QUEUED",
      period: { start: "2026-01-01", end: "2026-01-31" },
      createdAt,
    });

  it("creates, gets, updates and lists jobs newest first", async () => {
    const jobs = new CollectionJobStore({ doc: ctx.doc, names: ctx.names });
    for (let day = 1; day <= 5; day++) await jobs.create(job(`job-${day}`, `2026-02-0${day}T10:00:00.000Z`));
    await expect(jobs.create(job("job-1", "2026-02-09T00:00:00.000Z"))).rejects.toBeInstanceOf(
      ItemAlreadyExistsError,
    );
    expect(await jobs.get("job-2")).toStrictEqual(job("job-2", "2026-02-02T10:00:00.000Z"));

    const updated = await jobs.update("job-2", {
      status: "PARTIALLY_SUCCEEDED",
      startedAt: "2026-02-02T10:00:01.000Z",
      finishedAt: "2026-02-02T10:05:00.000Z",
      updatedAt: "2026-02-02T10:05:00.000Z",
      providers: [
        {
          provider: "AWS",
          status: "FAILED",
          recordsWritten: 12,
          apiRequests: 7,
          attempts: 3,
          error: { code: "RATE_LIMIT", message: "Rate exceeded", retryable: true },
        },
      ],
    });
    expect(updated.status).toBe("PARTIALLY_SUCCEEDED");
    expect(updated.createdAt).toBe("2026-02-02T10:00:00.000Z");
    expect(await jobs.get("job-2")).toStrictEqual(updated);
    expect(updated.providers[0]?.error).toStrictEqual({
      code: "RATE_LIMIT",
      message: "Rate exceeded",
      retryable: true,
    });
    await expect(jobs.update("job-404", { updatedAt: "2026-02-02T10:05:00.000Z" })).rejects.toThrow(
      'collection job "job-404" does not exist',
    );

    const page1 = await jobs.listByClient("acme", { size: 2, backward: false });
    expect(page1.items.map((j) => j.id)).toEqual(["job-5", "job-4"]);
    expect(page1.hasMore).toBe(true);
    const cursor = jobListingCursor(page1.items[1]!);
    const page2 = await jobs.listByClient("acme", { size: 10, cursor, backward: false });
    expect(page2.items.map((j) => j.id)).toEqual(["job-3", "job-2", "job-1"]);
    expect(page2.hasMore).toBe(false);
    // Backward from job-2: the newer jobs just before it, newest first as the listing goes.
    const newer = await jobs.listByClient("acme", {
      size: 2,
      cursor: jobListingCursor(page2.items[1]!),
      backward: true,
    });
    expect(newer.items.map((j) => j.id)).toEqual(["job-4", "job-3"]);
    expect(newer.hasMore).toBe(true);
    expect(await jobs.listByClient("acme", { size: 0, backward: false })).toStrictEqual({
      items: [],
      hasMore: true,
    });
    await expect(jobs.listByClient("acme", { size: 101, backward: false })).rejects.toThrow(
      /^size: 101 is out of range: use 0 to 100$/,
    );
    await expect(
      jobs.listByClient("acme", { size: 10, cursor: "not-a-cursor", backward: false }),
    ).rejects.toThrow(/^cursor: /);
    await expect(
      jobs.create({ ...job("job-x", "2026-02-09T00:00:00.000Z"), status: "DONE" as never }),
    ).rejects.toThrow(/^status: /);
  });

  it("locks per client and provider: exclusive, re-entrant, released by its holder, free when expired", async () => {
    let now = new Date("2026-03-01T00:00:00.000Z");
    const jobs = new CollectionJobStore({ doc: ctx.doc, names: ctx.names, now: () => now });
    expect(await jobs.acquireLock("acme", "AWS", "job-a", 60)).toBe(true);
    expect(await jobs.acquireLock("acme", "AWS", "job-b", 60)).toBe(false);
    expect(await jobs.acquireLock("acme", "GCP", "job-b", 60)).toBe(true);
    expect(await jobs.acquireLock("acme", "AWS", "job-a", 120)).toBe(true);
    expect(await jobs.getLockHolder("acme", "AWS")).toEqual({
      jobId: "job-a",
      lockExpiresAt: Date.parse("2026-03-01T00:02:00.000Z") / 1000,
    });
    expect(await jobs.releaseLock("acme", "AWS", "job-b")).toBe(false);
    expect((await jobs.getLockHolder("acme", "AWS"))?.jobId).toBe("job-a");

    now = new Date("2026-03-01T00:02:01.000Z");
    expect(await jobs.getLockHolder("acme", "AWS")).toBeNull();
    expect(await jobs.acquireLock("acme", "AWS", "job-b", 60)).toBe(true);
    expect(await jobs.releaseLock("acme", "AWS", "job-a")).toBe(false);
    expect(await jobs.releaseLock("acme", "AWS", "job-b")).toBe(true);
    expect(await jobs.getLockHolder("acme", "AWS")).toBeNull();
    expect(await jobs.acquireLock("acme", "AWS", "job-c", 60)).toBe(true);
    await expect(jobs.acquireLock("acme", "AWS", "job-c", 0)).rejects.toThrow(/^ttlSeconds: /);
  });

  it("renews only a lock its job still holds, even past expiry, and never takes one back", async () => {
    let now = new Date("2026-03-01T00:00:00.000Z");
    const jobs = new CollectionJobStore({ doc: ctx.doc, names: ctx.names, now: () => now });
    expect(await jobs.renewLock("renew", "AWS", "job-a", 60)).toBe(false);
    expect(await jobs.getLockHolder("renew", "AWS")).toBeNull();
    expect(await jobs.acquireLock("renew", "AWS", "job-a", 60)).toBe(true);
    now = new Date("2026-03-01T00:01:30.000Z");
    expect(await jobs.renewLock("renew", "AWS", "job-a", 60)).toBe(true);
    expect((await jobs.getLockHolder("renew", "AWS"))?.lockExpiresAt).toBe(
      Date.parse("2026-03-01T00:02:30.000Z") / 1000,
    );
    expect(await jobs.renewLock("renew", "AWS", "job-b", 60)).toBe(false);
    expect(await jobs.releaseLock("renew", "AWS", "job-a")).toBe(true);
    expect(await jobs.renewLock("renew", "AWS", "job-a", 60)).toBe(false);
    expect(await jobs.getLockHolder("renew", "AWS")).toBeNull();
    await expect(jobs.renewLock("renew", "AWS", "job-a", 0)).rejects.toThrow(/^ttlSeconds: /);
  });
});

describe("ExchangeRateStore", () => {
  it("stores rates with BatchWrite and reads them per month", async () => {
    const rates = new ExchangeRateStore({ doc: ctx.doc, names: ctx.names });
    const january = [
      { month: "2026-01", from: "EUR", to: "USD", rate: 1.0832, source: "ecb-monthly-2026-01" },
      { month: "2026-01", from: "GBP", to: "USD", rate: 1.2641, source: "ecb-monthly-2026-01" },
    ];
    const february = [{ month: "2026-02", from: "EUR", to: "USD", rate: 1.0791, source: "admin-upload" }];
    ctx.counter.reset();
    await rates.putRates([...january, ...february]);
    expect(ctx.counter.requests({ operation: "BatchWriteItem" })).toBe(1);
    expect(await rates.getRates(["2026-01", "2026-02", "2026-03"])).toStrictEqual([...january, ...february]);
    const error = await rates
      .putRates([{ ...february[0]!, rate: -1 }])
      .catch((caught: unknown) => caught as ValidationError);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe("rates[0].rate");
    expect(await rates.getRates(["2026-02"])).toStrictEqual(february);
  });
});
