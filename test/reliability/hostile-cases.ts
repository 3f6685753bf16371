/**
 * The hostile requests of hostile-input.test.ts, as data. This file: the case types, the
 * operations they abuse, and the bad reads (ids, days, ranges, paging, cursors, enums, filters),
 * each naming the field its error must name. hostile-write-cases.ts has the mutations,
 * subscriptions and query abuse, hostile-http-cases.ts the requests broken below GraphQL.
 */
import type { CloudProvider } from "../../src/domain/provider.js";

export type CallerRole = "admin" | "editor" | "viewer" | "anonymous";

export interface OperationCase {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  role?: CallerRole;
  /** The error message must match this (the field it is about). */
  names?: RegExp;
  /** Default: both. Subscriptions only exist over WebSocket. */
  transports?: readonly ("http" | "ws")[];
}

export interface HttpCase {
  name: string;
  method?: "GET" | "POST";
  /** Appended to /graphql for GET. */
  search?: string;
  body?: string | Buffer;
  contentType?: string;
  /** A raw Authorization header (else the admin's bearer token). */
  authorization?: string;
  /** The status expected (default: any 4xx). */
  status?: number;
  names?: RegExp;
}

/** Values the cases need from the running service. */
export interface CaseContext {
  tenant: string;
  /** A genuine `clients` cursor, to truncate, tamper with and replay elsewhere. */
  clientsCursor: string;
  inputs: Record<CloudProvider, Record<string, unknown>>;
  tokens: {
    forged: string;
    unsigned: string;
    expired: string;
    roleless: string;
    /** Signed with the server's key, an admin's claims and no `exp`. */
    noExpiry: string;
    /** Signed with the server's key, good for 30 days (the production maximum is 24 h). */
    longLived: string;
  };
}

export const PERIOD = { start: "2026-01-01", end: "2026-01-31" };
export const TEN_KB = "x".repeat(10_240);

const SUMMARY = `query Summary($id: ID!, $period: DateRangeInput!) {
  client(id: $id) { costSummary(period: $period) { total { amount } } } }`;
const RECORDS = `query Records($id: ID!, $period: DateRangeInput!, $first: Int, $after: String) {
  client(id: $id) { costRecords(period: $period, first: $first, after: $after) { edges { cursor } } } }`;
export const CLIENTS = `query Clients($first: Int, $after: String) { clients(first: $first, after: $after) { edges { cursor } } }`;
const BREAKDOWN = `query Breakdown($id: ID!, $period: DateRangeInput!, $by: CostDimension!, $top: Int, $filter: CostFilterInput) {
  client(id: $id) { costBreakdown(period: $period, by: $by, top: $top, filter: $filter) { key } } }`;
const SERIES = `query Series($id: ID!, $period: DateRangeInput!, $granularity: Granularity) {
  client(id: $id) { costTimeSeries(period: $period, granularity: $granularity) { key } } }`;
const PORTFOLIO = `query Portfolio($period: DateRangeInput!, $providers: [CloudProvider!], $orderBy: PortfolioOrder, $first: Int, $after: String) {
  portfolio(period: $period, providers: $providers, orderBy: $orderBy, first: $first, after: $after) { edges { cursor } } }`;
const PROVIDER_COSTS = `query ProviderCosts($provider: CloudProvider!, $period: DateRangeInput!, $granularity: Granularity, $top: Int) {
  providerCosts(provider: $provider, period: $period, granularity: $granularity, top: $top) { date } }`;
const CLIENT = `query Client($id: ID!) { client(id: $id) { id name } }`;
const JOB = `query Job($id: ID!) { collectionJob(id: $id) { id } }`;
const JOBS = `query Jobs($id: ID!, $first: Int, $after: String) {
  client(id: $id) { collectionJobs(first: $first, after: $after) { edges { cursor } } } }`;
export const TRIGGER = `mutation Trigger($input: TriggerCollectionInput!) { triggerCollection(input: $input) { id } }`;
export const CREATE = `mutation Create($input: CreateClientInput!) { createClient(input: $input) { id } }`;
export const CONNECT = `mutation Connect($input: ConnectProviderInput!) { connectProvider(input: $input) { provider } }`;
export const TEST_CONNECTION = `mutation Test($input: TestConnectionInput!) { testConnection(input: $input) { health message } }`;
export const INTROSPECTION = `query Schema { __schema { types { name } } }`;
export const RATES = `mutation Rates($rates: [ExchangeRateInput!]!) { setExchangeRates(rates: $rates) }`;
export const COST_CHANGES = `subscription Changes($id: ID!, $providers: [CloudProvider!]) {
  costRecordChanged(clientId: $id, providers: $providers) { eventId } }`;
