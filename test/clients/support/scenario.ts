/**
 * One scenario for every normalized cache: against the sandbox (demo tenant, real backfill), a
 * client mounts every query of schema/operations cache-first, runs the others, receives live events
 * and runs the mutations; after each step every mounted query must still stand on its single
 * network request, be complete, and show exactly what the server last sent for each of its values
 * (events and mutation results included), and the client must have printed no warning.
 *
 * A test file brings the client (its cache set-up is what it proves); this file brings the checks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient as createWsClient, type Client as WsClient } from "graphql-ws";
import { Kind, parse, type DocumentNode, type GraphQLSchema, type OperationTypeNode } from "graphql";
import * as generated from "../../e2e/generated/graphql.js";
import { startBackfilledSandbox, type SandboxServer } from "../../support/sandbox-server.js";
import { waitForOpenSubscriptions } from "../../support/live-client.js";
import { distinctiveProviderInputs } from "../../e2e/collections-fixture.js";
import { addDays, daysInRange } from "../../../src/domain/dates.js";
import { CLOUD_PROVIDERS } from "../../../src/domain/provider.js";
import { loadSchema } from "./cache-config.js";
import { captureConsole, type ConsoleCapture } from "./console-capture.js";
import { Network, variablesMatch } from "./network.js";
import { SentValues } from "./sent-values.js";

type Variables = Record<string, unknown>;

export interface WatchResult {
  data: unknown;
  /** Every selected field is there (Apollo: dataState "complete"; urql: data without error). */
  complete: boolean;
  error?: unknown;
}

export interface LiveEvent {
  data?: unknown;
  error?: unknown;
}

/** A client under test, with its cache: what each test file sets up. */
export interface CacheClient {
  /** Mounts a cache-first query: every result (from the cache or the network) goes to `onResult`. */
  watch(document: DocumentNode, variables: Variables, onResult: (result: WatchResult) => void): () => void;
  /** Runs a mutation; rejects on errors. */
  mutate(document: DocumentNode, variables: Variables): Promise<unknown>;
  /** Subscribes through the client (so its cache receives the events). */
  subscribe(document: DocumentNode, variables: Variables, onEvent: (event: LiveEvent) => void): () => void;
  stop(): Promise<void> | void;
}

export interface ClientSetUp {
  url: string;
  /** "Bearer …", for the HTTP header and the graphql-ws connection params. */
  authorization: string;
  /** A fetch that counts and records every request. */
  fetch: typeof fetch;
  /** A graphql-ws client over `ws` whose events are recorded. */
  ws: WsClient;
  schema: GraphQLSchema;
}

const CLIENT = "demo";
const WAIT_MS = 30_000;

/** The operations of schema/operations, by name, with their kind. */
export function shippedOperations(): Map<string, OperationTypeNode> {
  const directory = new URL("../../../schema/operations/", import.meta.url);
  const operations = new Map<string, OperationTypeNode>();
  for (const file of readdirSync(directory).filter((name) => name.endsWith(".graphql"))) {
    for (const definition of parse(readFileSync(new URL(file, directory), "utf8")).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION)
        operations.set(definition.name!.value, definition.operation);
    }
  }
  return operations;
}

/** The typed document codegen generated for an operation of schema/operations. */
function documentOf(name: string): DocumentNode {
  const document = (generated as Record<string, unknown>)[`${name}Document`];
  if (!document) throw new Error(`no generated ${name}Document: run npm run codegen`);
  return document as DocumentNode;
}

