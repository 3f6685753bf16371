/**
 * `npm run bench:profile`: a CPU profile of the service answering one small query (the monthly
 * series, warm) over and over, sent by the load generator from its own process. Prints where the
 * service's CPU time goes, by stage (HTTP and Express, authentication, GraphQL parse/validate/execute,
 * Apollo, the service's own code, GC), and writes the profile to bench-results/ for a closer look.
 */
import { Session } from "node:inspector/promises";
import { mkdir, writeFile } from "node:fs/promises";
import { print } from "graphql";
import { startEmbeddedDynamoDb } from "../../src/sandbox/dynamodb-local/embedded-dynamodb.js";
import { MonthlySeriesDocument } from "../e2e/generated/graphql.js";
import { costRecord } from "../support/records.js";
import { drainStream, startBenchServer } from "./bench-server.js";
import { LoadGenerator } from "./load-generator.js";
import { summarizeLatencies } from "./measure.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The stage a frame's code belongs to, from its file. */
const STAGES: [string, RegExp][] = [
  ["graphql-js (parse, validate, execute)", /node_modules\/graphql\//],
  ["Apollo Server", /node_modules\/@apollo\//],
  ["graphql-armor (limits)", /node_modules\/@escape\.tech\//],
  ["type-graphql (resolver wrappers)", /node_modules\/type-graphql\//],
  [
    "Express and body parsing",
    /node_modules\/(express|body-parser|router|raw-body|iconv-lite|type-is|qs|@as-integrations)\//,
  ],
  ["JWT (jose)", /node_modules\/jose\//],
  ["logging (pino)", /node_modules\/pino/],
  ["metrics (prom-client)", /node_modules\/prom-client\//],
  ["DataLoader", /node_modules\/dataloader\//],
  ["service: graphql layer", /\/src\/graphql\//],
  ["service: application layer", /\/src\/application\//],
  ["service: domain", /\/src\/domain\//],
  ["service: other", /\/src\//],
  ["other packages", /node_modules\//],
  ["Node.js (http, streams, timers)", /^node:/],
];

/** The stage of a sample: of its own frame's file, or, for native code (no file), of its nearest caller's. */
function stageOf(node: ProfileNode, parentOf: Map<number, ProfileNode>): string {
  const { functionName } = node.callFrame;
  if (functionName === "(garbage collector)") return "GC";
  if (functionName === "(idle)" || functionName === "(program)") return functionName;
  for (let frame: ProfileNode | undefined = node; frame; frame = parentOf.get(frame.id)) {
    const { url } = frame.callFrame;
    if (url) return STAGES.find(([, pattern]) => pattern.test(url))?.[0] ?? "other";
  }
  return "V8 and native";
}

async function main() {
  const dynamo = await startEmbeddedDynamoDb();
  const server = await startBenchServer({
    endpoint: dynamo.endpoint,
    tablePrefix: "profile-",
    env: { STREAM_CONSUMER: "on", ANOMALY_DETECTION: "off", READ_CACHE_SETTLE_MS: "0" },
  });
  const generator = LoadGenerator.start();
  try {
    const clientId = "profiled";
    const { stores } = server.runtime.services;
    await stores.clients.create({
      id: clientId,
      name: "Profiled",
      reportingCurrency: "USD",
      createdAt: new Date().toISOString(),
    });
    const year = { start: "2025-01-01", end: "2025-12-31" };
    await stores.costs.upsertDays(
      Array.from({ length: 12 }, (_, m) =>
        costRecord({ clientId, provider: "AWS", date: `2025-${String(m + 1).padStart(2, "0")}-15` }),
      ),
    );
    // Past the stream's changes of the load above, so the cache stays warm.
    await drainStream(server);
    const token = await server.token({ roles: ["viewer"], clientIds: [clientId] });
    const operation = {
      kind: "http" as const,
      url: server.url,
      method: "POST" as const,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: print(MonthlySeriesDocument), variables: { clientId, period: year } }),
    };
    await generator.run({ operation, concurrency: 1, seconds: 2, warmupOperations: 200 });
    const session = new Session();
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 100 });
    await session.post("Profiler.start");
    server.counter.reset();
    const t0 = performance.now();
    const sample = await generator.run({ operation, concurrency: 1, seconds: 5, warmupOperations: 0 });
    const wallMs = performance.now() - t0;
    const { profile } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
    session.disconnect();
    await mkdir(new URL("../../bench-results/", import.meta.url), { recursive: true });
    await writeFile(
      new URL("../../bench-results/request.cpuprofile", import.meta.url),
      JSON.stringify(profile),
    );

    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parentOf = new Map<number, ProfileNode>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node);
    const selfUs = new Map<string, number>();
    profile.samples.forEach((id, i) => {
      const stage = stageOf(byId.get(id)!, parentOf);
      selfUs.set(stage, (selfUs.get(stage) ?? 0) + (profile.timeDeltas[i] ?? 0));
    });
    const served = sample.latenciesMs.length;
    const dynamo = server.counter
      .snapshot()
      .map((row) => `${row.operation} ${row.requests}`)
      .join(", ");
    const latency = summarizeLatencies(sample.latenciesMs);
    process.stdout.write(
      `monthly series, warm, c1: ${served} requests in ${(wallMs / 1000).toFixed(1)} s, ` +
        `p50 ${latency.p50Ms.toFixed(2)} ms, p99 ${latency.p99Ms.toFixed(2)} ms (client side, own process)\n` +
        `DynamoDB requests meanwhile (the stream consumer's included): ${dynamo || "none"}\n` +
        "server CPU per request by stage (self time):\n",
    );
    const rows = [...selfUs].filter(([stage]) => stage !== "(idle)").sort((a, b) => b[1] - a[1]);
    const busy = rows.reduce((total, [, us]) => total + us, 0);
    for (const [stage, us] of rows) {
      process.stdout.write(`  ${stage.padEnd(40)} ${(us / served / 1000).toFixed(3).padStart(7)} ms\n`);
    }
    process.stdout.write(`  ${"total".padEnd(40)} ${(busy / served / 1000).toFixed(3).padStart(7)} ms\n`);
  } finally {
    await generator.stop();
    await server.stop();
    await dynamo.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
