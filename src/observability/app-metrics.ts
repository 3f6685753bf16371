/**
 * The custom CloudWatch metrics the stack's alarms and dashboard read, and the application publishes
 * (cloudwatch-publisher.ts): one list of names for both sides.
 */
export const APP_METRIC_NAMESPACE = "CostAnalytics";

export const APP_METRICS = {
  /** Age of the newest stream record when the consumer processed it (Maximum per period). */
  streamIteratorAgeMs: "StreamIteratorAgeMs",
  /** One per provider collection that ended FAILED (Sum per period). */
  collectionsFailed: "CollectionsFailed",
  /** Duration of one GraphQL operation (percentiles per period). */
  graphqlLatencyMs: "GraphqlLatencyMs",
} as const;

/** Every custom metric carries this dimension, so deployments sharing an account stay apart. */
export const APP_METRIC_DIMENSION = "Deployment";

/** The dimension's value: the deployment's table prefix followed by the service name. */
export function deploymentName(tablePrefix: string): string {
  return `${tablePrefix}cost-analytics`;
}
