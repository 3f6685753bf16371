/**
 * The two tables, defined once: local bootstrap (bootstrap.ts) and the CDK stack both read these.
 */
import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";

export const TTL_ATTRIBUTE = "expiresAt";

export interface TableNames {
  data: string;
  timeseries: string;
}

export function tableNames(prefix = ""): TableNames {
  return { data: `${prefix}cost-analytics-data`, timeseries: `${prefix}cost-analytics-timeseries` };
}

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
}

export interface TableDefinition {
  role: keyof TableNames;
  partitionKey: string;
  sortKey: string;
  indexes: IndexDefinition[];
  stream: "NEW_AND_OLD_IMAGES" | null;
  ttlAttribute: string;
}

export const DATA_TABLE: TableDefinition = {
  role: "data",
  partitionKey: "PK",
  sortKey: "SK",
  indexes: [
    { indexName: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" },
    { indexName: "GSI2", partitionKey: "GSI2PK", sortKey: "GSI2SK" },
  ],
  stream: "NEW_AND_OLD_IMAGES",
  ttlAttribute: TTL_ATTRIBUTE,
};

export const TIMESERIES_TABLE: TableDefinition = {
  role: "timeseries",
  partitionKey: "PK",
  sortKey: "SK",
  indexes: [{ indexName: "GSI1", partitionKey: "GSI1PK", sortKey: "GSI1SK" }],
  stream: null,
  ttlAttribute: TTL_ATTRIBUTE,
};

export const TABLE_DEFINITIONS: readonly TableDefinition[] = [DATA_TABLE, TIMESERIES_TABLE];

/** The CreateTable request for a definition: string keys everywhere, pay per request, all GSIs project ALL. */
export function createTableInput(definition: TableDefinition, name: string): CreateTableCommandInput {
  const keyNames = [
    definition.partitionKey,
    definition.sortKey,
    ...definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ];
  return {
    TableName: name,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: keyNames.map((AttributeName) => ({ AttributeName, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: definition.partitionKey, KeyType: "HASH" },
      { AttributeName: definition.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: definition.indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
    ...(definition.stream
      ? { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }
      : {}),
  };
}