export const JOB_UPDATES = `subscription Jobs($id: ID!) { collectionJobUpdated(clientId: $id) { id } }`;

/** Ids that must never reach a key: separators, paths, huge, invisible and broken unicode. */
export const BAD_IDS: [string, string][] = [
  ["key separator", "acme#COST#AWS"],
  ["another tenant's partition key", "CLIENT#acme"],
  ["path traversal", "../acme"],
  ["absolute path", "/etc/passwd"],
  ["10 kB", TEN_KB],
  ["RTL mark", "acme\u200F"],
  ["NUL", "acme\u0000"],
  ["emoji", "acme😀"],
  ["lone surrogate", "acme\uD800"],
  ["empty", ""],
  ["spaces", "  acme  "],
];

const BAD_DAYS: [string, unknown][] = [
  ["impossible day", "2026-02-30"],
  ["month 13", "2026-13-01"],
  ["day zero", "0000-00-00"],
  ["unpadded", "2026-1-5"],
  ["an instant", "2026-01-01T00:00:00Z"],
  ["a number", 20260101],
  ["five-digit year", "12026-01-01"],
  ["RTL-marked", "\u200F2026-01-01"],
];

export function readCases(ctx: CaseContext): OperationCase[] {
  const id = ctx.tenant;
  const cursor = ctx.clientsCursor;
  const [cursorBody = "", cursorSignature = ""] = cursor.split(".");
  const forgedBody = Buffer.from(JSON.stringify(["clients", "zzz"])).toString("base64url");
  return [
    ...BAD_IDS.map(([what, value]) => ({
      name: `client(id) ${what}`,
      query: CLIENT,
      variables: { id: value },
      names: /\bid\b/,
    })),
    ...BAD_IDS.slice(0, 4).map(([what, value]) => ({
      name: `collectionJob(id) ${what}`,
      query: JOB,
      variables: { id: value },
      names: /\bid\b/,
    })),
    ...BAD_DAYS.map(([what, value]) => ({
      name: `period.start ${what}`,
      query: SUMMARY,
      variables: { id, period: { ...PERIOD, start: value } },
      names: /period/,
    })),
    {
      name: "impossible day as a literal",
      query: `{ client(id: "${id}") { costSummary(period: { start: "2026-02-30", end: "2026-03-01" }) { total { amount } } } }`,
      names: /Date/,
    },
    {
      name: "reversed range",
      query: SUMMARY,
      variables: { id, period: { start: "2026-03-01", end: "2026-01-01" } },
      names: /period\.end/,
    },
    {
      name: "oversized range (30 years)",
      query: RECORDS,
      variables: { id, period: { start: "1996-01-01", end: "2026-01-01" } },
      names: /period/,
    },
    {
      name: "daily series over 3 years",
      query: SERIES,
      variables: { id, period: { start: "2023-01-01", end: "2025-12-31" }, granularity: "DAILY" },
      names: /period/,
    },
    {
      name: "period missing end",
      query: SUMMARY,
      variables: { id, period: { start: "2026-01-01" } },
      names: /end/,
    },
    {
      name: "period with an unknown field",
      query: SUMMARY,
      variables: { id, period: { ...PERIOD, timezone: "Europe/Berlin" } },
      names: /timezone/,
    },
    { name: "period as a string", query: SUMMARY, variables: { id, period: "2026-01" }, names: /period/ },
    ...[-1, 101, 1_000_000, 2 ** 31, 1.5, "10"].map((first) => ({
      name: `clients(first: ${JSON.stringify(first)})`,
      query: CLIENTS,
      variables: { first },
      names: /first/,
    })),
    {
      name: "costRecords(first: -5)",
      query: RECORDS,
      variables: { id, period: PERIOD, first: -5 },
      names: /first/,
    },
    { name: "collectionJobs(first: 5000)", query: JOBS, variables: { id, first: 5000 }, names: /first/ },
    { name: "forged cursor", query: CLIENTS, variables: { after: "abc" }, names: /after/ },
    { name: "truncated cursor", query: CLIENTS, variables: { after: cursor.slice(0, 20) }, names: /after/ },
    {
      name: "cursor with another body under the genuine signature",
      query: CLIENTS,
      variables: { after: `${forgedBody}.${cursorSignature}` },
      names: /after/,
    },
    {
      name: "cursor with an extra segment",
      query: CLIENTS,
      variables: { after: `${cursorBody}.${cursorSignature}.x` },
      names: /after/,
    },
    {
      name: "clients cursor replayed on cost records",
      query: RECORDS,
      variables: { id, period: PERIOD, after: cursor },
      names: /after/,
    },
    { name: "10 kB cursor", query: CLIENTS, variables: { after: TEN_KB }, names: /after/ },
    ...["COLOR", "service", ""].map((by) => ({
      name: `unknown dimension ${JSON.stringify(by)}`,
      query: BREAKDOWN,
      variables: { id, period: PERIOD, by },
      names: /by/,
    })),
    {
      name: "unknown enum as a literal",
      query: `{ client(id: "${id}") { costBreakdown(period: { start: "2026-01-01", end: "2026-01-02" }, by: COLOR) { key } } }`,
      names: /COLOR/,
    },
    {
      name: "unknown granularity",
      query: SERIES,
      variables: { id, period: PERIOD, granularity: "HOURLY" },
      names: /granularity/,
    },
    ...[0, -5, 100_000].map((top) => ({
      name: `top: ${top}`,
      query: BREAKDOWN,
      variables: { id, period: PERIOD, by: "SERVICE", top },
      names: /top/,
    })),
    ...BAD_DAYS.slice(0, 3).map(([what, value]) => ({
      name: `portfolio period.end ${what}`,
      query: PORTFOLIO,
      variables: { period: { ...PERIOD, end: value } },
      names: /period/,
    })),
    {
      name: "portfolio over 30 years",
      query: PORTFOLIO,
      variables: { period: { start: "1996-01-01", end: "2026-01-01" } },
      names: /period/,
    },
    ...[-1, 101].map((first) => ({
      name: `portfolio(first: ${first})`,
      query: PORTFOLIO,
      variables: { period: PERIOD, first },
      names: /first/,
    })),
    {
      name: "clients cursor replayed on the portfolio",
      query: PORTFOLIO,
      variables: { period: PERIOD, after: cursor },
      names: /after/,
    },
    {
      name: "portfolio with an unknown order",
      query: PORTFOLIO,
      variables: { period: PERIOD, orderBy: "PROFIT" },
      names: /orderBy/,
    },
    {
      name: "portfolio with an unknown provider",
      query: PORTFOLIO,
      variables: { period: PERIOD, providers: ["AWS", "ORACLE"] },
      names: /providers/,
    },
    {
      name: "providerCosts without a provider",
      query: PROVIDER_COSTS,
      variables: { period: PERIOD },
      names: /provider/,
    },
    {
      name: "providerCosts daily over 3 years",
      query: PROVIDER_COSTS,
      variables: { provider: "AWS", period: { start: "2023-01-01", end: "2025-12-31" } },
      names: /period/,
    },
    ...[0, 1001].map((top) => ({
      name: `providerCosts(top: ${top})`,
      query: PROVIDER_COSTS,
      variables: { provider: "GCP", period: PERIOD, top },
      names: /top/,
    })),
    {
      name: "providerCosts with an unknown granularity",
      query: PROVIDER_COSTS,
      variables: { provider: "AZURE", period: PERIOD, granularity: "HOURLY" },
      names: /granularity/,
    },
    {
      name: "filter with an unknown provider",
      query: BREAKDOWN,
      variables: { id, period: PERIOD, by: "SERVICE", filter: { providers: ["ORACLE"] } },
      names: /providers/,
    },
    {
      name: "filter with a 10 kB service name",
      query: BREAKDOWN,
      variables: { id, period: PERIOD, by: "SERVICE", filter: { services: [TEN_KB] } },
      names: /filter\.services/,
    },
    {
      name: "filter with 500 account ids",
      query: BREAKDOWN,
      variables: {
        id,
        period: PERIOD,
        by: "ACCOUNT",
        filter: { accountIds: Array.from({ length: 500 }, (_, i) => `acct-${i}`) },
      },
      names: /filter\.accountIds/,
    },
  ];
}
