/**
 * Live updates end to end: an editor's collection (GraphQL mutation) and the sandbox's restatements
 * travel store -> DynamoDB Stream -> stream consumer -> pubsub -> graphql-ws to real WebSocket
 * subscribers, each changed day exactly once per change.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackfilledSandbox, type SandboxServer } from "../support/sandbox-server.js";
import {
  bearer,
  changesOfJob,
  connectLive,
  countBy,
  dayKey,
  drain,
  waitForOpenSubscriptions,
  triggerCollection,
  type LiveConnection,
  type LiveSubscription,
} from "../support/live-client.js";
import {
  CollectionJobUpdatedDocument,
  CostRecordChangedDocument,
  CostRecordsDocument,
  type CollectionJobUpdatedSubscription,
  type CostRecordChangedSubscription,
} from "./generated/graphql.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../src/domain/provider.js";

const CLIENT = "demo";
let server: SandboxServer;
let live: LiveConnection;
let editor: string;
let viewer: string;
let today: string;

type CostEvents = LiveSubscription<CostRecordChangedSubscription>;

beforeAll(async () => {
  ({ server, today, viewer, editor } = await startBackfilledSandbox(CLIENT));
  live = connectLive(server.wsUrl, bearer(viewer));
  await live.acknowledged;
}, 180_000);

afterAll(async () => {
  await live?.close();
  await server?.stop();
});

/** Subscribes to the client's cost changes and waits until the server listens for them. */
async function subscribeCosts(providers?: CloudProvider[]): Promise<CostEvents> {
  const subscription = live.subscribe(CostRecordChangedDocument, {
    clientId: CLIENT,
    ...(providers ? { providers } : {}),
  });
  await waitForOpenSubscriptions(server.url, 1);
  return subscription;
}

/** The stored records of the days, by "PROVIDER day", read over HTTP. */
async function storedRecords(start: string, end: string) {
  const { body } = await server.graphql(
    CostRecordsDocument,
    { clientId: CLIENT, period: { start, end }, first: 100 },
    viewer,
  );
  expect(body.errors).toBeUndefined();
  const nodes = body.data!.client!.costRecords.edges.map((edge) => edge.node);
  return new Map(nodes.map((node) => [`${node.provider} ${node.date}`, node]));
}

