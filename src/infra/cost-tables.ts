/**
 * The DynamoDB tables, built from the same definitions local bootstrap uses, so the two cannot drift:
 * every key, index and stream setting is read from table-definitions.ts, none is typed here.
 */
import { RemovalPolicy } from "aws-cdk-lib";
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import { TABLE_DEFINITIONS, tableNames, type TableNames } from "../store/table-definitions.js";

export type CostTables = Record<keyof TableNames, Table>;

/** DynamoDB's own rule for table names. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

/** Logical ids "DataTable", "TimeseriesTable": stable, because a renamed id would replace a table. */
const logicalId = (role: keyof TableNames) => `${role.charAt(0).toUpperCase()}${role.slice(1)}Table`;

export function createCostTables(scope: Construct, tablePrefix: string): CostTables {
  const names = tableNames(tablePrefix);
  for (const name of Object.values(names)) {
    if (!TABLE_NAME.test(name)) {
      throw new Error(
        `tablePrefix: gives the table name "${name}", which DynamoDB refuses ` +
          "(only letters, digits, '_', '.', '-', at most 255 characters)",
      );
    }
  }
  const tables: Partial<CostTables> = {};
  for (const definition of TABLE_DEFINITIONS) {
    const table = new Table(scope, logicalId(definition.role), {
      tableName: names[definition.role],
      partitionKey: stringKey(definition.partitionKey),
      sortKey: stringKey(definition.sortKey),
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: definition.ttlAttribute,
      ...(definition.stream ? { stream: StreamViewType[definition.stream] } : {}),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // Cost history and tenants' encrypted credentials outlive any stack update or deletion.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of definition.indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: ProjectionType.ALL,
      });
    }
    tables[definition.role] = table;
  }
  return tables as CostTables;
}
