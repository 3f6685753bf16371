/**
 * The service as the evaluation runs it: startRuntime in this process over an embedded DynamoDB
 * Local, with the stream consumer on (it runs detection on every stored day) and the tenant's clock,
 * plus a way to wait until the consumer has handled everything written so far.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { GetRecordsCommand, GetShardIteratorCommand } from "@aws-sdk/client-dynamodb-streams";
import type { AppConfig } from "../../src/config.js";
import { CheckpointStore } from "../../src/live/checkpoints.js";
import { latestStreamArn, listShards, streamsClientFor } from "../../src/live/stream-shards.js";
import type { TrustedCertificate } from "../../src/providers/factory.js";
import type { Clock } from "../../src/shared/clock.js";
import { decodeStreamRecord } from "../../src/store/stream-items.js";
import { tableNames } from "../../src/store/table-definitions.js";
import type { Runtime } from "../../src/runtime.js";
import { startBenchServer } from "../bench/bench-server.js";

const DRAIN_POLL_MS = 200;
const DRAIN_TIMEOUT_MS = 20 * 60_000;

/** Whether the consumer acts on a stream record (it skips the undecodable ones too). */
function actedOn(record: Parameters<typeof decodeStreamRecord>[0]): boolean {
  try {
    return decodeStreamRecord(record) !== undefined;
  } catch {
    return false;
  }
}

export interface EvalService {
  runtime: Runtime;
  config: AppConfig;
  wsUrl: string;
  viewerToken(clientId: string): Promise<string>;
  /**
   * Resolves once no record the consumer acts on (cost records, anomalies, jobs, alerts) lies past
   * its checkpoints, twice in a row; answers when it first saw that (performance.now()).
   */
  drained(): Promise<number>;
  stop(): Promise<void>;
}

export async function startEvalService(options: {
  endpoint: string;
  detection: boolean;
  clock: Clock;
  trustedCertificates: TrustedCertificate[];
}): Promise<EvalService> {
  const server = await startBenchServer({
    endpoint: options.endpoint,
    tablePrefix: "eval-",
    env: { STREAM_CONSUMER: "on", ANOMALY_DETECTION: options.detection ? "on" : "off" },
    runtime: { clock: options.clock, adapterDefaults: { trustedCertificates: options.trustedCertificates } },
  });
  const { runtime, config } = server;
  const table = tableNames(config.dynamo.tablePrefix).data;
  const { lowLevel, doc } = runtime.dynamo;
  const streams = streamsClientFor(lowLevel);
  const checkpoints = new CheckpointStore({ doc, table, streamName: table });

  /** Records past the checkpoints that the consumer acts on (its own lease and checkpoint writes are not). */
  const pending = async (): Promise<number> => {
    const streamArn = await latestStreamArn(lowLevel, table);
    const saved = await checkpoints.loadAll();
    let count = 0;
    for (const shard of await listShards(streams, streamArn)) {
      const checkpoint = saved.get(shard.shardId);
      if (checkpoint?.finished) continue;
      let { ShardIterator: iterator } = await streams.send(
        new GetShardIteratorCommand({
          StreamArn: streamArn,
          ShardId: shard.shardId,
          ...(checkpoint?.sequenceNumber
            ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: checkpoint.sequenceNumber }
            : { ShardIteratorType: "TRIM_HORIZON" }),
        }),
      );
      while (iterator) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
        const records = page.Records ?? [];
        count += records.filter(actedOn).length;
        iterator = records.length > 0 ? page.NextShardIterator : undefined;
      }
    }
    return count;
  };

  return {
    runtime,
    config,
    wsUrl: server.wsUrl,
    viewerToken: (clientId) => server.token({ roles: ["viewer"], clientIds: [clientId] }),
    drained: async () => {
      const deadline = performance.now() + DRAIN_TIMEOUT_MS;
      let firstIdle: number | undefined;
      for (;;) {
        const at = performance.now();
        if ((await pending()) === 0) {
          if (firstIdle !== undefined) return firstIdle;
          firstIdle = at;
        } else {
          firstIdle = undefined;
        }
        if (at > deadline) throw new Error("the stream consumer did not catch up in 20 minutes");
        await sleep(DRAIN_POLL_MS);
      }
    },
    stop: async () => {
      streams.destroy();
      await runtime.stop();
    },
  };
}
