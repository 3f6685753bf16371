/**
 * What normalized caches and Relay rely on, over real HTTP: ids that identify one object each,
 * `node`/`nodes` refetching every kind of Node (tenant-checked), connections paged both ways with
 * complete PageInfo, and totalCount where counting is cheap.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/server.js";
import { costRecords } from "../support/records.js";

let server: TestServer;
let admin: string;
let viewerA: string;
const START = "2026-01-01";

interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}
interface Page<T> {
  edges: { cursor: string; node: T }[];
  pageInfo: PageInfo;
  totalCount: number | null;
}

beforeAll(async () => {
  server = await startTestServer();
  for (const id of ["acme", "globex"]) {
    await server.stores.clients.create({
      id,
      name: id,
      reportingCurrency: "USD",
      createdAt: `${START}T00:00:00.000Z`,
    });
  }
  await server.stores.costs.upsertDays(costRecords({ clientId: "acme", provider: "AWS" }, START, 3));
  await server.stores.costs.upsertDays(costRecords({ clientId: "acme", provider: "GCP" }, START, 3));
  await server.stores.costs.upsertDays(costRecords({ clientId: "globex", provider: "AWS" }, START, 1));
  for (let i = 1; i <= 5; i++) {
    await server.stores.jobs.create({
      id: `job-${i}`,
      clientId: "acme",
      status: "SUCCEEDED",
      period: { start: START, end: START },
      providers: [
        { provider: "AWS", status: "SUCCEEDED", recordsWritten: 1, apiRequests: 1, attempts: 1 },
        { provider: "GCP", status: "SUCCEEDED", recordsWritten: 1, apiRequests: 1, attempts: 1 },
      ],
      createdAt: `2026-01-0${i}T00:00:00.000Z`,
      updatedAt: `2026-01-0${i}T00:00:00.000Z`,
      requestedBy: "admin",
    });
  }
  admin = await server.token({ roles: ["admin"] });
  viewerA = await server.token({ roles: ["viewer"], clientIds: ["acme"] });
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const PERIOD = `{ start: "${START}", end: "2026-01-03" }`;

async function data<T>(query: string, token: string, variables: Record<string, unknown> = {}): Promise<T> {
  const { body } = await server.graphql(query, variables, token);
  expect(body.errors).toBeUndefined();
  return body.data as T;
}

describe("ids", () => {
  it("gives every account line of every record its own id, with the cloud account id beside it", async () => {
    const { client } = await data<{
      client: { costRecords: Page<{ id: string; accounts: { id: string; accountId: string }[] }> };
    }>(
      `{ client(id: "acme") { costRecords(period: ${PERIOD}) { edges { node { id accounts { id accountId } } } } } }`,
      viewerA,
    );
    const records = client.costRecords.edges.map((e) => e.node);
    expect(records).toHaveLength(6);
    const accounts = records.flatMap((r) => r.accounts);
    const ids = new Set([...records.map((r) => r.id), ...accounts.map((a) => a.id)]);
    // Every id distinct, while cloud account ids repeat across days.
    expect(ids.size).toBe(records.length + accounts.length);
    expect(new Set(accounts.map((a) => a.accountId)).size).toBeLessThan(accounts.length);
  });

  it("refetches every kind of Node by its id, as the same object", async () => {
    const { client } = await data<{
      client: {
        id: string;
        connections: { id: string }[];
        costSummary: { id: string; total: { amount: number } };
        costRecords: Page<{ id: string; version: number; accounts: { id: string; accountId: string }[] }>;
        collectionJobs: Page<{ id: string; providers: { id: string; provider: string }[] }>;
      };
    }>(
      `{ client(id: "acme") { id connections { id }
          costSummary(period: ${PERIOD}, filter: { providers: [GCP, AWS] }) { id total { amount } }
          costRecords(period: ${PERIOD}, first: 1) { edges { node { id version accounts { id accountId } } } }
          collectionJobs(first: 1) { edges { node { id providers { id provider } } } } } }`,
      viewerA,
    );
    const record = client.costRecords.edges[0]!.node;
    const job = client.collectionJobs.edges[0]!.node;
    const ids = [
      client.id,
      client.costSummary.id,
      record.id,
      record.accounts[0]!.id,
      job.id,
      job.providers[1]!.id,
    ];
    const { nodes } = await data<{ nodes: ({ __typename: string; id: string } & Record<string, unknown>)[] }>(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id
          ... on CostSummary { total { amount } } ... on CostRecord { version }
          ... on AccountCostItem { accountId } ... on ProviderCollection { provider } } }`,
      viewerA,
      { ids },
    );
    expect(nodes.map((n) => [n.__typename, n.id])).toEqual([
      ["Client", ids[0]],
      ["CostSummary", ids[1]],
      ["CostRecord", ids[2]],
      ["AccountCostItem", ids[3]],
      ["CollectionJob", ids[4]],
      ["ProviderCollection", ids[5]],
    ]);
    expect(nodes[1]!.total).toEqual(client.costSummary.total);
    expect(nodes[2]!.version).toBe(record.version);
    expect(nodes[3]!.accountId).toBe(record.accounts[0]!.accountId);
    expect(nodes[5]!.provider).toBe("GCP");
  });

  it("answers another tenant's id with FORBIDDEN and an unknown one with null", async () => {
    const { body: globex } = await server.graphql(`{ node(id: "globex:AWS:${START}") { id } }`, {}, viewerA);
    expect(globex.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(globex.data?.node ?? null).toBeNull();
    const { body: missing } = await server.graphql(`{ node(id: "acme:AZURE:${START}") { id } }`, {}, viewerA);
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ node: null });
    const { body: forged } = await server.graphql(`{ node(id: "Budget:e30") { id } }`, {}, viewerA);
    expect(forged.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(forged.errors?.[0]?.message).toContain("id");
  });
});

describe("connections", () => {
  const jobsQuery = (args: string) =>
    `{ client(id: "acme") { collectionJobs(${args}) { totalCount edges { cursor node { id } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
  const jobs = async (args: string) =>
    (await data<{ client: { collectionJobs: Page<{ id: string }> } }>(jobsQuery(args), viewerA)).client
      .collectionJobs;

  it("pages forward and back through the same list, with complete PageInfo and a count", async () => {
    const first = await jobs("first: 2");
    expect(first.edges.map((e) => e.node.id)).toEqual(["job-5", "job-4"]);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(first.pageInfo.startCursor).toBe(first.edges[0]!.cursor);
    expect(first.totalCount).toBe(5);
    const second = await jobs(`first: 2, after: "${first.pageInfo.endCursor}"`);
    expect(second.edges.map((e) => e.node.id)).toEqual(["job-3", "job-2"]);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = await jobs(`last: 2, before: "${second.pageInfo.startCursor}"`);
    expect(back.edges.map((e) => e.node.id)).toEqual(["job-5", "job-4"]);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const tail = await jobs("last: 2");
    expect(tail.edges.map((e) => e.node.id)).toEqual(["job-2", "job-1"]);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it("pages records backward, and refuses a page that goes both ways naming the field", async () => {
    const { client } = await data<{ client: { costRecords: Page<{ id: string }> } }>(
      `{ client(id: "acme") { costRecords(period: ${PERIOD}, last: 4) { totalCount edges { node { id } }
          pageInfo { hasPreviousPage hasNextPage } } } }`,
      viewerA,
    );
    expect(client.costRecords.edges.map((e) => e.node.id)).toEqual([
      `acme:AWS:2026-01-02`,
      `acme:GCP:2026-01-02`,
      `acme:AWS:2026-01-03`,
      `acme:GCP:2026-01-03`,
    ]);
    expect(client.costRecords.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: false });
    expect(client.costRecords.totalCount).toBeNull();
    const { body } = await server.graphql(`{ clients(first: 1, last: 1) { edges { cursor } } }`, {}, viewerA);
    expect(body.errors?.[0]?.extensions?.code).toBe("BAD_USER_INPUT");
    expect(body.errors?.[0]?.message).toMatch(/^last: /);
  });

  it("counts the clients a caller may read", async () => {
    const count = async (token: string) =>
      (await data<{ clients: { totalCount: number } }>(`{ clients(first: 0) { totalCount } }`, token)).clients
        .totalCount;
    expect(await count(viewerA)).toBe(1);
    expect(await count(admin)).toBe(2);
  });
});
