/**
 * Detection as the stream consumer runs it, over real tables: records stored, their changes handed
 * to the evaluator (as the stream reader does before checkpointing), anomalies written. Counts and
 * behaviour, no timing: one anomaly per event, none twice under redelivery, a restatement resolves
 * it, and feedback mutes its pattern.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { AnomalyEvaluation } from "../../src/application/anomaly-evaluation.js";
import type { CostRecordHeader, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { addDays } from "../../src/domain/dates.js";
import { CostAnomalyStore } from "../../src/store/anomaly-store.js";
import { CostRecordStore } from "../../src/store/cost-record-store.js";
import type { CostRecordHeaderChange } from "../../src/store/stream-items.js";
import { clockStartingOn } from "../../src/shared/clock.js";
import { createTestStoreContext, type TestStoreContext } from "../support/dynamo.js";
import { capturedLogger } from "../support/logs.js";
import { record, standardComponents, tenantLines } from "../support/anomaly-headers.js";

const START = "2026-01-01";
const SPIKE_DAY = "2026-03-01";
const CLIENT = "acme";
const COMPONENTS = standardComponents();

let ctx: TestStoreContext;
let costs: CostRecordStore;
let anomalies: CostAnomalyStore;
let evaluation: AnomalyEvaluation;

const header = ({ lines: _lines, ...rest }: UnifiedCostRecord): CostRecordHeader => rest;

/** What the stream reader hands over for these stored records (the replaced versions as previous). */
function changesOf(
  records: UnifiedCostRecord[],
  previous: UnifiedCostRecord[] = [],
): CostRecordHeaderChange[] {
  return records.map((stored, i) => {
    const replaced = previous.find((p) => p.date === stored.date && p.provider === stored.provider);
    return {
      kind: "costRecordHeader",
      record: header(stored),
      detailOmitted: false,
      previousTotal: replaced?.total ?? null,
      previous: replaced ? header(replaced) : null,
      sequenceNumber: String(i),
    };
  });
}

/** The three-cloud tenant's records of `days` days from `start`, with its EC2 usage times `factor` on `eventDay`. */
function tenant(
  options: { start?: string; days?: number; eventDay?: string; factor?: number } = {},
): UnifiedCostRecord[] {
  const spec = {
    clientId: CLIENT,
    start: options.start ?? START,
    days: options.days ?? 60,
    components: COMPONENTS,
    events: options.eventDay
      ? [
          {
            from: options.eventDay,
            days: 1,
            match: { service: "Amazon Elastic Compute Cloud - Compute" },
            factor: options.factor ?? 3,
          },
        ]
      : [],
  };
  return [...tenantLines(spec)].flatMap(([day, providers]) =>
    [...providers].map(([provider, lines]) => record({ clientId: CLIENT, provider, day, lines })),
  );
}

async function store(records: UnifiedCostRecord[]): Promise<UnifiedCostRecord[]> {
  const results = await costs.upsertDays(records);
  return records.map((record, i) => ({ ...record, version: results[i]!.version }));
}

beforeEach(async () => {
  ctx = await createTestStoreContext();
  costs = new CostRecordStore({ doc: ctx.doc, names: ctx.names });
  anomalies = new CostAnomalyStore({ doc: ctx.doc, names: ctx.names });
  evaluation = new AnomalyEvaluation({
    costs,
    anomalies,
    clock: clockStartingOn("2026-03-04"),
    logger: capturedLogger().logger,
  });
});

const stored = () => anomalies.between(CLIENT, { start: START, end: "2026-12-31" });

describe("anomaly evaluation over the stored records", () => {
  it("finds a spike once, and nothing new when the same changes arrive again", async () => {
    const records = await store(tenant({ eventDay: SPIKE_DAY }));
    await evaluation.onRecordChanges(changesOf(records));
    const found = await stored();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ date: SPIKE_DAY, direction: "SPIKE", status: "OPEN", cause: "USAGE" });
    expect(found[0]!.provider).toBe("AWS");
    expect(found[0]!.rootCauses[0]?.label).toBe("Amazon Elastic Compute Cloud - Compute");

    // Redelivery (a crash before the checkpoint): the same batch again writes nothing.
    ctx.counter.reset();
    await evaluation.onRecordChanges(changesOf(records));
    expect(ctx.counter.requests({ operation: "BatchWriteItem" })).toBe(0);
    expect(await stored()).toEqual(found);
  });

  it("resolves the anomaly when the provider restates the day back to normal", async () => {
    const records = await store(tenant({ eventDay: SPIKE_DAY }));
    await evaluation.onRecordChanges(changesOf(records));
    const spiked = records.find((r) => r.date === SPIKE_DAY && r.provider === "AWS")!;
    const normal = tenant().find((r) => r.date === SPIKE_DAY && r.provider === "AWS")!;
    const [restated] = await store([
      { ...normal, collection: { ...normal.collection, collectedAt: "2026-03-20T06:00:00.000Z" } },
    ]);
    await evaluation.onRecordChanges(changesOf([restated!], [spiked]));
    const found = await stored();
    expect(found.map((a) => a.status)).toEqual(["RESOLVED"]);
  });

  it("does not raise a pattern again once it was marked PLANNED", async () => {
    const records = await store(tenant({ eventDay: SPIKE_DAY }));
    await evaluation.onRecordChanges(changesOf(records));
    const [first] = await stored();
    await anomalies.setFeedback(CLIENT, first!.date, first!.key, "PLANNED", "2026-03-02T09:00:00.000Z");
    // Two days later the same service spikes the same way: muted.
    const later = addDays(SPIKE_DAY, 2);
    const next = tenant({ start: START, days: 62, eventDay: later }).filter(
      (r) => r.provider === "AWS" && r.date === later,
    );
    await evaluation.onRecordChanges(changesOf(await store(next)));
    expect((await stored()).map((a) => a.key)).toEqual([first!.key]);
  });

  it("raises nothing on ordinary days", async () => {
    const records = await store(tenant());
    await evaluation.onRecordChanges(changesOf(records));
    expect(await stored()).toEqual([]);
  });
});
