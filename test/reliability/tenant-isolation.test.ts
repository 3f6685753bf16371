/**
 * Tenant isolation, enumerated from the built schema (tenant-operations.ts): for every field that
 * takes or returns a tenant's data, a viewer and an editor of tenant A aim it at tenant B over
 * HTTP and over WebSocket, and get FORBIDDEN or null, never anything of B. The same operations
 * aimed at A answer A's data (so the attack operations are valid), and B's subscriptions stay
 * silent while B changes and A's subscriptions deliver.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GraphQLSchema } from "graphql";
import { buildApiSchema } from "../../src/graphql/schema.js";
import { addDays, dayOfInstant } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../src/domain/provider.js";
import type { CollectionJob } from "../../src/domain/collection-job.js";
import {
  anomalyNodeId,
  budgetNodeId,
  raisedAlert,
  storedAnomaly,
  storedBudget,
} from "../support/insights.js";
import { costRecords } from "../support/records.js";
import {
  bearer,
  connectLive,
  waitForOpenSubscriptions,
  type LiveConnection,
  type LiveSubscription,
} from "../support/live-client.js";
import { startReliabilityStack, type ReliabilityStack } from "./stack.js";
import { tenantOperations, unscopedRootFields, type TenantOperation } from "./tenant-operations.js";

const A = "tenant-a";
const B = "tenant-b";
const DAY = addDays(dayOfInstant(new Date()), -2);

let stack: ReliabilityStack;
let schema: GraphQLSchema;
let attacks: TenantOperation[];
let controls: TenantOperation[];
let callers: { role: "viewer" | "editor"; token: string; socket: LiveConnection }[];
let bConnectionsBefore: unknown;

function job(clientId: string): CollectionJob {
  const now = new Date().toISOString();
  return {
    id: `job-${clientId}-seeded`,
    clientId,
    status: "SUCCEEDED",
    period: { start: DAY, end: DAY },
    providers: [{ provider: "AWS", status: "SUCCEEDED", recordsWritten: 1, apiRequests: 1, attempts: 1 }],
    createdAt: now,
    updatedAt: now,
    requestedBy: "seed",
  };
}

beforeAll(async () => {
  stack = await startReliabilityStack({ tenants: [A, B] });
  const { stores } = stack.server;
  for (const tenant of [A, B]) {
    for (const provider of CLOUD_PROVIDERS)
      await stores.costs.upsertDays(costRecords({ clientId: tenant, provider }, addDays(DAY, -2), 3));
    await stores.jobs.create(job(tenant));
    await stores.anomalies.save([storedAnomaly(tenant, DAY)]);
    await stores.budgets.put(storedBudget(tenant));
    await stores.budgets.raise(raisedAlert(storedBudget(tenant), { start: DAY, end: DAY }, 0.5));
  }
  schema = await buildApiSchema();
  const samples = {
    "Mutation.connectProvider": { input: stack.inputs.AWS },
    "Mutation.testConnection": { input: stack.inputs.AWS },
    "Client.costForecast": { confidence: 0.8 },
  };
  const target = (clientId: string) => ({
    clientId,
    ids: {
      CollectionJob: job(clientId).id,
      Node: `${clientId}:AWS:${DAY}`,
      anomalyId: anomalyNodeId(storedAnomaly(clientId, DAY)),
      deleteBudget: budgetNodeId(storedBudget(clientId)),
    },
    day: DAY,
  });
  attacks = tenantOperations(schema, target(B), samples);
  controls = tenantOperations(schema, target(A), samples);
  callers = await Promise.all(
    (["viewer", "editor"] as const).map(async (role) => {
      const token = await stack.token({ roles: [role], clientIds: [A] });
      const socket = connectLive(stack.server.wsUrl, bearer(token));
      await socket.acknowledged;
      return { role, token, socket };
    }),
  );
  bConnectionsBefore = await stores.connections.listByClient(B);
}, 180_000);

afterAll(async () => {
  await Promise.all((callers ?? []).map((caller) => caller.socket.close()));
  await stack?.stop();
});

/** What of B an answer may never contain: its id (in every id and clientId of its data) and its name. */
const B_MARKERS = [B, `E2E ${B}`, job(B).id];

