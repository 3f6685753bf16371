/**
 * The application's IAM role: exactly the actions the BFF performs, every action named (no
 * wildcards in actions), on its own resources wherever the service supports resource-level
 * permissions.
 */
import { Operation } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IKey } from "aws-cdk-lib/aws-kms";
import type { Construct } from "constructs";
import { TABLE_DEFINITIONS } from "../store/table-definitions.js";
import { APP_METRIC_NAMESPACE } from "../observability/app-metrics.js";
import type { CostTables } from "./cost-tables.js";

/**
 * The item operations the store sends, each also an IAM action of the same name. TransactWriteItems
 * is missing on purpose: IAM authorizes a transaction per contained action (Put, Update, Delete,
 * ConditionCheck), so it needs no action of its own. The throttle and error alarms watch these
 * plus TransactWriteItems.
 */
export const APP_ITEM_OPERATIONS: readonly Operation[] = [
  Operation.GET_ITEM,
  Operation.BATCH_GET_ITEM,
  Operation.QUERY,
  Operation.PUT_ITEM,
  Operation.UPDATE_ITEM,
  Operation.DELETE_ITEM,
  Operation.BATCH_WRITE_ITEM,
];

const TABLE_ACTIONS = [
  ...APP_ITEM_OPERATIONS.map((operation) => `dynamodb:${operation}`),
  "dynamodb:ConditionCheckItem",
  // Startup checks that the tables exist with the expected keys and indexes (store/bootstrap.ts).
  "dynamodb:DescribeTable",
];

const STREAM_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];

export interface AppRoleProps {
  tables: CostTables;
  credentialsKey: IKey;
  /** The service that assumes the role, e.g. "ecs-tasks.amazonaws.com". */
  taskPrincipal: string;
  /** IAM role ARN pattern of the tenants' cost-reader roles the collector may assume. */
  readerRolePattern: string;
}

export function createAppRole(scope: Construct, props: AppRoleProps): Role {
  const role = new Role(scope, "AppRole", {
    assumedBy: new ServicePrincipal(props.taskPrincipal),
    description: "Cost analytics BFF: its tables, stream, credentials key and tenants' cost-reader roles",
  });
  const tableDefinitions = TABLE_DEFINITIONS.map((definition) => ({
    definition,
    table: props.tables[definition.role],
  }));
  role.addToPolicy(
    new PolicyStatement({
      sid: "Tables",
      actions: TABLE_ACTIONS,
      resources: tableDefinitions.flatMap(({ definition, table }) => [
        table.tableArn,
        ...definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
      ]),
    }),
  );
  const streamArns = tableDefinitions.flatMap(({ table }) =>
    table.tableStreamArn ? [table.tableStreamArn] : [],
  );
  role.addToPolicy(new PolicyStatement({ sid: "Stream", actions: STREAM_ACTIONS, resources: streamArns }));
  role.addToPolicy(
    new PolicyStatement({
      sid: "StreamListing",
      actions: ["dynamodb:ListStreams"],
      // ListStreams supports no resource-level permission: IAM only accepts "*" for it.
      resources: ["*"],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      sid: "OwnAccountCosts",
      actions: ["ce:GetCostAndUsage"],
      // Cost Explorer has no resource types: IAM only accepts "*". This covers the hosting account's
      // own costs; a tenant connected with a role or keys is read with those credentials instead.
      resources: ["*"],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      sid: "CredentialsEnvelope",
      actions: ["kms:Decrypt", "kms:GenerateDataKey"],
      resources: [props.credentialsKey.keyArn],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      sid: "TenantCostReaders",
      actions: ["sts:AssumeRole"],
      // The external id is enforced by each tenant's role trust policy (condition sts:ExternalId);
      // the collector passes the one stored, encrypted, with the connection.
      resources: [props.readerRolePattern],
    }),
  );
  role.addToPolicy(
    new PolicyStatement({
      sid: "AppMetrics",
      actions: ["cloudwatch:PutMetricData"],
      // PutMetricData has no resource types ("*" only); the namespace condition confines it.
      resources: ["*"],
      conditions: { StringEquals: { "cloudwatch:namespace": APP_METRIC_NAMESPACE } },
    }),
  );
  return role;
}
