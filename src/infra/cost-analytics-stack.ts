/**
 * Everything the BFF needs in an AWS account: its two tables, the KMS key behind the provider
 * credentials envelope, its IAM role, alarms and a dashboard. Environment-agnostic, so it synthesizes
 * offline without credentials; no bootstrap version rule, so the template also deploys as plain
 * CloudFormation.
 */
import { CfnOutput, DefaultStackSynthesizer, RemovalPolicy, Stack, type StackProps } from "aws-cdk-lib";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { Construct } from "constructs";
import { createAppRole } from "./app-role.js";
import { createCostTables } from "./cost-tables.js";
import { createMonitoring } from "./monitoring.js";

export interface CostAnalyticsStackProps extends StackProps {
  /** Prepended to both table names; must equal the application's TABLE_PREFIX. Default "". */
  tablePrefix?: string;
  /** When given, alarms notify this address through an SNS topic. */
  alarmEmail?: string;
  /** The service principal that runs the application. Default "ecs-tasks.amazonaws.com". */
  taskPrincipal?: string;
  /** Tenants' roles the collector may assume. Default "arn:aws:iam::*:role/cost-analytics-reader*". */
  readerRolePattern?: string;
}

export const DEFAULT_TASK_PRINCIPAL = "ecs-tasks.amazonaws.com";
export const DEFAULT_READER_ROLE_PATTERN = "arn:aws:iam::*:role/cost-analytics-reader*";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const SERVICE_PRINCIPAL = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/;
const ROLE_ARN_PATTERN = /^arn:aws(-cn|-us-gov)?:iam::[0-9*?]+:role\/\S+$/;

function checkProps(props: CostAnalyticsStackProps): void {
  const problems = [
    props.alarmEmail !== undefined && !EMAIL.test(props.alarmEmail) && "alarmEmail: must be an email address",
    props.taskPrincipal !== undefined &&
      !SERVICE_PRINCIPAL.test(props.taskPrincipal) &&
      'taskPrincipal: must be a service principal such as "ecs-tasks.amazonaws.com"',
    props.readerRolePattern !== undefined &&
      !ROLE_ARN_PATTERN.test(props.readerRolePattern) &&
      'readerRolePattern: must be an IAM role ARN pattern such as "arn:aws:iam::*:role/cost-analytics-reader*"',
  ].filter((problem): problem is string => typeof problem === "string");
  if (problems.length > 0) throw new Error(`CostAnalyticsStack: ${problems.join("; ")}`);
}

export class CostAnalyticsStack extends Stack {
  constructor(scope: Construct, id: string, props: CostAnalyticsStackProps = {}) {
    checkProps(props);
    super(scope, id, {
      synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
      analyticsReporting: false,
      description: "Cost analytics BFF: DynamoDB tables, credentials KMS key, application role, alarms",
      ...props,
    });
    const tablePrefix = props.tablePrefix ?? "";
    const tables = createCostTables(this, tablePrefix);

    const credentialsKey = new Key(this, "CredentialsKey", {
      description: "Wraps the per-secret data keys of tenants' provider credentials (envelope encryption)",
      enableKeyRotation: true,
      // Deleting the key would make every stored provider credential unreadable.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const role = createAppRole(this, {
      tables,
      credentialsKey,
      taskPrincipal: props.taskPrincipal ?? DEFAULT_TASK_PRINCIPAL,
      readerRolePattern: props.readerRolePattern ?? DEFAULT_READER_ROLE_PATTERN,
    });

    const alarmTopic = props.alarmEmail ? new Topic(this, "AlarmTopic") : undefined;
    if (alarmTopic && props.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const dashboard = createMonitoring(this, { tables, tablePrefix, alarmTopic });

    const outputs: Record<string, string> = {
      DataTableName: tables.data.tableName,
      TimeseriesTableName: tables.timeseries.tableName,
      DataTableStreamArn: tables.data.tableStreamArn ?? "",
      AppRoleArn: role.roleArn,
      CredentialsKeyArn: credentialsKey.keyArn,
      DashboardName: dashboard.dashboardName,
      ...(alarmTopic ? { AlarmTopicArn: alarmTopic.topicArn } : {}),
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
