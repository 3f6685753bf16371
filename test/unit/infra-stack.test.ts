import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { APP_METRIC_NAMESPACE, APP_METRICS, deploymentName } from "../../src/observability/app-metrics.js";
import {
  CostAnalyticsStack,
  DEFAULT_READER_ROLE_PATTERN,
  DEFAULT_TASK_PRINCIPAL,
} from "../../src/infra/cost-analytics-stack.js";
import {
  DATA_TABLE,
  TABLE_DEFINITIONS,
  TIMESERIES_TABLE,
  TTL_ATTRIBUTE,
  tableNames,
} from "../../src/store/table-definitions.js";

/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation JSON is untyped */
type Json = any;

const PREFIX = "staging-";
const ALARM_EMAIL = "oncall@example.com";
const CUSTOM_PRINCIPAL = "ec2.amazonaws.com";

let template: Template;
let prefixed: Template;

// One app, two stacks, one synth: the default deployment and a prefixed one with every prop set.
beforeAll(() => {
  const app = new App({ stackTraces: false });
  const stack = new CostAnalyticsStack(app, "Default");
  const prefixedStack = new CostAnalyticsStack(app, "Prefixed", {
    tablePrefix: PREFIX,
    alarmEmail: ALARM_EMAIL,
    taskPrincipal: CUSTOM_PRINCIPAL,
  });
  template = Template.fromStack(stack);
  prefixed = Template.fromStack(prefixedStack);
});

const resourcesOf = (t: Template, type: string): [string, Json][] =>
  Object.entries(t.findResources(type) as Record<string, Json>);

function tableNamed(t: Template, name: string): { id: string; properties: Json; resource: Json } {
  const matches = resourcesOf(t, "AWS::DynamoDB::Table").filter(([, r]) => r.Properties.TableName === name);
  expect(matches, `tables named ${name}`).toHaveLength(1);
  const [id, resource] = matches[0]!;
  return { id, properties: resource.Properties, resource };
}

const keySchema = (partitionKey: string, sortKey: string) => [
  { AttributeName: partitionKey, KeyType: "HASH" },
  { AttributeName: sortKey, KeyType: "RANGE" },
];

function appPolicyStatements(t: Template): Json[] {
  const policies = resourcesOf(t, "AWS::IAM::Policy");
  expect(policies).toHaveLength(1);
  return policies[0]![1].Properties.PolicyDocument.Statement;
}

function statement(t: Template, sid: string): Json {
  const found = appPolicyStatements(t).filter((s) => s.Sid === sid);
  expect(found, `statements with Sid ${sid}`).toHaveLength(1);
  return found[0];
}

const asList = (value: Json): Json[] => (Array.isArray(value) ? value : [value]);

/** Every IAM-style statement anywhere in the template, with the resource type and property holding it. */
function allStatements(t: Template): { type: string; statement: Json }[] {
  const found: { type: string; statement: Json }[] = [];
  const walk = (node: Json, type: string): void => {
    if (Array.isArray(node)) return node.forEach((child) => walk(child, type));
    if (node === null || typeof node !== "object") return;
    if (Array.isArray(node.Statement))
      node.Statement.forEach((s: Json) => found.push({ type, statement: s }));
    Object.values(node).forEach((child) => walk(child, type));
  };
  for (const resource of Object.values(t.toJSON().Resources as Record<string, Json>)) {
    walk(resource.Properties, resource.Type);
  }
  return found;
}

/** Metric names an alarm watches, whether a single metric or a math expression over several. */
function alarmMetricNames(alarm: Json): string[] {
  const p = alarm.Properties;
  if (p.MetricName) return [p.MetricName];
  return [
    ...new Set<string>(
      p.Metrics.filter((m: Json) => m.MetricStat).map((m: Json) => m.MetricStat.Metric.MetricName),
    ),
  ];
}

