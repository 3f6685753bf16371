/**
 * Budgets (`CLIENT#{id}` / `BUDGET#{budgetId}`) and their alerts (`CLIENT#{id}` /
 * `BUDGETALERT#{alertKey}`), beside the client's records. An alert's key names its budget, period,
 * kind and threshold, and it is written only if absent: raised once, whichever instance or restart
 * gets there first.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { CostFilter } from "../domain/aggregation.js";
import type { Budget, BudgetAlert } from "../domain/budget.js";
import { batchWriteAll } from "./batch.js";
import { isTransactionConditionFailure } from "./errors.js";
import { checkId } from "./input.js";
import { keys } from "./keys.js";
import { queryAll, type StoredItem } from "./query.js";
import { decodeItem, encodeShape, type Shape } from "./shape.js";
import type { TableNames } from "./table-definitions.js";

/** The filter is kept as JSON: its lists are optional, and it is only ever read whole. */
type StoredBudget = Omit<Budget, "filter"> & { filter?: string };

const BUDGET: Shape<StoredBudget> = {
  id: "string",
  clientId: "string",
  name: "string",
  amount: "number",
  currency: "string",
  period: "string",
  filter: "string?",
  thresholds: "number[]",
  createdAt: "string",
  updatedAt: "string",
};

const ALERT: Shape<BudgetAlert> = {
  key: "string",
  clientId: "string",
  budgetId: "string",
  currency: "string",
  kind: "string",
  threshold: "number",
  period: { map: { start: "string", end: "string" } },
  actual: "number",
  forecast: "number",
  breachProbability: "number",
  at: "string",
};

function budgetToItem(budget: Budget): StoredItem {
  const { filter, ...rest } = budget;
  return {
    ...keys.budget(budget.clientId, budget.id),
    entity: "BUDGET",
    ...encodeShape(BUDGET, { ...rest, ...(filter ? { filter: JSON.stringify(filter) } : {}) }),
  };
}

function budgetFromItem(item: StoredItem): Budget {
  const { filter, ...rest } = decodeItem(BUDGET, item, `budget ${String(item.PK)}/${String(item.SK)}`);
  return { ...rest, filter: filter ? (JSON.parse(filter) as CostFilter) : null };
}

export function budgetAlertFromItem(item: StoredItem): BudgetAlert {
  return decodeItem(ALERT, item, `budget alert ${String(item.PK)}/${String(item.SK)}`);
}

export class BudgetStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly table: string;

  constructor(options: { doc: DynamoDBDocumentClient; names: TableNames }) {
    this.doc = options.doc;
    this.table = options.names.data;
  }

  async get(clientId: string, budgetId: string): Promise<Budget | null> {
    checkId(clientId, "clientId");
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.budget(clientId, checkId(budgetId, "id")) }),
    );
    return Item ? budgetFromItem(Item) : null;
  }

  /** Every budget of the client, in id order. */
  async list(clientId: string): Promise<Budget[]> {
    checkId(clientId, "clientId");
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.client(clientId).PK, ":prefix": keys.budgetPrefix },
    });
    return items.map(budgetFromItem);
  }

  async put(budget: Budget): Promise<Budget> {
    checkId(budget.clientId, "clientId");
    checkId(budget.id, "id");
    await this.doc.send(new PutCommand({ TableName: this.table, Item: budgetToItem(budget) }));
    return budget;
  }

  /**
   * True when it existed. Its alerts go with it (an alert always has its budget): the budget first,
   * so no alert can be raised for it afterwards (raise checks it), then the alerts it had.
   */
  async delete(clientId: string, budgetId: string): Promise<boolean> {
    checkId(clientId, "clientId");
    const { Attributes } = await this.doc.send(
      new DeleteCommand({
        TableName: this.table,
        Key: keys.budget(clientId, checkId(budgetId, "id")),
        ReturnValues: "ALL_OLD",
      }),
    );
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: {
        ":pk": keys.client(clientId).PK,
        ":prefix": `${keys.budgetAlertPrefix}${budgetId}.`,
      },
      ProjectionExpression: "PK, SK",
    });
    await batchWriteAll(
      this.doc,
      this.table,
      items.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
    );
    return Attributes !== undefined;
  }

  /**
   * Writes the alert unless it was raised before or its budget is gone (one transaction: the
   * budget's existence is checked with the write); true when this call raised it.
   */
  async raise(alert: BudgetAlert): Promise<boolean> {
    checkId(alert.clientId, "clientId");
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              ConditionCheck: {
                TableName: this.table,
                Key: keys.budget(alert.clientId, alert.budgetId),
                ConditionExpression: "attribute_exists(PK)",
              },
            },
            {
              Put: {
                TableName: this.table,
                Item: {
                  ...keys.budgetAlert(alert.clientId, alert.key),
                  entity: "BUDGET_ALERT",
                  ...encodeShape(ALERT, alert),
                },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      if (isTransactionConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Every alert of the client, newest first. */
  async alerts(clientId: string): Promise<BudgetAlert[]> {
    checkId(clientId, "clientId");
    const { items } = await queryAll(this.doc, {
      TableName: this.table,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.client(clientId).PK, ":prefix": keys.budgetAlertPrefix },
    });
    return items
      .map(budgetAlertFromItem)
      .sort((a, b) => (a.at === b.at ? (a.key < b.key ? 1 : -1) : a.at < b.at ? 1 : -1));
  }

  async alert(clientId: string, alertKey: string): Promise<BudgetAlert | null> {
    checkId(clientId, "clientId");
    const { Item } = await this.doc.send(
      new GetCommand({ TableName: this.table, Key: keys.budgetAlert(clientId, alertKey) }),
    );
    return Item ? budgetAlertFromItem(Item) : null;
  }
}
