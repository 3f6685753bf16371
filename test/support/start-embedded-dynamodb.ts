/**
 * Child process for the embedded DynamoDB lifecycle tests: starts DynamoDB Local, prints
 * {"endpoint","port"} as one JSON line, then ends the way argv[2] says:
 *   wait   - stays alive until killed
 *   throw  - dies of an uncaught error
 *   return - just returns, leaving nothing that keeps the process alive
 */
import { startEmbeddedDynamoDb } from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";

const mode = process.argv[2] ?? "wait";
const db = await startEmbeddedDynamoDb();
process.stdout.write(`${JSON.stringify({ endpoint: db.endpoint, port: db.port })}\n`);

if (mode === "wait") setInterval(() => {}, 60_000);
if (mode === "throw")
  setTimeout(() => {
    throw new Error("uncaught after start");
  }, 100);
