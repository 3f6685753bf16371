import { randomUUID } from "node:crypto";
import { inject } from "vitest";
import { ensureTables } from "../../src/store/bootstrap.js";
import { createDynamoClients, type DynamoSdkClients } from "../../src/store/dynamo-client.js";
import { tableNames, type TableNames } from "../../src/store/table-definitions.js";
import { DynamoRequestCounter } from "./dynamo-request-counter.js";

/**
 * DynamoDB Local shared by a whole run on 2 cores can go quiet for seconds under load; the service's
 * 5 s silence timeout would then fail healthy tests. Tests that exercise the timeout set their own.
 */
export const TEST_DYNAMO_TIMEOUT_MS = 30_000;

export interface TestStoreContext extends DynamoSdkClients {
  endpoint: string;
  /** Unique per call, so test files sharing the run's DynamoDB Local never see each other's items. */
  prefix: string;
  names: TableNames;
  /**
   * Counts the requests of `client` and `doc` (and of a test server's own clients over these
   * tables, see server.ts); reset after set-up, so it starts at zero.
   */
  counter: DynamoRequestCounter;
}

/** One line of set-up for a store or GraphQL test: fresh, bootstrapped tables and counted clients. */
export async function createTestStoreContext(): Promise<TestStoreContext> {
  const endpoint = inject("dynamoEndpoint");
  const prefix = `t${randomUUID().slice(0, 8)}-`;
  const names = tableNames(prefix);
  const clients = createDynamoClients({ endpoint, requestTimeoutMs: TEST_DYNAMO_TIMEOUT_MS });
  const counter = new DynamoRequestCounter().attach(clients.lowLevel);
  await ensureTables(clients.lowLevel, names);
  counter.reset();
  return { endpoint, prefix, names, counter, ...clients };
}