describe("an editor's collection of new days", () => {
  const days: string[] = [];
  let jobId: string;
  let all: CostEvents;
  let gcpOnly: CostEvents;
  let jobs: LiveSubscription<CollectionJobUpdatedSubscription>;

  beforeAll(async () => {
    // Days before the backfill: new to the store.
    days.push(...daysInRange(addDays(today, -14), addDays(today, -10)));
    all = live.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
    gcpOnly = live.subscribe(CostRecordChangedDocument, { clientId: CLIENT, providers: ["GCP"] });
    jobs = live.subscribe(CollectionJobUpdatedDocument, { clientId: CLIENT });
    await waitForOpenSubscriptions(server.url, 3);

    const job = await triggerCollection(server, editor, {
      clientId: CLIENT,
      period: { start: days[0]!, end: days.at(-1)! },
    });
    expect(job.status).toBe("QUEUED");
    jobId = job.id;
    await jobs.waitFor(
      (events) =>
        events.some(
          (e) => e.collectionJobUpdated.id === jobId && e.collectionJobUpdated.status === "SUCCEEDED",
        ),
      "the job to succeed",
    );
    await all.waitFor(
      (events) => changesOfJob(events, jobId).length >= days.length * 3,
      "every day's change",
    );
    await drain(server, CLIENT, [all, gcpOnly], "GCP");
    all.unsubscribe();
    gcpOnly.unsubscribe();
    jobs.unsubscribe();
  });

  it("delivers each (provider, day) exactly once, as ADDED with version 1 and the stored total", async () => {
    const changes = changesOfJob(all.events, jobId);
    const expected = CLOUD_PROVIDERS.flatMap((provider) => days.map((day) => `${provider} ${day}`));
    expect([...countBy(changes, dayKey).keys()].sort()).toEqual(expected.sort());
    expect([...countBy(changes, (c) => `${dayKey(c)} v${c.record.version}`).values()]).toEqual(
      expected.map(() => 1),
    );
    expect(new Set(changes.map((c) => c.eventId)).size).toBe(changes.length);
    const stored = await storedRecords(days[0]!, days.at(-1)!);
    for (const change of changes) {
      expect(change.changeType).toBe("ADDED");
      expect(change.previousTotal).toBeNull();
      expect(change.record.version).toBe(1);
      expect(change.record.clientId).toBe(CLIENT);
      expect(change.record.total).toEqual(stored.get(dayKey(change))!.total);
    }
  });

  it("shows the job's progress from QUEUED through RUNNING to SUCCEEDED, never going back", () => {
    const updates = jobs.events.map((e) => e.collectionJobUpdated).filter((job) => job.id === jobId);
    const statuses = updates.map((job) => job.status);
    expect(statuses[0]).toBe("QUEUED");
    expect(statuses).toContain("RUNNING");
    expect(statuses.at(-1)).toBe("SUCCEEDED");
    expect(statuses.filter((status) => status === "SUCCEEDED")).toHaveLength(1);
    const order = ["QUEUED", "RUNNING", "SUCCEEDED"];
    const ranks = statuses.map((status) => order.indexOf(status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const written = updates.map((job) => job.providers.reduce((sum, p) => sum + p.recordsWritten, 0));
    expect(written).toEqual([...written].sort((a, b) => a - b));
    for (const provider of updates.at(-1)!.providers) {
      expect(provider).toMatchObject({ status: "SUCCEEDED", recordsWritten: days.length, error: null });
    }
  });

  it("delivers only the providers a subscriber asked for", () => {
    const changes = changesOfJob(gcpOnly.events, jobId);
    expect(gcpOnly.events.every((e) => e.costRecordChanged.record.provider === "GCP")).toBe(true);
    expect(changes.map(dayKey).sort()).toEqual(days.map((day) => `GCP ${day}`));
  });
});

describe("restatements", () => {
  it("arrive as UPDATED with the previous total, once per restated day (sandbox refresh)", async () => {
    const refreshed = daysInRange(addDays(today, -2), today);
    const before = await storedRecords(refreshed[0]!, today);
    const subscription = await subscribeCosts();

    const job = await server.sandbox.refresh();
    expect((await server.waitForJob(job.id)).status).toBe("SUCCEEDED");
    await subscription.waitFor((events) => changesOfJob(events, job.id).length >= 9, "9 restated days");
    await drain(server, CLIENT, [subscription]);
    subscription.unsubscribe();

    const changes = changesOfJob(subscription.events, job.id);
    expect(changes.map(dayKey).sort()).toEqual(
      CLOUD_PROVIDERS.flatMap((provider) => refreshed.map((day) => `${provider} ${day}`)).sort(),
    );
    const after = await storedRecords(refreshed[0]!, today);
    for (const change of changes) {
      const previous = before.get(dayKey(change))!;
      expect(change.changeType).toBe("UPDATED");
      expect(change.previousTotal).toEqual(previous.total);
      expect(change.record.version).toBe(previous.version + 1);
      expect(change.record.total.amount).not.toBe(previous.total.amount);
      expect(change.record.total).toEqual(after.get(dayKey(change))!.total);
    }
  });

  it("of the same day twice arrive with their own totals, never a stale one", async () => {
    const day = addDays(today, -1);
    const subscription = await subscribeCosts(["AZURE"]);
    const jobIds: string[] = [];
    for (let round = 1; round <= 2; round++) {
      server.sandbox.clouds.datasets.AZURE.restate([day]);
      const job = await triggerCollection(server, editor, {
        clientId: CLIENT,
        period: { start: day, end: day },
        providers: ["AZURE"],
      });
      jobIds.push(job.id);
      await server.waitForJob(job.id);
      await subscription.waitFor(
        (events) => changesOfJob(events, job.id).length === 1,
        `restatement ${round}`,
      );
    }
    await drain(server, CLIENT, [subscription], "AZURE");
    subscription.unsubscribe();

    const [first, second] = jobIds.map((id) => changesOfJob(subscription.events, id));
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    const [one, two] = [first![0]!, second![0]!];
    expect(two.record.total.amount).not.toBe(one.record.total.amount);
    expect(two.previousTotal).toEqual(one.record.total);
    expect(two.record.version).toBe(one.record.version + 1);
    expect(two.eventId).not.toBe(one.eventId);
    const stored = await storedRecords(day, day);
    expect(stored.get(`AZURE ${day}`)!.total).toEqual(two.record.total);
  });
});
