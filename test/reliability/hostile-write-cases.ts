/**
 * Hostile mutations and subscriptions (bad inputs, credentials and endpoints, forbidden ids) and
 * query abuse (too deep, too wide, aliases, directives, tokens, fragment cycles, broken syntax).
 */
import {
  BAD_IDS,
  CONNECT,
  COST_CHANGES,
  CREATE,
  CLIENTS,
  JOB_UPDATES,
  PERIOD,
  INTROSPECTION,
  RATES,
  TEN_KB,
  TEST_CONNECTION,
  TRIGGER,
  type CaseContext,
  type OperationCase,
} from "./hostile-cases.js";

export function writeCases(ctx: CaseContext): OperationCase[] {
  const id = ctx.tenant;
  const editor = { role: "editor" as const };
  const admin = { role: "admin" as const };
  return [
    {
      name: "trigger with a key separator in input.clientId",
      query: TRIGGER,
      variables: { input: { clientId: `${id}#LOCK`, period: PERIOD } },
      ...editor,
      names: /input\.clientId/,
    },
    {
      name: "trigger with a reversed period",
      query: TRIGGER,
      variables: { input: { clientId: id, period: { start: "2026-01-31", end: "2026-01-01" } } },
      ...editor,
      names: /input\.period\.end/,
    },
    {
      name: "trigger over 10 years",
      query: TRIGGER,
      variables: { input: { clientId: id, period: { start: "2016-01-01", end: "2025-12-31" } } },
      ...editor,
      names: /input\.period/,
    },
    {
      name: "trigger into the future",
      query: TRIGGER,
      variables: { input: { clientId: id, period: { start: "2026-01-01", end: "2099-12-31" } } },
      ...editor,
      names: /input\.period/,
    },
    {
      name: "trigger with no provider",
      query: TRIGGER,
      variables: { input: { clientId: id, providers: [], period: PERIOD } },
      ...editor,
      names: /input\.providers/,
    },
    {
      name: "trigger with a lowercase provider",
      query: TRIGGER,
      variables: { input: { clientId: id, providers: ["aws"], period: PERIOD } },
      ...editor,
      names: /providers/,
    },
    ...[
      ["a 10 kB name", { name: TEN_KB, reportingCurrency: "USD" }, /input\.name/],
      ["a blank name", { name: "   ", reportingCurrency: "USD" }, /input\.name/],
      ["an unknown currency", { name: "Hostile", reportingCurrency: "XXX" }, /input\.reportingCurrency/],
      ["a lowercase currency", { name: "Hostile", reportingCurrency: "usd" }, /input\.reportingCurrency/],
      ["a path as id", { id: "../../etc", name: "Hostile", reportingCurrency: "USD" }, /input\.id/],
      ["a key as id", { id: "CLIENT#x", name: "Hostile", reportingCurrency: "USD" }, /input\.id/],
    ].map(([what, input, names]) => ({
      name: `createClient with ${what as string}`,
      query: CREATE,
      variables: { input },
      ...admin,
      names: names as RegExp,
    })),
    {
      name: "connect two clouds at once",
      query: CONNECT,
      variables: { input: { clientId: id, ...ctx.inputs.AWS, azure: ctx.inputs.AZURE.azure } },
      ...editor,
      names: /input/,
    },
    {
      name: "connect with a malformed access key id (and a real-looking secret)",
      query: CONNECT,
      variables: {
        input: {
          clientId: id,
          ...ctx.inputs.AWS,
          aws: { ...(ctx.inputs.AWS.aws as object), accessKeyId: "not-a-key" },
        },
      },
      ...editor,
      names: /accessKeyId/,
    },
    {
      name: "connect with a file: endpoint",
      query: CONNECT,
      variables: { input: { clientId: id, ...ctx.inputs.AWS, endpoint: "file:///etc/passwd" } },
      ...editor,
      names: /endpoint/,
    },
    {
      name: "connect with user info in the endpoint",
      query: CONNECT,
      variables: { input: { clientId: id, ...ctx.inputs.AWS, endpoint: "http://root:hunter2@127.0.0.1:1" } },
      ...editor,
      names: /endpoint/,
    },
    ...[
      ["the instance-metadata address", "http://169.254.169.254/latest/meta-data"],
      ["an IPv4-mapped metadata address", "http://[::ffff:169.254.169.254]"],
      ["an IPv6 link-local address", "http://[fe80::1]:8080"],
      ["EC2's IPv6 metadata address", "http://[fd00:ec2::254]"],
      ["GCP's metadata host name", "http://metadata.google.internal/computeMetadata/v1"],
    ].flatMap(([what, endpoint]) => [
      {
        name: `connect with ${what!} as endpoint`,
        query: CONNECT,
        variables: { input: { clientId: id, ...ctx.inputs.AWS, endpoint } },
        ...editor,
        names: /input\.endpoint: .*(link-local|instance-metadata)/,
      },
      {
        name: `testConnection with ${what!} as endpoint`,
        query: TEST_CONNECTION,
        variables: { input: { clientId: id, ...ctx.inputs.GCP, endpoint } },
        ...editor,
        names: /input\.endpoint: .*(link-local|instance-metadata)/,
      },
    ]),
    {
      name: "connect over the working link with an endpoint nothing answers on",
      query: CONNECT,
      // GCP: its health check makes one attempt, so the refusal is quick.
      variables: { input: { clientId: id, ...ctx.inputs.GCP, endpoint: "http://127.0.0.1:9" } },
      ...editor,
      names: /failed their health check, so the stored connection was kept unchanged/,
    },
    {
      name: "testConnection as a viewer",
      query: TEST_CONNECTION,
      variables: { input: { clientId: id, ...ctx.inputs.AWS } },
      names: /editor or admin/,
    },
    {
      name: "testConnection with two clouds",
      query: TEST_CONNECTION,
      variables: { input: { clientId: id, ...ctx.inputs.AWS, ...ctx.inputs.GCP } },
      ...editor,
      names: /input/,
    },
    { name: "introspection as a viewer", query: INTROSPECTION, names: /introspection/ },
    { name: "introspection as an editor", query: INTROSPECTION, ...editor, names: /introspection/ },
    {
      name: "connect with a key file that is not JSON",
      query: CONNECT,
      variables: {
        input: {
          clientId: id,
          ...ctx.inputs.GCP,
          gcp: { ...(ctx.inputs.GCP.gcp as object), serviceAccountKeyJson: "{not json" },
        },
      },
      ...editor,
      names: /gcp/,
    },
    ...[
      ["a negative rate", { month: "2026-01", from: "EUR", to: "USD", rate: -1, source: "x" }, /rate/],
      ["month 13", { month: "2026-13", from: "EUR", to: "USD", rate: 1.1, source: "x" }, /month/],
      ["an unknown currency", { month: "2026-01", from: "EUR", to: "ZZZ", rate: 1.1, source: "x" }, /to/],
    ].map(([what, rate, names]) => ({
      name: `setExchangeRates with ${what as string}`,
      query: RATES,
      variables: { rates: [rate] },
      ...admin,
      names: names as RegExp,
    })),
    ...BAD_IDS.slice(0, 3).map(([what, value]) => ({
      name: `costRecordChanged(clientId) ${what}`,
      query: COST_CHANGES,
      variables: { id: value },
      names: /clientId/,
      transports: ["ws"] as const,
    })),
    {
      name: "collectionJobUpdated(clientId) lone surrogate",
      query: JOB_UPDATES,
      variables: { id: "a\uDFFF" },
      names: /clientId/,
      transports: ["ws"] as const,
    },
    {
      name: "costRecordChanged with an unknown provider",
      query: COST_CHANGES,
      variables: { id, providers: ["IBM"] },
      names: /providers/,
      transports: ["ws"] as const,
    },
    { name: "no token", query: CLIENTS, role: "anonymous", names: /authenticated/, transports: ["http"] },
    ...abuseCases(id),
  ];
}