describe("CostAnalyticsStack tables", () => {
  it("creates exactly the tables of TABLE_DEFINITIONS", () => {
    const names = resourcesOf(template, "AWS::DynamoDB::Table").map(([, r]) => r.Properties.TableName);
    expect(names.sort()).toEqual(TABLE_DEFINITIONS.map((d) => tableNames()[d.role]).sort());
  });

  it.each(TABLE_DEFINITIONS.map((d) => [d.role, d] as const))(
    "%s table: keys and indexes from its definition",
    (_, definition) => {
      const { properties } = tableNamed(template, tableNames()[definition.role]);
      expect(properties.KeySchema).toEqual(keySchema(definition.partitionKey, definition.sortKey));
      const indexKeys = definition.indexes.flatMap((i) => [i.partitionKey, i.sortKey]);
      expect(properties.AttributeDefinitions).toEqual(
        expect.arrayContaining(
          [definition.partitionKey, definition.sortKey, ...indexKeys].map((AttributeName) => ({
            AttributeName,
            AttributeType: "S",
          })),
        ),
      );
      expect(properties.AttributeDefinitions).toHaveLength(2 + indexKeys.length);
      expect(properties.GlobalSecondaryIndexes).toEqual(
        definition.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: keySchema(index.partitionKey, index.sortKey),
          Projection: { ProjectionType: "ALL" },
        })),
      );
    },
  );

  it.each(TABLE_DEFINITIONS.map((d) => [d.role, d] as const))(
    "%s table: TTL, on-demand, PITR, protected, retained",
    (_, definition) => {
      const { properties, resource } = tableNamed(template, tableNames()[definition.role]);
      expect(properties.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
      expect(TTL_ATTRIBUTE).toBe("expiresAt");
      expect(properties.BillingMode).toBe("PAY_PER_REQUEST");
      expect(properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
      expect(properties.DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe("Retain");
      expect(resource.UpdateReplacePolicy).toBe("Retain");
    },
  );

  it("streams NEW_AND_OLD_IMAGES from the data table only", () => {
    expect(tableNamed(template, tableNames().data).properties.StreamSpecification).toEqual({
      StreamViewType: "NEW_AND_OLD_IMAGES",
    });
    expect(tableNamed(template, tableNames().timeseries).properties.StreamSpecification).toBeUndefined();
    expect(DATA_TABLE.stream).toBe("NEW_AND_OLD_IMAGES");
    expect(TIMESERIES_TABLE.stream).toBeNull();
  });

  it("renames both tables with the table prefix", () => {
    const names = resourcesOf(prefixed, "AWS::DynamoDB::Table").map(([, r]) => r.Properties.TableName);
    expect(names.sort()).toEqual([tableNames(PREFIX).data, tableNames(PREFIX).timeseries].sort());
    expect(names.every((name) => name.startsWith(PREFIX))).toBe(true);
  });
});

describe("CostAnalyticsStack application role", () => {
  it("is assumed by ECS tasks by default and by the configured principal otherwise", () => {
    const principals = (t: Template) =>
      resourcesOf(t, "AWS::IAM::Role").flatMap(([, r]) =>
        r.Properties.AssumeRolePolicyDocument.Statement.map((s: Json) => s.Principal.Service),
      );
    expect(principals(template)).toEqual([DEFAULT_TASK_PRINCIPAL]);
    expect(principals(prefixed)).toEqual([CUSTOM_PRINCIPAL]);
  });

  it("grants the item actions on both tables and every index of their definitions", () => {
    const tables = statement(template, "Tables");
    expect(tables.Action).toEqual([
      "dynamodb:GetItem",
      "dynamodb:BatchGetItem",
      "dynamodb:Query",
      "dynamodb:PutItem",
      "dynamodb:UpdateItem",
      "dynamodb:DeleteItem",
      "dynamodb:BatchWriteItem",
      "dynamodb:ConditionCheckItem",
      "dynamodb:DescribeTable",
    ]);
    const resources = JSON.stringify(tables.Resource);
    for (const definition of TABLE_DEFINITIONS) {
      const { id } = tableNamed(template, tableNames()[definition.role]);
      expect(resources).toContain(`{"Fn::GetAtt":["${id}","Arn"]}`);
      for (const index of definition.indexes) {
        expect(resources).toContain(`{"Fn::GetAtt":["${id}","Arn"]},"/index/${index.indexName}"`);
      }
    }
    const indexCount = TABLE_DEFINITIONS.reduce((n, d) => n + d.indexes.length, 0);
    expect(tables.Resource).toHaveLength(TABLE_DEFINITIONS.length + indexCount);
  });

  it("reads the data table's stream, with ListStreams as the only '*' stream action", () => {
    const { id } = tableNamed(template, tableNames().data);
    const stream = statement(template, "Stream");
    expect(stream.Action).toEqual([
      "dynamodb:DescribeStream",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
    ]);
    expect(stream.Resource).toEqual({ "Fn::GetAtt": [id, "StreamArn"] });
    expect(statement(template, "StreamListing")).toMatchObject({
      Action: "dynamodb:ListStreams",
      Resource: "*",
    });
  });

  it("reads costs, uses only the credentials key, and assumes only matching reader roles", () => {
    const [[keyId]] = resourcesOf(template, "AWS::KMS::Key") as [[string, Json]];
    expect(statement(template, "OwnAccountCosts")).toMatchObject({
      Action: "ce:GetCostAndUsage",
      Resource: "*",
    });
    expect(statement(template, "CredentialsEnvelope")).toMatchObject({
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: { "Fn::GetAtt": [keyId, "Arn"] },
    });
    expect(statement(template, "TenantCostReaders")).toMatchObject({
      Action: "sts:AssumeRole",
      Resource: DEFAULT_READER_ROLE_PATTERN,
    });
    expect(statement(template, "AppMetrics")).toMatchObject({
      Action: "cloudwatch:PutMetricData",
      Condition: { StringEquals: { "cloudwatch:namespace": APP_METRIC_NAMESPACE } },
    });
    expect(appPolicyStatements(template)).toHaveLength(7);
  });

  it("has no wildcard action in any IAM statement; the only one left is the key policy's account delegation", () => {
    for (const t of [template, prefixed]) {
      const statements = allStatements(t);
      const iam = statements.filter((s) => s.type.startsWith("AWS::IAM::"));
      expect(iam.length).toBeGreaterThanOrEqual(8);
      const wildcard = statements.filter((s) =>
        asList(s.statement.Action).some((a) => String(a).includes("*")),
      );
      expect(wildcard.map((s) => s.type)).toEqual(["AWS::KMS::Key"]);
      expect(JSON.stringify(wildcard[0]!.statement.Principal)).toContain(":root");
    }
  });
});

describe("CostAnalyticsStack credentials key", () => {
  it("rotates and is retained", () => {
    const keys = resourcesOf(template, "AWS::KMS::Key");
    expect(keys).toHaveLength(1);
    expect(keys[0]![1].Properties.EnableKeyRotation).toBe(true);
    expect(keys[0]![1].DeletionPolicy).toBe("Retain");
  });
});

describe("CostAnalyticsStack monitoring", () => {
  const alarms = () => resourcesOf(template, "AWS::CloudWatch::Alarm").map(([, a]) => a);

  it("alarms on throttles and system errors per table, stream lag and failed collections", () => {
    expect(alarms()).toHaveLength(6);
    const byMetric = alarms()
      .map(alarmMetricNames)
      .map((names) => names.join(","));
    expect(byMetric.sort()).toEqual(
      [
        "ThrottledRequests",
        "ThrottledRequests",
        "SystemErrors",
        "SystemErrors",
        APP_METRICS.streamIteratorAgeMs,
        APP_METRICS.collectionsFailed,
      ].sort(),
    );
    for (const definition of TABLE_DEFINITIONS) {
      const { id } = tableNamed(template, tableNames()[definition.role]);
      const watching = alarms().filter((a) =>
        JSON.stringify(a.Properties.Metrics ?? []).includes(`"Ref":"${id}"`),
      );
      expect(watching, `alarms on the ${definition.role} table`).toHaveLength(2);
    }
  });

  it("alarms when a collection failed in the last 15 minutes", () => {
    const [failed] = alarms().filter((a) => a.Properties.MetricName === APP_METRICS.collectionsFailed);
    expect(failed.Properties).toMatchObject({
      Namespace: APP_METRIC_NAMESPACE,
      Statistic: "Sum",
      Period: 900,
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Dimensions: [{ Name: "Deployment", Value: deploymentName("") }],
    });
  });

  it("notifies the alarm email through SNS only when one is given", () => {
    expect(resourcesOf(template, "AWS::SNS::Topic")).toHaveLength(0);
    expect(alarms().filter((a) => a.Properties.AlarmActions)).toHaveLength(0);
    const subscriptions = resourcesOf(prefixed, "AWS::SNS::Subscription").map(([, s]) => s.Properties);
    expect(subscriptions).toEqual([expect.objectContaining({ Protocol: "email", Endpoint: ALARM_EMAIL })]);
    const [[topicId]] = resourcesOf(prefixed, "AWS::SNS::Topic") as [[string, Json]];
    const prefixedAlarms = resourcesOf(prefixed, "AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    expect(
      prefixedAlarms.filter((a) => JSON.stringify(a.AlarmActions) === `[{"Ref":"${topicId}"}]`),
    ).toHaveLength(6);
  });

  it("has one dashboard with the alarms and the GraphQL latency, per deployment", () => {
    const dashboards = resourcesOf(template, "AWS::CloudWatch::Dashboard");
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]![1].Properties.DashboardBody);
    for (const name of [APP_METRICS.graphqlLatencyMs, APP_METRICS.streamIteratorAgeMs, "ThrottledRequests"]) {
      expect(body).toContain(name);
    }
    const prefixedBody = JSON.stringify(resourcesOf(prefixed, "AWS::CloudWatch::Dashboard")[0]![1]);
    expect(prefixedBody).toContain(deploymentName(PREFIX));
  });
});

describe("CostAnalyticsStack outputs and props", () => {
  it("outputs table names, stream, role and key", () => {
    expect(Object.keys(template.toJSON().Outputs).sort()).toEqual(
      [
        "AppRoleArn",
        "CredentialsKeyArn",
        "DashboardName",
        "DataTableName",
        "DataTableStreamArn",
        "TimeseriesTableName",
      ].sort(),
    );
    expect(Object.keys(prefixed.toJSON().Outputs)).toContain("AlarmTopicArn");
  });

  it.each([
    [{ alarmEmail: "not an email" }, "alarmEmail"],
    [{ taskPrincipal: "ecs-tasks" }, "taskPrincipal"],
    [{ readerRolePattern: "cost-reader" }, "readerRolePattern"],
    [{ tablePrefix: "bad prefix " }, "tablePrefix"],
  ])("refuses %o naming the field", (props, field) => {
    const app = new App({ stackTraces: false });
    expect(() => new CostAnalyticsStack(app, "Invalid", props)).toThrow(new RegExp(`${field}: `));
  });
});