function leaks(text: string): string[] {
  return B_MARKERS.filter((marker) => text.includes(marker));
}

/**
 * FORBIDDEN errors and no data (null items of a list), or null data and no errors; a caller-wide
 * query answers without any error; plus no B marker anywhere.
 */
function attackProblems(operation: TenantOperation, body: { data?: unknown; errors?: unknown[] }): string[] {
  const text = JSON.stringify(body);
  const problems = leaks(text).map((marker) => `answered ${marker}: ${text.slice(0, 300)}`);
  const codes = (body.errors ?? []).map((e) => (e as { extensions?: { code?: string } }).extensions?.code);
  const data = body.data as Record<string, unknown> | null | undefined;
  const root = operation.field.startsWith("Client.") ? "client" : operation.field.split(".")[1]!;
  const scoped = !operation.callerWide;
  // A list of lookups (nodes) answers each refused id with a null item beside its error.
  const answered = data?.[root];
  const nothing =
    answered === undefined ||
    answered === null ||
    (Array.isArray(answered) && answered.every((item) => item === null));
  if (scoped && !nothing) problems.push(`data came back: ${text.slice(0, 300)}`);
  // Across the caller's own tenants nothing is refused: a refused part means another's rows got in.
  if (!scoped && codes.length > 0) problems.push(`refused a part of its answer: ${text.slice(0, 300)}`);
  if (codes.some((code) => code !== "FORBIDDEN"))
    problems.push(`codes ${codes.join(", ")}: ${text.slice(0, 300)}`);
  return problems;
}

async function overWebSocket(socket: LiveConnection, document: string): Promise<LiveSubscription<unknown>> {
  const subscription = socket.subscribe<unknown, Record<string, never>>(document, {});
  if (document.startsWith("subscription")) await subscription.ended(20_000).catch(() => undefined);
  else await subscription.ended(20_000);
  stack.bodies.push(JSON.stringify(subscription.results));
  return subscription;
}

const liveBody = (subscription: LiveSubscription<unknown>) => ({
  data: subscription.results.at(-1)?.data ?? null,
  errors: [
    ...subscription.results.flatMap((r) => r.errors ?? []),
    ...(subscription.end && "error" in subscription.end && Array.isArray(subscription.end.error)
      ? subscription.end.error
      : []),
  ],
});