async function waitUntil(check: () => boolean, what: () => string, timeoutMs = WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

class MountedQuery {
  readonly results: WatchResult[] = [];
  unmount: () => void = () => undefined;

  constructor(
    readonly name: string,
    readonly variables: Variables,
  ) {}

  get label(): string {
    return `${this.name}(${JSON.stringify(this.variables)})`;
  }

  get latest(): WatchResult | undefined {
    return this.results.at(-1);
  }

  /** The latest data, as the generated result type says it is. */
  data<T>(): T {
    return this.latest?.data as T;
  }

  waitFor(predicate: (result: WatchResult) => boolean, what: string): Promise<void> {
    return waitUntil(
      () => this.latest !== undefined && predicate(this.latest),
      () => `${this.label}: ${what} (${this.results.length} results)`,
    );
  }
}

class Feed {
  readonly events: unknown[] = [];
  readonly errors: unknown[] = [];
  unsubscribe: () => void = () => undefined;
}

type CostRecordsData = generated.CostRecordsQuery;
type ChangeEvent = generated.CostRecordChangedSubscription;
type JobEvent = generated.CollectionJobUpdatedSubscription;

export function describeCacheScenario(
  clientName: string,
  createCacheClient: (setUp: ClientSetUp) => Promise<CacheClient> | CacheClient,
): void {
  describe(`${clientName} over the sandbox`, () => {
    let server: SandboxServer;
    let today: string;
    let schema: GraphQLSchema;
    let sent: SentValues;
    let network: Network;
    let ws: WsClient;
    let client: CacheClient;
    let output: ConsoleCapture;
    const mounted: MountedQuery[] = [];
    const feeds: Feed[] = [];
    const ran = new Set<string>();

    beforeAll(async () => {
      ({ server, today } = await startBackfilledSandbox(CLIENT, { backfillDays: 10 }));
      const authorization = `Bearer ${await server.token({ roles: ["admin"] })}`;
      schema = loadSchema();
      sent = new SentValues(schema);
      network = new Network((payload) => {
        ran.add(payload.operationName);
        if (payload.data) sent.record(payload.document, payload.variables, payload.data);
      });
      ws = createWsClient({
        url: server.wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: { authorization },
        retryAttempts: 0,
      });
      output = captureConsole();
      client = await createCacheClient({
        url: server.url,
        authorization,
        fetch: network.fetch,
        ws: network.recordingWsClient(ws),
        schema,
      });
    }, 120_000);

    afterAll(async () => {
      for (const query of mounted) query.unmount();
      output?.restore();
      await client?.stop();
      await ws?.dispose();
      await server?.stop();
    });

    const period = () => ({ start: addDays(today, -9), end: today });

    function mount(name: string, variables: Variables): MountedQuery {
      const query = new MountedQuery(name, variables);
      query.unmount = client.watch(documentOf(name), variables, (result) => query.results.push(result));
      mounted.push(query);
      return query;
    }

    function feed(name: string, variables: Variables): Feed {
      const subscription = new Feed();
      subscription.unsubscribe = client.subscribe(documentOf(name), variables, (event) => {
        if (event.data) subscription.events.push(event.data);
        if (event.error) subscription.errors.push(event.error);
      });
      feeds.push(subscription);
      return subscription;
    }

    async function mutate<T>(name: string, variables: Variables): Promise<T> {
      return (await client.mutate(documentOf(name), variables)) as T;
    }

    const find = (name: string, variables: Variables = {}) =>
      mounted.find(
        (query) => query.name === name && JSON.stringify(query.variables) === JSON.stringify(variables),
      )!;

    /** The checks every step ends with. */
    async function expectCachesHold(): Promise<void> {
      await network.idle();
      const firstOf = (all: string[], label: string) => {
        const lines = [...new Set(all)];
        return lines.length <= 12 ? lines : [...lines.slice(0, 12), `${label}: ${lines.length - 12} more`];
      };
      const report = {
        subscriptionErrors: feeds.flatMap((subscription) => subscription.errors).map(String),
        refetched: [] as string[],
        incomplete: [] as string[],
        missing: [] as string[],
        differing: [] as string[],
        console: output.problems(),
      };
      for (const query of mounted) {
        const requests = network.requestCount(query.name, query.variables);
        if (requests !== 1) report.refetched.push(`${query.label}: ${requests} requests`);
        const latest = query.latest;
        if (!latest?.complete || latest.error) {
          report.incomplete.push(`${query.label}: ${latest?.error ? String(latest.error) : "partial"}`);
          continue;
        }
        const request = network.payloads.find(
          (payload) =>
            payload.transport === "http" &&
            payload.operationName === query.name &&
            variablesMatch(payload.variables, query.variables),
        )!;
        const { missing, differing } = sent.compare(request.document, request.variables, latest.data);
        report.missing.push(...firstOf(missing, query.label).map((line) => `${query.name}: ${line}`));
        report.differing.push(...firstOf(differing, query.label).map((line) => `${query.name}: ${line}`));
      }
      expect(report, "the mounted queries after this step").toEqual({
        subscriptionErrors: [],
        refetched: [],
        incomplete: [],
        missing: [],
        differing: [],
        console: [],
      });
    }

    it("mounts every query of schema/operations on one request each: complete, as the server sent it", async () => {
      const queries = [...shippedOperations()].filter(([, kind]) => kind === "query").map(([name]) => name);
      const variables: Record<string, Variables> = {
        Overview: { clientId: CLIENT, period: period() },
        Dashboard: { clientId: CLIENT, period: period() },
        // The same field and arguments as the Dashboard's series and breakdown, the Portfolio's
        // monthly series: the caches share them.
        DailySeries: { clientId: CLIENT, period: period() },
        BreakdownByService: { clientId: CLIENT, period: period(), top: 10 },
        MonthlySeries: { clientId: CLIENT, period: period() },
        PortfolioMonthly: { period: period(), first: 10 },
        // Its summaries are the Overview's costSummary objects (same id) for the sandbox's clients.
        Portfolio: { period: period(), first: 10 },
        ProviderCosts: { provider: "AWS", period: period(), top: 5 },
        CostRecords: { clientId: CLIENT, period: period(), first: 100 },
        ClientCollectionJobs: { clientId: CLIENT, first: 10 },
        CollectionJobStatus: { id: server.sandbox.backfill.id },
        ClientConnections: { clientId: CLIENT },
        InvoiceMonth: { clientId: CLIENT, month: period().start.slice(0, 7) },
      };
      const unknown = queries.filter((name) => name !== "NodeById" && !(name in variables));
      expect(unknown, "queries of schema/operations this scenario has no variables for").toEqual([]);
      for (const name of Object.keys(variables)) mount(name, variables[name]!);
      await Promise.all(mounted.map((query) => query.waitFor((result) => result.complete, "complete")));

      // Entities of three kinds again, by their Node id.
      const records = find("CostRecords", variables.CostRecords).data<CostRecordsData>().client!.costRecords;
      const overview = find("Overview", variables.Overview).data<generated.OverviewQuery>().client!;
      const restated = records.edges.find(
        (edge) => edge.node.date === today && edge.node.provider === "AWS",
      )!;
      const nodeIds = [restated.node.id, overview.costSummary.id, server.sandbox.backfill.id];
      for (const id of nodeIds) mount("NodeById", { id });
      await Promise.all(mounted.map((query) => query.waitFor((result) => result.complete, "complete")));

      expect(records.edges).toHaveLength(CLOUD_PROVIDERS.length * 10);
      await expectCachesHold();
    });

    it("applies live events to the mounted queries in place, without a request", async () => {
      const costs = feed("CostRecordChanged", { clientId: CLIENT });
      const jobs = feed("CollectionJobUpdated", { clientId: CLIENT });
      await waitForOpenSubscriptions(server.url, 2);
      const mountedRecords = find("CostRecords", { clientId: CLIENT, period: period(), first: 100 });
      const versionsBefore = new Map(
        mountedRecords
          .data<CostRecordsData>()
          .client!.costRecords.edges.map(({ node }) => [node.id, node.version]),
      );

      const job = await server.sandbox.refresh();
      expect((await server.waitForJob(job.id)).status).toBe("SUCCEEDED");
      const restatedDays = daysInRange(addDays(today, -2), today).length * CLOUD_PROVIDERS.length;
      const changes = () =>
        (costs.events as ChangeEvent[])
          .map((event) => event.costRecordChanged)
          .filter((change) => change.record.collection.jobId === job.id);
      await waitUntil(
        () => changes().length >= restatedDays,
        () => `${restatedDays} restated days (${changes().length} so far)`,
      );
      await waitUntil(
        () =>
          (jobs.events as JobEvent[]).some(
            (e) => e.collectionJobUpdated.id === job.id && e.collectionJobUpdated.status === "SUCCEEDED",
          ),
        () => "the refresh job's SUCCEEDED event",
      );
      // Each restated record shows its new version in the query mounted before the events.
      const expected = new Map(changes().map((change) => [change.record.id, change.record.version]));
      await mountedRecords.waitFor(
        (result) =>
          (result.data as CostRecordsData).client!.costRecords.edges.filter(
            ({ node }) => expected.get(node.id) === node.version,
          ).length === expected.size,
        "the restated versions",
      );
      for (const [id, version] of expected) expect(version).toBeGreaterThan(versionsBefore.get(id)!);
      // So does the record's own node query.
      const nodeQuery = mounted.find(
        (query) => query.name === "NodeById" && expected.has(String(query.variables.id)),
      )!;
      await nodeQuery.waitFor(
        (result) =>
          (result.data as { node?: { version?: number } } | undefined)?.node?.version ===
          expected.get(String(nodeQuery.variables.id)),
        "the restated version",
      );
      costs.unsubscribe();
      jobs.unsubscribe();
      await waitForOpenSubscriptions(server.url, 0);
      await expectCachesHold();
    });

    it("applies mutation results to the mounted queries in place, without a request", async () => {
      const jobs = feed("CollectionJobUpdated", { clientId: CLIENT });
      await waitForOpenSubscriptions(server.url, 1);

      // Checking the other credentials first stores nothing: its answer is a value, no entity changes.
      const { inputs } = distinctiveProviderInputs(server.sandbox.clouds);
      const { testConnection } = await mutate<generated.TestConnectionMutation>("TestConnection", {
        input: { clientId: CLIENT, ...inputs.AWS },
      });
      expect(testConnection).toMatchObject({ clientId: CLIENT, provider: "AWS", health: "HEALTHY" });
      // Re-connecting AWS with them: the connection (same entity) changes its summary.
      const { connectProvider } = await mutate<generated.ConnectProviderMutation>("ConnectProvider", {
        input: { clientId: CLIENT, ...inputs.AWS },
      });
      const summary = connectProvider.credentialSummary;
      expect(summary).toContain(inputs.AWS.aws!.accessKeyId!.slice(-4));
      expect(connectProvider.client.connections.map((connection) => connection.id)).toContain(
        connectProvider.id,
      );
      const awsSummaryIn = (query: MountedQuery) =>
        query
          .data<generated.OverviewQuery>()
          .client!.connections.find((connection) => connection.provider === "AWS")?.credentialSummary;
      await find("ClientConnections", { clientId: CLIENT }).waitFor(
        () => awsSummaryIn(find("ClientConnections", { clientId: CLIENT })) === summary,
        "the new AWS credentials",
      );
      const overview = mounted.find((query) => query.name === "Overview")!;
      await overview.waitFor(() => awsSummaryIn(overview) === summary, "the new AWS credentials");

      // A collection: the mutation's QUEUED job, then its events, in the query mounted after it.
      const { triggerCollection } = await mutate<generated.TriggerCollectionMutation>("TriggerCollection", {
        input: { clientId: CLIENT, period: { start: addDays(today, -1), end: today }, providers: ["AWS"] },
      });
      expect(triggerCollection.status).toBe("QUEUED");
      const status = mount("CollectionJobStatus", { id: triggerCollection.id });
      await status.waitFor(
        (result) =>
          (result.data as generated.CollectionJobStatusQuery | undefined)?.collectionJob?.status ===
          "SUCCEEDED",
        "the job's SUCCEEDED event",
      );
      await waitUntil(
        () =>
          (jobs.events as JobEvent[]).some(
            (e) =>
              e.collectionJobUpdated.id === triggerCollection.id &&
              e.collectionJobUpdated.status === "SUCCEEDED",
          ),
        () => "the job's SUCCEEDED event",
      );

      const id = `cache-${randomUUID().slice(0, 8)}`;
      const { createClient } = await mutate<generated.CreateClientMutation>("CreateClient", {
        input: { id, name: "Cache Test", reportingCurrency: "EUR" },
      });
      expect(createClient.id).toBe(id);
      const { setExchangeRates } = await mutate<generated.SetExchangeRatesMutation>("SetExchangeRates", {
        rates: [{ from: "EUR", to: "USD", month: "2001-01", rate: 1.25, source: "cache-test" }],
      });
      expect(setExchangeRates).toBe(1);
      jobs.unsubscribe();
      await waitForOpenSubscriptions(server.url, 0);
      await expectCachesHold();
    });

    it("ran every operation of schema/operations", () => {
      expect([...ran].filter((name) => shippedOperations().has(name)).sort()).toEqual(
        [...shippedOperations().keys()].sort(),
      );
    });
  });
}
