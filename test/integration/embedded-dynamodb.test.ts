import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateTableCommand, DescribeTableCommand, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { createDynamoClients } from "../../src/store/dynamo-client.js";
import {
  JAVA_MISSING_MESSAGE,
  javaMajorVersion,
  startEmbeddedDynamoDb,
  type EmbeddedDynamoDb,
} from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const childScript = fileURLToPath(new URL("../support/start-embedded-dynamodb.ts", import.meta.url));

/** Pids of DynamoDB Local java processes listening on `port`, found by their `-port <n>` argument. */
function dynamoDbLocalPids(port: number): number[] {
  const lines = execFileSync("ps", ["-eo", "pid=,args="], { encoding: "utf8" }).split("\n");
  return lines.flatMap((line) => {
    const [pid, ...args] = line.trim().split(/\s+/);
    const portIndex = args.indexOf("-port");
    const isOurs = args.some((a) => a.endsWith("DynamoDBLocal.jar")) && args[portIndex + 1] === String(port);
    return portIndex >= 0 && isOurs ? [Number(pid)] : [];
  });
}

async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

async function answersListTables(endpoint: string): Promise<string[]> {
  const { lowLevel: client } = createDynamoClients({ endpoint, maxAttempts: 1 });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}

interface StartedChild {
  child: ChildProcess;
  port: number;
  endpoint: string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

const children = new Set<ChildProcess>();
const stopAfterTest: EmbeddedDynamoDb[] = [];
afterEach(async () => {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
  await Promise.all(stopAfterTest.splice(0).map((db) => db.stop()));
});

function spawnChild(mode: "wait" | "throw" | "return", env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ["--import", "tsx", childScript, mode], { cwd: root, env });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, exit, stdout: () => stdout, stderr: () => stderr };
}

/** Starts the child script and waits for the endpoint line it prints once DynamoDB Local answers. */
async function startChild(mode: "wait" | "throw" | "return"): Promise<StartedChild> {
  const spawned = spawnChild(mode);
  const printed = await eventually(() => spawned.stdout().includes("\n"), 60_000);
  if (!printed) throw new Error(`child printed no endpoint; stderr:\n${spawned.stderr()}`);
  const { endpoint, port } = JSON.parse(spawned.stdout().split("\n")[0] ?? "") as {
    endpoint: string;
    port: number;
  };
  return { child: spawned.child, port, endpoint, exit: spawned.exit, stderr: spawned.stderr };
}

describe("embedded DynamoDB Local", () => {
  it("starts in memory, answers ListTables, and stop() leaves no java process", async () => {
    const db = await startEmbeddedDynamoDb();
    expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`);
    expect(db.dataDir).toBeNull();
    expect(await answersListTables(db.endpoint)).toEqual([]);
    expect(dynamoDbLocalPids(db.port)).toHaveLength(1);

    await db.stop();
    expect(dynamoDbLocalPids(db.port)).toEqual([]);
    await expect(answersListTables(db.endpoint)).rejects.toThrow();
    await db.stop(); // a second stop is a no-op
    expect(dynamoDbLocalPids(db.port)).toEqual([]);
  });

  it.each(["SIGKILL", "SIGINT", "SIGTERM"] as const)(
    "leaves no java process when its process gets %s",
    async (signal) => {
      const started = await startChild("wait");
      expect(await answersListTables(started.endpoint)).toEqual([]);
      expect(dynamoDbLocalPids(started.port)).toHaveLength(1);

      started.child.kill(signal);
      expect(await started.exit).toEqual({ code: null, signal });
      expect(await eventually(() => dynamoDbLocalPids(started.port).length === 0)).toBe(true);
    },
  );

  it("leaves no java process when its process dies of an uncaught error", async () => {
    const started = await startChild("throw");
    expect((await started.exit).code).toBe(1);
    expect(started.stderr()).toContain("uncaught after start");
    expect(await eventually(() => dynamoDbLocalPids(started.port).length === 0)).toBe(true);
  });

  it("does not keep its process alive, and leaves no java process when it exits normally", async () => {
    const started = await startChild("return");
    expect(await started.exit).toEqual({ code: 0, signal: null });
    expect(await eventually(() => dynamoDbLocalPids(started.port).length === 0)).toBe(true);
  });

  it("says Java is needed when java is not on PATH", async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), "no-java-"));
    try {
      const spawned = spawnChild("wait", { ...process.env, PATH: emptyDir });
      const { code } = await spawned.exit;
      expect(code).not.toBe(0);
      expect(spawned.stderr()).toContain(JAVA_MISSING_MESSAGE);
      expect(spawned.stdout()).toBe("");
    } finally {
      await rm(emptyDir, { recursive: true, force: true });
    }
  });

  describe("file-backed", () => {
    let baseDir: string | undefined;
    afterAll(async () => {
      if (baseDir) await rm(baseDir, { recursive: true, force: true });
    });

    it("creates the data directory and keeps a table across a restart", async () => {
      baseDir = await mkdtemp(join(tmpdir(), "embedded-dynamodb-"));
      const dataDir = join(baseDir, "nested", "dynamodb");
      const first = await startEmbeddedDynamoDb({ dataDir });
      stopAfterTest.push(first);
      expect(first.dataDir).toBe(dataDir);
      const { lowLevel: client } = createDynamoClients({ endpoint: first.endpoint });
      await client.send(
        new CreateTableCommand({
          TableName: "kept",
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "PK", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "PK", KeyType: "HASH" }],
        }),
      );
      client.destroy();
      await first.stop();
      expect(existsSync(dataDir)).toBe(true);
      expect(readdirSync(dataDir).some((file) => file.endsWith(".db"))).toBe(true);

      const second = await startEmbeddedDynamoDb({ dataDir });
      stopAfterTest.push(second);
      expect(await answersListTables(second.endpoint)).toEqual(["kept"]);
      const { lowLevel: again } = createDynamoClients({ endpoint: second.endpoint });
      const described = await again.send(new DescribeTableCommand({ TableName: "kept" }));
      again.destroy();
      expect(described.Table?.KeySchema).toEqual([{ AttributeName: "PK", KeyType: "HASH" }]);
    });
  });
});

describe("javaMajorVersion", () => {
  it.each([
    ['openjdk version "17.0.15" 2025-04-15', 17],
    ['openjdk version "21" 2023-09-19', 21],
    ['java version "1.8.0_392"', 8],
    ['openjdk version "11.0.2" 2019-01-15', 11],
    ["something else entirely", undefined],
  ])("reads %j as %j", (output, major) => {
    expect(javaMajorVersion(output)).toBe(major);
  });
});