/** Queries that are too deep, too wide, too many aliases, directives or tokens, or self-referencing. */
function abuseCases(id: string): OperationCase[] {
  const nested = (depth: number) => `${"{ a ".repeat(depth)}${"}".repeat(depth)}`;
  const aliases = (n: number) =>
    `{ ${Array.from({ length: n }, (_, i) => `a${i}: client(id: "${id}") { id }`).join(" ")} }`;
  const heavy = Array.from(
    { length: 12 },
    (_, i) =>
      `r${i}: costRecords(period: { start: "2025-01-01", end: "2025-12-31" }, first: 100) { edges { node { services { name category cost { amount currency } } accounts { id name cost { amount } } regions { region cost { amount } } } } }`,
  ).join(" ");
  return [
    { name: "12 levels deep", query: nested(12), names: /depth|Cannot query/ },
    { name: "60 aliases of one field", query: aliases(60), names: /[Aa]lias/ },
    {
      name: "3,000 repeated fields",
      query: `{ ${"__typename ".repeat(3_000)}}`,
      names: /[Tt]oken/,
    },
    {
      name: "50 directives",
      query: `{ __typename ${"@skip(if: false) ".repeat(50)}}`,
      names: /[Dd]irective/,
    },
    {
      name: "costly aliases",
      query: `{ client(id: "${id}") { ${heavy} } }`,
      names: /[Cc]ost|[Aa]lias|[Dd]epth/,
    },
    {
      name: "fragment cycle",
      query: `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
      names: /cycle|spread/i,
    },
    {
      name: "unterminated string",
      query: `{ client(id: "${id}) { id } }`,
      names: /[Ss]yntax|[Uu]nterminated/,
    },
    {
      name: "NUL in the document",
      query: `{ client(id: "${id}") { id \u0000 } }`,
      names: /[Ss]yntax|[Ii]nvalid/,
    },
    {
      name: "two operations without a name",
      query: `query A { __typename } query B { __typename }`,
      names: /operation/i,
    },
  ];
}
