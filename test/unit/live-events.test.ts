import type { _Record as StreamRecord } from "@aws-sdk/client-dynamodb-streams";
import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { collectionJobTopic, costRecordTopic, eventsFromStreamRecord } from "../../src/live/events.js";
import { clientToItem } from "../../src/store/client-store.js";
import { collectionJobToItem } from "../../src/store/collection-job-store.js";
import { costRecordToItems } from "../../src/store/cost-record-item.js";
import { keys } from "../../src/store/keys.js";
import type { StoredItem } from "../../src/store/query.js";
import { costRecord } from "../support/records.js";
import { collectionJob } from "../support/collection-jobs.js";

let sequence = 0;

/** A stream record as GetRecords returns it: images in AttributeValue form, NEW_AND_OLD_IMAGES. */
function streamRecord(
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  images: { newItem?: StoredItem; oldItem?: StoredItem },
): StreamRecord {
  const anyImage = images.newItem ?? images.oldItem ?? {};
  const toImage = (item: StoredItem) => marshall(item, { removeUndefinedValues: true });
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: "aws:dynamodb",
    dynamodb: {
      ApproximateCreationDateTime: new Date("2026-03-01T10:00:00Z"),
      Keys: toImage({ PK: anyImage.PK, SK: anyImage.SK }),
      ...(images.newItem ? { NewImage: toImage(images.newItem) } : {}),
      ...(images.oldItem ? { OldImage: toImage(images.oldItem) } : {}),
      SequenceNumber: String(sequence).padStart(21, "0"),
      StreamViewType: "NEW_AND_OLD_IMAGES",
    },
  };
}

const firstDay = costRecord({ clientId: "acme", provider: "GCP", date: "2026-02-10" });
const restated = costRecord({ clientId: "acme", provider: "GCP", date: "2026-02-10", scale: 1.25 });
const v1 = costRecordToItems(firstDay, 1, "hash-1");
const v2 = costRecordToItems(restated, 2, "hash-2");

const job = collectionJob(
  {
    id: "job-42",
    clientId: "acme",
    status: "RUNNING",
    period: { start: "2026-02-01", end: "2026-02-28" },
    createdAt: "2026-03-01T09:00:00.000Z",
    updatedAt: "2026-03-01T09:00:05.000Z",
  },
  { recordsWritten: 3, apiRequests: 2, attempts: 1 },
);

describe("eventsFromStreamRecord", () => {
  it("makes an ADDED event on the client's topic from a new cost-record header", () => {
    const record = streamRecord("INSERT", { newItem: v1.header });
    const events = eventsFromStreamRecord(record);
    expect(events).toHaveLength(1);
    const [only] = events;
    expect(only?.topic).toBe("costRecords:acme");
    expect(only?.topic).toBe(costRecordTopic("acme"));
    const { lines: _lines, ...header } = firstDay;
    expect(only?.event).toStrictEqual({
      changeType: "ADDED",
      clientId: "acme",
      provider: "GCP",
      date: "2026-02-10",
      version: 1,
      record: { ...header, version: 1 },
      detailOmitted: false,
      previousTotal: null,
      eventId: record.dynamodb?.SequenceNumber,
    });
  });

  it("makes an UPDATED event carrying the replaced version's total", () => {
    const [only] = eventsFromStreamRecord(streamRecord("MODIFY", { newItem: v2.header, oldItem: v1.header }));
    expect(restated.total).not.toBe(firstDay.total);
    expect(only?.event).toMatchObject({
      changeType: "UPDATED",
      version: 2,
      previousTotal: firstDay.total,
      record: { total: restated.total, services: restated.services },
    });
  });

  it("ignores REMOVE records (TTL expiry)", () => {
    expect(eventsFromStreamRecord(streamRecord("REMOVE", { oldItem: v1.header }))).toEqual([]);
  });

  it("ignores every item that is neither a cost header nor a job", () => {
    const ignored: StoredItem[] = [
      ...v1.chunks,
      clientToItem({ id: "acme", name: "Acme", reportingCurrency: "USD", createdAt: job.createdAt }),
      { ...keys.connection("acme", "AWS"), entity: "PROVIDER_CONNECTION", secretEnvelope: "sealed" },
      { ...keys.collectionLock("acme", "AWS"), holder: "job-42", lockExpiresAt: 1 },
      { ...keys.streamLease("data"), holder: "instance-a", leaseExpiresAt: 1 },
      { ...keys.streamCheckpoint("data", "shard-1"), shardId: "shard-1", finished: false },
      { ...keys.dailyRollup("acme", "2026-02-10"), total: 5 },
    ];
    expect(v1.chunks.length).toBeGreaterThan(0);
    for (const item of ignored) {
      expect(eventsFromStreamRecord(streamRecord("INSERT", { newItem: item })), String(item.SK)).toEqual([]);
    }
  });

  it("makes a job event on the client's job topic from a job item", () => {
    const record = streamRecord("MODIFY", {
      newItem: collectionJobToItem(job),
      oldItem: collectionJobToItem({ ...job, status: "QUEUED" }),
    });
    expect(eventsFromStreamRecord(record)).toStrictEqual([
      { topic: collectionJobTopic("acme"), event: { job, eventId: record.dynamodb?.SequenceNumber } },
    ]);
  });

  it("marks a header whose marginal lists live in the line chunks as detailOmitted", () => {
    const { services: _s, accounts: _a, regions: _r, ...slim } = v1.header;
    const [only] = eventsFromStreamRecord(
      streamRecord("INSERT", { newItem: { ...slim, detailInChunks: true } }),
    );
    expect(only?.event).toMatchObject({
      detailOmitted: true,
      record: { total: firstDay.total, services: [], accounts: [], regions: [] },
    });
  });

  it("throws naming the field when a header image is malformed", () => {
    const { total: _total, ...broken } = v1.header;
    expect(() => eventsFromStreamRecord(streamRecord("INSERT", { newItem: broken }))).toThrow(
      /cost record acme\/GCP\/2026-02-10: field "total" is missing/,
    );
  });
});
