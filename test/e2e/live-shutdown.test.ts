/**
 * Graceful shutdown with live subscribers: the server closes their sockets with 1001 (going away),
 * so clients know to reconnect elsewhere, and stopping does not hang on open subscriptions.
 * A server of its own: this test stops it.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { startSandboxServer, type SandboxServer } from "../support/sandbox-server.js";
import {
  bearer,
  changesOfJob,
  connectLive,
  triggerCollection,
  waitForOpenSubscriptions,
  type LiveConnection,
} from "../support/live-client.js";
import { CollectionJobUpdatedDocument, CostRecordChangedDocument } from "./generated/graphql.js";

const CLIENT = "demo";
let server: SandboxServer;
let live: LiveConnection;

beforeAll(async () => {
  server = await startSandboxServer({ backfillDays: 1 });
  await server.waitForJob(server.sandbox.backfill.id);
}, 180_000);

afterAll(async () => {
  await live?.close();
  await server?.stop();
});

it("closes open subscriptions with 1001 going away when the server stops", async () => {
  const viewer = await server.token({ roles: ["viewer"], clientIds: [CLIENT] });
  const editor = await server.token({ roles: ["editor"], clientIds: [CLIENT] });
  live = connectLive(server.wsUrl, bearer(viewer));
  const costs = live.subscribe(CostRecordChangedDocument, { clientId: CLIENT });
  const jobs = live.subscribe(CollectionJobUpdatedDocument, { clientId: CLIENT });
  await waitForOpenSubscriptions(server.url, 2);

  // Live before the shutdown: a restated day arrives.
  const today = server.sandbox.clouds.datasets.GCP.today;
  server.sandbox.clouds.datasets.GCP.restate([today]);
  const job = await triggerCollection(server, editor, {
    clientId: CLIENT,
    period: { start: today, end: today },
    providers: ["GCP"],
  });
  await costs.waitFor((events) => changesOfJob(events, job.id).length === 1, "the restated day");

  await server.stop();
  const closed = await live.closed;
  expect(closed.code).toBe(1001);
  for (const subscription of [costs, jobs]) {
    const end = await subscription.ended();
    expect(end).toMatchObject({ error: { code: 1001 } });
  }
  // Nothing listens any more: a new connection is refused at the TCP level, never acknowledged.
  const late = connectLive(server.wsUrl, bearer(viewer));
  await expect(late.acknowledged).rejects.toThrow(/closed before connection_ack/);
  await late.close();
});
