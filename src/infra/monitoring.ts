/**
 * Alarms and one dashboard. DynamoDB's own metrics cover the tables; the stream consumer's lag,
 * failed collections and GraphQL latency are custom metrics the application publishes
 * (observability/app-metrics.ts), because DynamoDB Streams has no iterator-age metric of its own.
 */
import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  TreatMissingData,
  type IMetric,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Operation } from "aws-cdk-lib/aws-dynamodb";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { TABLE_DEFINITIONS } from "../store/table-definitions.js";
import {
  APP_METRIC_DIMENSION,
  APP_METRIC_NAMESPACE,
  APP_METRICS,
  deploymentName,
} from "../observability/app-metrics.js";
import { APP_ITEM_OPERATIONS } from "./app-role.js";
import type { CostTables } from "./cost-tables.js";

export interface MonitoringProps {
  tables: CostTables;
  tablePrefix: string;
  /** Alarm notifications go here when given. */
  alarmTopic?: ITopic;
}

/** Streams keep records for 24 hours; five minutes behind already means live updates feel stale. */
const STREAM_AGE_THRESHOLD_MS = 5 * 60 * 1000;

const WATCHED_OPERATIONS = [...APP_ITEM_OPERATIONS, Operation.TRANSACT_WRITE_ITEMS];

interface AlarmSpec {
  id: string;
  description: string;
  metric: IMetric;
  threshold: number;
  evaluationPeriods: number;
}

export function createMonitoring(scope: Construct, props: MonitoringProps): Dashboard {
  const appMetric = (metricName: string, statistic: string, period: Duration) =>
    new Metric({
      namespace: APP_METRIC_NAMESPACE,
      metricName,
      dimensionsMap: { [APP_METRIC_DIMENSION]: deploymentName(props.tablePrefix) },
      statistic,
      period,
    });
  const tableMetrics = TABLE_DEFINITIONS.map(({ role }) => {
    const table = props.tables[role];
    const options = { operations: WATCHED_OPERATIONS, period: Duration.minutes(5) };
    return {
      role,
      throttles: table.metricThrottledRequestsForOperations(options),
      systemErrors: table.metricSystemErrorsForOperations(options),
    };
  });
  const streamAge = appMetric(APP_METRICS.streamIteratorAgeMs, "Maximum", Duration.minutes(5));
  const collectionsFailed = appMetric(APP_METRICS.collectionsFailed, "Sum", Duration.minutes(15));
  const latency = ["p50", "p95", "p99"].map((statistic) =>
    appMetric(APP_METRICS.graphqlLatencyMs, statistic, Duration.minutes(5)),
  );

  const specs: AlarmSpec[] = [
    ...tableMetrics.flatMap(({ role, throttles, systemErrors }) => [
      {
        id: `${role}-throttled`,
        description: `Requests to the ${role} table were throttled (sustained for 10 minutes).`,
        metric: throttles,
        threshold: 1,
        evaluationPeriods: 2,
      },
      {
        id: `${role}-system-errors`,
        description: `DynamoDB answered requests to the ${role} table with internal errors.`,
        metric: systemErrors,
        threshold: 1,
        evaluationPeriods: 1,
      },
    ]),
    {
      id: "stream-iterator-age",
      description: "The stream consumer is more than 5 minutes behind: live updates are late.",
      metric: streamAge,
      threshold: STREAM_AGE_THRESHOLD_MS,
      evaluationPeriods: 3,
    },
    {
      id: "collections-failed",
      description: "At least one provider collection failed in the last 15 minutes.",
      metric: collectionsFailed,
      threshold: 1,
      evaluationPeriods: 1,
    },
  ];
  const alarms = specs.map((spec) => {
    const alarm = new Alarm(scope, `Alarm-${spec.id}`, {
      alarmDescription: spec.description,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: spec.evaluationPeriods,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means no throttles, no errors, no failed collection, no records to fall behind on.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic) alarm.addAlarmAction(new SnsAction(props.alarmTopic));
    return alarm;
  });

  return new Dashboard(scope, "Dashboard", {
    widgets: [
      [new AlarmStatusWidget({ title: "Alarms", alarms, width: 24 })],
      // One row per table: CloudWatch refuses two tables' per-operation math in one graph (same ids).
      ...tableMetrics.map(({ role, throttles, systemErrors }) => [
        new GraphWidget({ title: `Throttled requests: ${role} table`, left: [throttles], width: 12 }),
        new GraphWidget({ title: `System errors: ${role} table`, left: [systemErrors], width: 12 }),
      ]),
      [
        new GraphWidget({ title: "Stream consumer lag (ms)", left: [streamAge], width: 12 }),
        new GraphWidget({ title: "Failed collections", left: [collectionsFailed], width: 12 }),
      ],
      [new GraphWidget({ title: "GraphQL latency (ms)", left: latency, width: 24 })],
    ],
  });
}
