/**
 * Finding the data table's stream and its shards, and which shards to read. A shard lives about
 * four hours, then closes and hands its key range to child shards; changes to one item are in
 * order only within a shard, so a child is read only after its parent is finished.
 */
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { httpOptionsOf } from "../store/dynamo-client.js";

export interface ShardInfo {
  shardId: string;
  parentShardId?: string;
}

/**
 * A Streams client speaking to the same place as `dynamo`: same region and credentials, and its
 * custom endpoint when it has one (DynamoDB Local serves both APIs on one port); the regional
 * Streams endpoint otherwise. The same request timeouts, so a stalled connection cannot hang the consumer.
 */
export function streamsClientFor(dynamo: DynamoDBClient): DynamoDBStreamsClient {
  const { config } = dynamo;
  return new DynamoDBStreamsClient({
    region: config.region,
    credentials: config.credentials,
    ...(config.isCustomEndpoint && config.endpoint ? { endpoint: config.endpoint } : {}),
    requestHandler: httpOptionsOf(dynamo),
  });
}

export async function latestStreamArn(dynamo: DynamoDBClient, table: string): Promise<string> {
  const { Table } = await dynamo.send(new DescribeTableCommand({ TableName: table }));
  if (!Table?.LatestStreamArn || Table.StreamSpecification?.StreamEnabled === false) {
    throw new Error(`table ${table} has no stream enabled (the data table needs NEW_AND_OLD_IMAGES)`);
  }
  return Table.LatestStreamArn;
}

/** Every shard of the stream, following DescribeStream's pages (ExclusiveStartShardId). */
export async function listShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<ShardInfo[]> {
  const shards: ShardInfo[] = [];
  let exclusiveStartShardId: string | undefined;
  do {
    const { StreamDescription } = await streams.send(
      new DescribeStreamCommand({
        StreamArn: streamArn,
        ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}),
      }),
    );
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId) continue;
      shards.push({
        shardId: shard.ShardId,
        ...(shard.ParentShardId ? { parentShardId: shard.ParentShardId } : {}),
      });
    }
    exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
  } while (exclusiveStartShardId);
  return shards;
}

/**
 * The shards to read now, parents before children: unfinished shards whose parent is finished or
 * no longer listed (its records were trimmed after 24 h, so there is nothing left to wait for).
 */
export function readableShards(shards: readonly ShardInfo[], finished: ReadonlySet<string>): ShardInfo[] {
  const listed = new Set(shards.map((shard) => shard.shardId));
  return shards.filter(
    (shard) =>
      !finished.has(shard.shardId) &&
      (shard.parentShardId === undefined ||
        finished.has(shard.parentShardId) ||
        !listed.has(shard.parentShardId)),
  );
}