describe("tenant isolation, enumerated from the schema", () => {
  it("covers every field that takes or returns a client", () => {
    const fields = attacks.map((operation) => operation.field);
    expect(fields).toEqual(expect.arrayContaining(["Query.client", "Query.clients", "Query.collectionJob"]));
    expect(fields).toEqual(
      expect.arrayContaining([
        "Mutation.connectProvider",
        "Mutation.testConnection",
        "Mutation.triggerCollection",
      ]),
    );
    expect(fields).toEqual(
      expect.arrayContaining(["Subscription.costRecordChanged", "Subscription.collectionJobUpdated"]),
    );
    // Fields across the caller's own tenants: they answer, and must hold nothing of B.
    expect(attacks.filter((o) => o.callerWide).map((o) => o.field)).toEqual([
      "Query.clients",
      "Query.portfolio",
      "Query.providerCosts",
    ]);
    const clientFields = Object.keys((schema.getType("Client") as { getFields(): object }).getFields());
    expect(fields.filter((f) => f.startsWith("Client.")).length).toBe(clientFields.length);
    // A root field that is about no tenant must be named here on purpose, after a look at it.
    expect(unscopedRootFields(schema)).toEqual(["Mutation.setExchangeRates"]);
  });

  it("gives a viewer and an editor of A nothing of B over HTTP", async () => {
    const problems: string[] = [];
    for (const { role, token } of callers) {
      for (const operation of attacks.filter((o) => o.kind !== "subscription")) {
        const { status, body } = await stack.graphql(operation.document, {}, token);
        if (status >= 500) problems.push(`${role} ${operation.field}: HTTP ${status}`);
        problems.push(...attackProblems(operation, body).map((p) => `${role} ${operation.field}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("gives them nothing of B over WebSocket, subscriptions included", async () => {
    const problems: string[] = [];
    for (const { role, socket } of callers) {
      for (const operation of attacks) {
        const subscription = await overWebSocket(socket, operation.document);
        const found = attackProblems(operation, liveBody(subscription));
        if (subscription.events.some((event) => event !== null && leaks(JSON.stringify(event)).length > 0))
          found.push("an event of B arrived");
        problems.push(...found.map((p) => `${role} ${operation.field}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("answers the same queries about A with A's data (the attacks were valid operations)", async () => {
    const [viewer] = callers;
    const problems: string[] = [];
    for (const operation of controls.filter((o) => o.kind === "query")) {
      const { body } = await stack.graphql(operation.document, {}, viewer!.token);
      const data = body.data as Record<string, Record<string, unknown> | null> | null | undefined;
      const [root, field] = operation.field.split(".");
      const answer = root === "Client" ? data?.client?.[field!] : data?.[field!];
      if (body.errors?.length || answer === null || answer === undefined)
        problems.push(`${operation.field}: ${JSON.stringify(body).slice(0, 300)}`);
    }
    expect(problems).toEqual([]);
  });

  it("keeps B's subscriptions silent while B changes, while A's deliver", async () => {
    const [viewer] = callers;
    const forA = controls.filter((o) => o.kind === "subscription");
    const forB = attacks.filter((o) => o.kind === "subscription");
    const listening = forA.map((o) =>
      viewer!.socket.subscribe<unknown, Record<string, never>>(o.document, {}),
    );
    const refused = forB.map((o) => viewer!.socket.subscribe<unknown, Record<string, never>>(o.document, {}));
    await waitForOpenSubscriptions(stack.server.url, forA.length);
    // B changes first: the stream is read in write order, so once A's events are in, B's would be too.
    for (const tenant of [B, A]) {
      await stack.server.stores.costs.upsertDays(
        costRecords({ clientId: tenant, provider: "GCP" }, "2001-01-01", 1),
      );
      await stack.server.stores.jobs.update(job(tenant).id, {
        status: "FAILED",
        updatedAt: new Date().toISOString(),
      });
      await stack.server.stores.anomalies.save([storedAnomaly(tenant, DAY, { status: "RESOLVED" })]);
      await stack.server.stores.budgets.raise(raisedAlert(storedBudget(tenant), { start: DAY, end: DAY }, 1));
    }
    for (const subscription of listening)
      await subscription.waitFor((events) => events.length >= 1, "A's event");
    stack.bodies.push(JSON.stringify([...listening, ...refused].map((s) => s.results)));
    for (const subscription of refused) {
      expect(subscription.events).toEqual([]);
      expect(liveBody(subscription).errors.map((e) => e.extensions?.code)).toEqual(["FORBIDDEN"]);
    }
    expect(listening.flatMap((s) => s.events.map((e) => leaks(JSON.stringify(e))).flat())).toEqual([]);
    for (const subscription of listening) subscription.unsubscribe();
  });

  it("changed nothing of B and sent no secret anywhere", async () => {
    expect(await stack.server.stores.connections.listByClient(B)).toEqual(bConnectionsBefore);
    const jobs = await stack.server.stores.jobs.listByClient(B, { size: 10, backward: false });
    expect(jobs.items.map((j) => j.id)).toEqual([job(B).id]);
    stack.expectNoSecretLeaked();
    console.info(
      `[reliability] tenant isolation: ${attacks.length} operations x 2 roles x 2 transports against another tenant`,
    );
  });
});
