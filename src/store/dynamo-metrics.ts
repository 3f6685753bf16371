import type { Metrics } from "../observability/metrics.js";
import type { DynamoRequestListener } from "./dynamo-client.js";

/** Requests that name no table (ListTables, PartiQL) are labelled with this table. */
const NO_TABLE = "none";

/** Feeds the DynamoDB series from the client's request middleware: one call per attempt. */
export function dynamoRequestMetrics(metrics: Metrics): DynamoRequestListener {
  return ({ operation, tables, capacityByTable, error }) => {
    for (const table of tables.length > 0 ? tables : [NO_TABLE]) {
      metrics.dynamoRequests.inc({ operation, table });
      if (error !== undefined) metrics.dynamoRequestErrors.inc({ operation, table, error });
    }
    for (const [table, units] of capacityByTable) {
      metrics.dynamoConsumedCapacity.inc({ operation, table }, units);
    }
  };
}
