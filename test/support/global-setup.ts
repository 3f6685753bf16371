import type { TestProject } from "vitest/node";
import {
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";
import { ensureTestTools } from "./test-tools.js";

let dynamo: EmbeddedDynamoDb | undefined;

/** One in-memory DynamoDB Local for the whole run; test files isolate themselves with table prefixes. */
export async function setup(project: TestProject): Promise<void> {
  // Java, Chromium and redis-server: installed here when missing (as root), else a stop with the command.
  ensureTestTools();
  dynamo = await startEmbeddedDynamoDb();
  project.provide("dynamoEndpoint", dynamo.endpoint);
}

export async function teardown(): Promise<void> {
  await dynamo?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}
