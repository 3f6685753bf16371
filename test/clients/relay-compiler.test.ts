/**
 * relay-compiler 21 compiles Relay-style fragments (test/clients/relay) against schema/schema.graphql:
 * @refetchable fragments on Node types (refetched through `node(id:)`), @connection on the three
 * connections (one of them paged both ways), fragments spread into a page query, subscriptions and
 * a mutation that answer with the fragments of the views they update. Its configuration is written
 * to a temporary directory, and so are its artifacts.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse, validate, type GraphQLSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSchema, SCHEMA_PATH } from "./support/cache-config.js";

const require = createRequire(import.meta.url);
/** The platform's compiler binary (what relay-compiler's cli.js runs); null where none ships. */
const RELAY_BINARY = require("relay-compiler") as string | null;
const SOURCES = fileURLToPath(new URL("./relay/", import.meta.url));

const FRAGMENTS = [
  "ClientCostRecords_client",
  "ClientJobs_client",
  "ClientSummaryCard_client",
  "CollectionJobCard_job",
  "CostRecordRow_record",
  "CostSummaryCard_summary",
  "Portfolio_query",
  "ProviderConnectionItem_connection",
];
/** Refetch queries of fragments on Node types, by fragment. */
const NODE_REFETCH_QUERIES: Record<string, string> = {
  ClientSummaryCard_client: "ClientSummaryCardRefetchQuery",
  CollectionJobCard_job: "CollectionJobCardRefetchQuery",
  CostRecordRow_record: "CostRecordRowRefetchQuery",
  CostSummaryCard_summary: "CostSummaryCardRefetchQuery",
  ProviderConnectionItem_connection: "ProviderConnectionItemRefetchQuery",
};
const PAGINATION_QUERIES = [
  "ClientCostRecordsPaginationQuery",
  "ClientJobsPaginationQuery",
  "PortfolioPaginationQuery",
];
const OPERATIONS = [
  "DashboardPageQuery",
  "DashboardLiveCostsSubscription",
  "DashboardLiveJobsSubscription",
  "DashboardLiveConnectMutation",
  ...Object.values(NODE_REFETCH_QUERIES),
  ...PAGINATION_QUERIES,
];

let directory: string;
let artifacts: string;
let schema: GraphQLSchema;
let compiler: { code: number; output: string };

/** An artifact's module text. */
const artifact = (name: string) => readFile(join(artifacts, `${name}.graphql.ts`), "utf8");

/** The operation text an operation's artifact sends to the server. */
async function operationText(name: string): Promise<string> {
  const match = /"text": ("(?:[^"\\]|\\.)*")/.exec(await artifact(name));
  if (!match) throw new Error(`${name}.graphql.ts has no operation text`);
  return JSON.parse(match[1]!) as string;
}

beforeAll(async () => {
  schema = loadSchema();
  directory = await mkdtemp(join(tmpdir(), "relay-"));
  artifacts = join(directory, "__generated__");
  await mkdir(artifacts);
  const config = join(directory, "relay.config.json");
  await writeFile(
    config,
    JSON.stringify({
      src: SOURCES,
      schema: fileURLToPath(SCHEMA_PATH),
      language: "typescript",
      artifactDirectory: artifacts,
    }),
  );
  if (!RELAY_BINARY)
    throw new Error(`relay-compiler ships no binary for ${process.platform} ${process.arch}`);
  compiler = await promisify(execFile)(RELAY_BINARY, [config], { cwd: directory }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? -1,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
    }),
  );
});

afterAll(async () => {
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe("relay-compiler over schema/schema.graphql", () => {
  it("compiles every fragment and operation, and writes an artifact for each", async () => {
    expect(compiler, compiler.output).toMatchObject({ code: 0 });
    const written = (await readdir(artifacts)).map((file) => file.replace(/\.graphql\.ts$/, "")).sort();
    expect(written).toEqual([...FRAGMENTS, ...OPERATIONS].sort());
  });

  it("emits operations the schema validates: refetch, pagination, page, live and mutation", async () => {
    for (const name of OPERATIONS) {
      const errors = validate(schema, parse(await operationText(name))).map((error) => error.message);
      expect(errors, name).toEqual([]);
    }
  });

  it("refetches each fragment on a Node type through node(id:), and the Query fragment without", async () => {
    for (const [fragment, query] of Object.entries(NODE_REFETCH_QUERIES)) {
      const text = await operationText(query);
      expect(text, query).toMatch(/^query \w+\([^)]*\$id: ID!\n\) \{\n {2}node\(id: \$id\) \{/);
      expect(text, query).toContain(`...${fragment}`);
    }
    expect(await operationText("PortfolioPaginationQuery")).not.toContain("node(id:");
  });

  it("pages the connections forward, and the collection jobs both ways", async () => {
    const direction = async (fragment: string) => /"direction": "(\w+)"/.exec(await artifact(fragment))?.[1];
    expect(await direction("ClientCostRecords_client")).toBe("forward");
    expect(await direction("Portfolio_query")).toBe("forward");
    expect(await direction("ClientJobs_client")).toBe("bidirectional");
    const jobs = await operationText("ClientJobsPaginationQuery");
    for (const field of ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"]) {
      expect(jobs).toContain(field);
    }
    expect(jobs).toMatch(/collectionJobs\(first: \$first, after: \$after, last: \$last, before: \$before\)/);
  });
});
