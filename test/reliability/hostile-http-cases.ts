/** Hostile HTTP requests broken below GraphQL: bodies, content types, batches, methods, tokens. */
import type { CaseContext, HttpCase } from "./hostile-cases.js";

export function httpCases(ctx: CaseContext): HttpCase[] {
  const op = (query: string) => JSON.stringify({ query });
  const small = op("{ clients { edges { cursor } } }");
  return [
    { name: "malformed JSON", body: small.slice(0, -2), status: 400 },
    { name: "JSON with trailing garbage", body: `${small} xyz`, status: 400 },
    { name: "empty body", body: "", status: 400 },
    { name: "a JSON string", body: '"{ clients { edges { cursor } } }"', status: 400 },
    { name: "JSON null", body: "null", status: 400 },
    { name: "query is a number", body: JSON.stringify({ query: 42 }), status: 400 },
    { name: "no query", body: JSON.stringify({ variables: {} }), status: 400 },
    {
      name: "variables not an object",
      body: JSON.stringify({ query: "{ __typename }", variables: [1] }),
      status: 400,
    },
    { name: "text/plain", body: small, contentType: "text/plain", status: 400 },
    {
      name: "form encoded",
      body: "query=%7B__typename%7D",
      contentType: "application/x-www-form-urlencoded",
      status: 400,
    },
    {
      name: "multipart",
      body: "--b\r\n\r\n{}\r\n--b--",
      contentType: "multipart/form-data; boundary=b",
      status: 400,
    },
    { name: "XML", body: "<query>{ __typename }</query>", contentType: "application/xml", status: 400 },
    { name: "invalid UTF-8", body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), status: 400 },
    { name: "a 150 kB query", body: op(`{ __typename } # ${"x".repeat(150_000)}`), status: 413 },
    {
      name: "a 120 kB variable",
      body: JSON.stringify({
        query: "query($id: ID!) { client(id: $id) { id } }",
        variables: { id: "y".repeat(120_000) },
      }),
      status: 413,
    },
    {
      name: "nesting 40,000 deep",
      body: `{"query":"query($f: CostFilterInput) { __typename }","variables":{"f":${"[".repeat(40_000)}${"]".repeat(40_000)}}}`,
    },
    {
      name: "a batch of two",
      body: JSON.stringify([{ query: "{ __typename }" }, { query: "{ __typename }" }]),
      status: 400,
    },
    {
      name: "a batch of 200",
      body: JSON.stringify(
        Array.from({ length: 200 }, () => ({ query: "{ clients { edges { cursor } } }" })),
      ),
      status: 400,
    },
    {
      name: "a mutation over GET",
      method: "GET",
      search: `?query=${encodeURIComponent(`mutation { createClient(input: { name: "x", reportingCurrency: "USD" }) { id } }`)}`,
      status: 405,
    },
    {
      name: "GET with broken variables",
      method: "GET",
      search: "?query=%7B__typename%7D&variables=%7Bbad",
      status: 400,
    },
    {
      name: "operationName naming no operation",
      body: JSON.stringify({ query: "query A { __typename }", operationName: "B" }),
      status: 400,
      names: /B/,
    },
    {
      name: "a subscription over HTTP",
      body: op(`subscription { collectionJobUpdated(clientId: "${ctx.tenant}") { id } }`),
    },
    {
      name: "Basic auth",
      body: small,
      authorization: "Basic YWRtaW46YWRtaW4=",
      status: 401,
      names: /Bearer/,
    },
    {
      name: "a token signed with another key",
      body: small,
      authorization: `Bearer ${ctx.tokens.forged}`,
      status: 401,
    },
    {
      name: "an unsigned token (alg none)",
      body: small,
      authorization: `Bearer ${ctx.tokens.unsigned}`,
      status: 401,
    },
    { name: "an expired token", body: small, authorization: `Bearer ${ctx.tokens.expired}`, status: 401 },
    {
      name: "a token without a known role",
      body: small,
      authorization: `Bearer ${ctx.tokens.roleless}`,
      status: 401,
    },
    {
      name: "a token without exp",
      body: small,
      authorization: `Bearer ${ctx.tokens.noExpiry}`,
      status: 401,
      names: /no exp/,
    },
    {
      name: "a token living 30 days",
      body: small,
      authorization: `Bearer ${ctx.tokens.longLived}`,
      status: 401,
      names: /lifetime exceeds/,
    },
    { name: "a 10 kB bearer", body: small, authorization: `Bearer ${"a".repeat(10_240)}`, status: 401 },
  ];
}
