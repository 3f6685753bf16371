/**
 * What the three leases share (the write lease, the collection lock and the stream reader's lease):
 * each is one item naming its `holder`, put under a condition and deleted only by its holder. They
 * differ in what they guard, their time unit and renewal, so each keeps its own item and rules.
 */
import { DeleteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isConditionFailure } from "./errors.js";
import type { ItemKey } from "./keys.js";

/** Whether a conditional write went through: false when its condition did not hold; other errors throw. */
export async function conditionHeld(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Deletes the item if `holder` still holds it; false when it did not (released, or taken over). */
export function deleteIfHeldBy(
  doc: DynamoDBDocumentClient,
  table: string,
  key: ItemKey,
  holder: string,
): Promise<boolean> {
  return conditionHeld(
    doc.send(
      new DeleteCommand({
        TableName: table,
        Key: key,
        ConditionExpression: "holder = :holder",
        ExpressionAttributeValues: { ":holder": holder },
      }),
    ),
  );
}
