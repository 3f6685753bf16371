/**
 * The CDK app: synthesizes CostAnalyticsStack into cdk.out/ offline (no cdk CLI, no credentials).
 * Settings come from the environment, with the application's own name where one exists:
 * TABLE_PREFIX, ALARM_EMAIL, TASK_PRINCIPAL, READER_ROLE_PATTERN, STACK_NAME.
 */
import { relative } from "node:path";
import { App } from "aws-cdk-lib";
import { CostAnalyticsStack } from "./cost-analytics-stack.js";

const setting = (name: string): string | undefined => process.env[name] || undefined;

// Construct stack traces are debugging metadata that would multiply synth time by five.
const app = new App({ outdir: "cdk.out", stackTraces: false });
new CostAnalyticsStack(app, "CostAnalyticsStack", {
  stackName: setting("STACK_NAME"),
  tablePrefix: setting("TABLE_PREFIX"),
  alarmEmail: setting("ALARM_EMAIL"),
  taskPrincipal: setting("TASK_PRINCIPAL"),
  readerRolePattern: setting("READER_ROLE_PATTERN"),
});
const assembly = app.synth();
const templates = assembly.stacks.map((stack) => relative(process.cwd(), stack.templateFullPath));
console.log(`synthesized ${templates.join(", ")}`);
