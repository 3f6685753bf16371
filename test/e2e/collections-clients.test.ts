/**
 * Creating clients and connecting their clouds over real HTTP, against DynamoDB Local and the
 * sandbox's simulators: who may do it, what bad input is told, that a refusal writes nothing, and
 * that a secret sent in connectProvider never comes back in a response or a log line.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandboxServer, type SandboxServer } from "../support/sandbox-server.js";
import { startTestServer, type GraphQLCall, type TestServer } from "../support/server.js";
import type { AppStores } from "../../src/services.js";
import {
  ClientConnectionsDocument,
  ConnectProviderDocument,
  CreateClientDocument,
  type ConnectProviderInput,
} from "./generated/graphql.js";
import {
  createClient,
  distinctiveProviderInputs,
  expectNoSecretIn,
  recordingCaller,
  type ProviderInputs,
} from "./collections-fixture.js";

let server: SandboxServer;
let production: TestServer;
let call: GraphQLCall;
let callProduction: GraphQLCall;
const bodies: string[][] = [];
let providers: ProviderInputs;
let admin: string;
let stores: AppStores;

beforeAll(async () => {
  server = await startSandboxServer({
    backfillDays: 1,
    clouds: { size: { services: 3, accounts: 1, regions: 1 } },
  });
  production = await startTestServer();
  const sandboxCaller = recordingCaller(server.graphql);
  const productionCaller = recordingCaller(production.graphql);
  call = sandboxCaller.call;
  callProduction = productionCaller.call;
  bodies.push(sandboxCaller.bodies, productionCaller.bodies);
  providers = distinctiveProviderInputs(server.sandbox.clouds);
  admin = await server.token({ roles: ["admin"] });
  stores = server.sandbox.runtime.services.stores;
  await server.waitForJob(server.sandbox.backfill.id);
}, 120_000);

afterAll(async () => {
  await production?.stop();
  await server?.stop();
});

const storedClientIds = async () =>
  (await stores.clients.list({ size: 100, backward: false })).items.map((client) => client.id);

describe("createClient", () => {
  it("creates a client for an admin, generating an id when none is given", async () => {
    const { body } = await call(
      CreateClientDocument,
      { input: { name: "  Generated Ltd ", reportingCurrency: "EUR" } },
      admin,
    );
    expect(body.errors).toBeUndefined();
    const created = body.data!.createClient;
    expect(created.id).toMatch(/^cl-[0-9a-f]{12}$/);
    expect(created).toMatchObject({ name: "Generated Ltd", reportingCurrency: "EUR" });
    expect(await stores.clients.get(created.id)).toMatchObject({
      name: "Generated Ltd",
      reportingCurrency: "EUR",
    });

    const named = await call(
      CreateClientDocument,
      { input: { id: "initech", name: "Initech", reportingCurrency: "USD" } },
      admin,
    );
    expect(named.body.data?.createClient.id).toBe("initech");
    expect(await stores.clients.get("initech")).toMatchObject({ name: "Initech" });
  });

  it("refuses editors and viewers (FORBIDDEN) and callers without a token (UNAUTHENTICATED), writing nothing", async () => {
    const before = await storedClientIds();
    const editor = await server.token({ roles: ["editor"], clientIds: ["initech"] });
    const viewer = await server.token({ roles: ["viewer"], clientIds: ["initech"] });
    const attempts = [
      { token: editor, code: "FORBIDDEN" },
      { token: viewer, code: "FORBIDDEN" },
      { token: undefined, code: "UNAUTHENTICATED" },
    ];
    for (const { token, code } of attempts) {
      const { body } = await call(
        CreateClientDocument,
        { input: { id: "not-by-you", name: "Sneaky", reportingCurrency: "USD" } },
        token,
      );
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.[0]?.extensions?.code).toBe(code);
    }
    expect(await stores.clients.get("not-by-you")).toBeNull();
    expect(await storedClientIds()).toEqual(before);
  });

  it("answers CONFLICT for an id that exists, keeping the stored client", async () => {
    const { body } = await call(
      CreateClientDocument,
      { input: { id: "initech", name: "Impostor", reportingCurrency: "GBP" } },
      admin,
    );
    expect(body.errors?.[0]?.extensions?.code).toBe("CONFLICT");
    expect(body.errors?.[0]?.message).toContain('"initech" already exists');
    expect(await stores.clients.get("initech")).toMatchObject({ name: "Initech", reportingCurrency: "USD" });
  });

  it.each([
    { field: "input.reportingCurrency", input: { id: "bad-currency", name: "X", reportingCurrency: "XYZ" } },
    { field: "input.id", input: { id: "a#b", name: "X", reportingCurrency: "USD" } },
    { field: "input.name", input: { id: "empty-name", name: "", reportingCurrency: "USD" } },
    { field: "input.name", input: { id: "blank-name", name: "   ", reportingCurrency: "USD" } },
  ])("refuses $input with BAD_USER_INPUT naming $field, writing nothing", async ({ field, input }) => {
    const before = await storedClientIds();
    const { body } = await call(CreateClientDocument, { input }, admin);
    expect(body.data ?? null).toBeNull();
    const [error] = body.errors ?? [];
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field });
    expect(error?.message.startsWith(`${field}: `)).toBe(true);
    expect(await storedClientIds()).toEqual(before);
  });
});

describe("connectProvider", () => {
  beforeAll(async () => {
    await createClient(call, admin, "acme");
  });

  const connections = async (clientId: string) =>
    (await stores.connections.listByClient(clientId)).map((c) => c.provider).sort();

  it("connects each cloud for the client's editor, checked HEALTHY against its simulator", async () => {
    const editor = await server.token({ roles: ["editor"], clientIds: ["acme"] });
    for (const provider of ["AWS", "GCP", "AZURE"] as const) {
      const { body } = await call(
        ConnectProviderDocument,
        { input: { clientId: "acme", ...providers.inputs[provider] } },
        editor,
      );
      expect(body.errors).toBeUndefined();
      const connection = body.data!.connectProvider;
      expect(connection).toMatchObject({
        clientId: "acme",
        provider,
        health: "HEALTHY",
        lastHealthError: null,
      });
      expect(connection.endpoint).toBe(server.sandbox.clouds.endpoints[provider]);
      expect(Date.parse(connection.lastHealthCheckAt!)).not.toBeNaN();
    }
    expect(await connections("acme")).toEqual(["AWS", "AZURE", "GCP"]);
  });

  it("lists the connections with masked credential summaries and no secret", async () => {
    const viewer = await server.token({ roles: ["viewer"], clientIds: ["acme"] });
    const { body } = await call(ClientConnectionsDocument, { clientId: "acme" }, viewer);
    expect(body.errors).toBeUndefined();
    const listed = body.data!.client!.connections;
    expect(listed.map((c) => c.provider).sort()).toEqual(["AWS", "AZURE", "GCP"]);
    const aws = listed.find((c) => c.provider === "AWS")!;
    expect(aws.credentialSummary).toMatch(/^access key AKIA\*{4}[A-Z0-9]{4}$/);
    expectNoSecretIn([JSON.stringify(body)], providers.secrets);
  });

  it("refuses another tenant's editor and the client's viewer (FORBIDDEN), writing nothing", async () => {
    await createClient(call, admin, "globex");
    const otherEditor = await server.token({ roles: ["editor"], clientIds: ["acme"] });
    const viewer = await server.token({ roles: ["viewer"], clientIds: ["globex"] });
    for (const token of [otherEditor, viewer]) {
      const { body } = await call(
        ConnectProviderDocument,
        { input: { clientId: "globex", ...providers.inputs.AWS } },
        token,
      );
      expect(body.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    }
    const anonymous = await call(ConnectProviderDocument, {
      input: { clientId: "globex", ...providers.inputs.AWS },
    });
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect(await connections("globex")).toEqual([]);
  });

  it("requires exactly one of aws, gcp and azure", async () => {
    const { AWS, GCP } = providers.inputs;
    for (const input of [{ clientId: "globex" }, { clientId: "globex", aws: AWS.aws, gcp: GCP.gcp }]) {
      const { body } = await call(ConnectProviderDocument, { input }, admin);
      expect(body.errors?.[0]?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input" });
      expect(body.errors?.[0]?.message).toMatch(/exactly one of aws, gcp and azure/);
    }
    expect(await connections("globex")).toEqual([]);
  });

  const canary = "LeakCanaryTooShortSecret";
  it.each([
    {
      field: "input.aws.secretAccessKey",
      message: /^input\.aws\.secretAccessKey: must be 40 characters/,
      cloud: (): Omit<ConnectProviderInput, "clientId"> => ({
        ...providers.inputs.AWS,
        aws: { accessKeyId: "AKIAE2EBADSECRET0001", secretAccessKey: canary },
      }),
    },
    {
      field: "input.azure.tenantId",
      message: /^input\.azure\.tenantId: must be a GUID.*; input\.azure\.clientSecret: must not be empty/,
      cloud: () => ({
        ...providers.inputs.AZURE,
        azure: { ...providers.inputs.AZURE.azure!, tenantId: canary, clientSecret: "" },
      }),
    },
    {
      field: "input.gcp.serviceAccountKeyJson",
      message: /^input\.gcp\.serviceAccountKeyJson: private_key: must be a PEM private key/,
      cloud: () => {
        const gcp = providers.inputs.GCP.gcp!;
        const key = JSON.parse(gcp.serviceAccountKeyJson) as object;
        const badKey = `-----BEGIN PRIVATE KEY-----\n${canary}!\n-----END PRIVATE KEY-----\n`;
        const serviceAccountKeyJson = JSON.stringify({ ...key, private_key: badKey });
        return { ...providers.inputs.GCP, gcp: { ...gcp, serviceAccountKeyJson } };
      },
    },
  ])("refuses malformed credentials naming the exact field $field, never echoing a value", async (bad) => {
    const { body } = await call(
      ConnectProviderDocument,
      { input: { clientId: "globex", ...bad.cloud() } },
      admin,
    );
    const [error] = body.errors ?? [];
    expect(body.errors).toHaveLength(1);
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: bad.field });
    expect(error?.message).toMatch(bad.message);
    expectNoSecretIn([JSON.stringify(body), ...server.logs], [canary]);
    expect(await connections("globex")).toEqual([]);
  });

  it("refuses a custom endpoint in production unless ALLOW_CUSTOM_PROVIDER_ENDPOINTS is set, storing nothing", async () => {
    const productionAdmin = await production.token({ roles: ["admin"] });
    await createClient(callProduction, productionAdmin, "umbrella");
    const { body } = await callProduction(
      ConnectProviderDocument,
      { input: { clientId: "umbrella", ...providers.inputs.AWS } },
      productionAdmin,
    );
    const [error] = body.errors ?? [];
    expect(error?.extensions).toMatchObject({ code: "BAD_USER_INPUT", field: "input.endpoint" });
    expect(error?.message).toContain("ALLOW_CUSTOM_PROVIDER_ENDPOINTS=1");
    expect(await production.stores.connections.listByClient("umbrella")).toEqual([]);
  });

  it("answers introspection to the sandbox's printed viewer token, and in production to admins only", async () => {
    const introspect = "{ __schema { queryType { name } } }";
    const { viewerToken, adminToken } = server.sandbox;
    for (const token of [viewerToken, adminToken]) {
      const { status, body } = await call(introspect, {}, token);
      expect({ status, data: body.data }).toEqual({
        status: 200,
        data: { __schema: { queryType: { name: "Query" } } },
      });
    }
    const viewer = await production.token({ roles: ["viewer"], clientIds: ["umbrella"] });
    const refused = await callProduction(introspect, {}, viewer);
    expect(refused.status).toBe(403);
    expect(refused.body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
      ["FORBIDDEN", "introspection is answered to admins only on this server"],
    ]);
    const admitted = await callProduction(introspect, {}, await production.token({ roles: ["admin"] }));
    expect(admitted.body.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });

  it("never sends a secret back in any response body, nor writes one to any log line", () => {
    const responses = bodies.flat();
    expect(responses.length).toBeGreaterThan(20);
    expectNoSecretIn([...responses, ...server.logs, ...production.logs], providers.secrets);
  });
});
