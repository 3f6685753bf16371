/**
 * A BigQuery REST v2 stand-in for the Cloud Billing export, on loopback, close enough to the wire
 * protocol that @google-cloud/bigquery cannot tell the difference: jobs.query
 * (`POST /projects/{p}/queries`), jobs.getQueryResults (`GET /projects/{p}/queries/{jobId}`) with
 * pageToken paging and jobComplete:false polling, and jobs.insert (`POST /projects/{p}/jobs`).
 * Served under `/bigquery/v2` (the client's apiEndpoint) and at the root (BIGQUERY_EMULATOR_HOST).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { systemClock, type Clock } from "../../shared/clock.js";
import type { BillingDataset } from "../billing-dataset.js";
import { FaultPlan, type Fault } from "../faults.js";
import { answerQuery, type QueryRequest, type QueryResult } from "./billing-export-answers.js";
import {
  BigQueryReplyError,
  accessDenied,
  backendError,
  decodePageToken,
  duplicate,
  encodeRows,
  encodePageToken,
  invalidRequest,
  notFound,
  rateLimitExceeded,
  schemaOf,
  unauthenticated,
} from "./bigquery-wire.js";

/** The export table the sandbox tenant's billing account writes to. */
export const SANDBOX_GCP_BILLING_TABLE =
  "sandbox-billing.billing_export.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9";

export interface GcpSimulatorOptions {
  /** One dataset for every caller, or one per GCP project id the jobs run in. */
  datasets: BillingDataset | Record<string, BillingDataset>;
  port?: number;
  /** `project.dataset.table` the simulated export lives in; other tables are "not found". */
  billingTable?: string;
  /** BigQuery location of the export dataset (default "US"). */
  location?: string;
  /** Cap on rows per page whatever maxResults asks (BigQuery caps a page at 10 MB). */
  maxRowsPerPage?: number;
  /** Replies per job that say jobComplete:false before the results are served (default 0). */
  incompleteReplies?: number;
  /** The simulated "now" (export times are compared with it); default the system clock. */
  now?: Clock;
}

export interface GcpSimulator {
  endpoint: string;
  faults: FaultPlan;
  /** Every HTTP request received, faulted ones included. */
  requestCount(): number;
  stop(): Promise<void>;
}

interface StoredJob {
  projectId: string;
  jobId: string;
  location: string;
  result: QueryResult;
  incompleteReplies: number;
}

const MAX_STORED_JOBS = 500;
const PATH = /^(?:\/bigquery\/v2)?\/projects\/([^/]+)\/(queries|jobs)(?:\/([^/]+))?\/?$/;

export async function startGcpSimulator(options: GcpSimulatorOptions): Promise<GcpSimulator> {
  const faults = new FaultPlan();
  const billingTable = options.billingTable ?? SANDBOX_GCP_BILLING_TABLE;
  const location = options.location ?? "US";
  const maxRowsPerPage = options.maxRowsPerPage ?? 100_000;
  const now = options.now ?? systemClock;
  const jobs = new Map<string, StoredJob>();
  let requests = 0;
  let serverErrors = 0;
  let jobCounter = 0;

  const datasetFor = (projectId: string): BillingDataset => {
    const { datasets } = options;
    const dataset = "linesForDay" in datasets ? (datasets as BillingDataset) : datasets[projectId];
    if (!dataset) {
      throw accessDenied(
        `Access Denied: Project ${projectId}: User does not have bigquery.jobs.create permission in project ${projectId}.`,
      );
    }
    return dataset;
  };

  const runJob = (projectId: string, jobId: string, request: QueryRequest): StoredJob => {
    const jobLocation = typeof request.location === "string" ? request.location : "US";
    const context = { dataset: datasetFor(projectId), billingTable, location, now: now() };
    const job: StoredJob = {
      projectId,
      jobId,
      location: jobLocation,
      result: answerQuery(request, context),
      incompleteReplies: options.incompleteReplies ?? 0,
    };
    jobs.set(`${projectId}/${jobId}`, job);
    if (jobs.size > MAX_STORED_JOBS) jobs.delete(jobs.keys().next().value!);
    return job;
  };

  /** A page of results, or "still running" while the job owes incomplete replies. */
  const resultReply = (
    job: StoredJob,
    kind: string,
    offset: number,
    maxResults: unknown,
    useInt64Timestamp: boolean,
  ) => {
    const jobReference = { projectId: job.projectId, jobId: job.jobId, location: job.location };
    if (job.incompleteReplies > 0) {
      job.incompleteReplies--;
      return { kind, jobReference, jobComplete: false };
    }
    const { columns, rows } = job.result;
    const requested = Number(maxResults);
    const size =
      Number.isInteger(requested) && requested > 0 ? Math.min(requested, maxRowsPerPage) : maxRowsPerPage;
    const page = rows.slice(offset, offset + size);
    const next = offset + size < rows.length ? encodePageToken(job.jobId, offset + size) : undefined;
    return {
      kind,
      schema: schemaOf(columns),
      jobReference,
      totalRows: String(rows.length),
      ...(page.length > 0 ? { rows: encodeRows(columns, page, useInt64Timestamp) } : {}),
      ...(next ? { pageToken: next } : {}),
      totalBytesProcessed: "0",
      jobComplete: true,
      cacheHit: false,
    };
  };

  const jobsQuery = (projectId: string, body: Record<string, unknown>) => {
    const job = runJob(projectId, `job_sim_${++jobCounter}`, body);
    const formatOptions = body.formatOptions as { useInt64Timestamp?: unknown } | undefined;
    return resultReply(
      job,
      "bigquery#queryResponse",
      0,
      body.maxResults,
      formatOptions?.useInt64Timestamp === true,
    );
  };

  const getQueryResults = (projectId: string, jobId: string, query: URLSearchParams) => {
    const job = jobs.get(`${projectId}/${jobId}`);
    const asked = query.get("location");
    if (!job || (asked !== null && asked.toUpperCase() !== job.location.toUpperCase())) {
      throw notFound(`Not found: Job ${projectId}:${asked ?? "US"}.${jobId}`);
    }
    const token = query.get("pageToken");
    const offset = token === null ? 0 : decodePageToken(token, jobId);
    const useInt64Timestamp = query.get("formatOptions.useInt64Timestamp") === "true";
    return resultReply(
      job,
      "bigquery#getQueryResultsResponse",
      offset,
      query.get("maxResults"),
      useInt64Timestamp,
    );
  };

  const jobsInsert = (projectId: string, body: Record<string, unknown>) => {
    const reference = (body.jobReference ?? {}) as { jobId?: unknown; location?: unknown };
    const configuration = (body.configuration ?? {}) as { query?: QueryRequest };
    if (typeof reference.jobId !== "string" || reference.jobId === "") {
      throw invalidRequest("Required parameter is missing: jobReference.jobId");
    }
    const jobLocation = typeof reference.location === "string" ? reference.location : "US";
    if (jobs.has(`${projectId}/${reference.jobId}`)) {
      throw duplicate(`Already Exists: Job ${projectId}:${jobLocation}.${reference.jobId}`);
    }
    if (!configuration.query) throw invalidRequest("Required parameter is missing: configuration.query");
    const job = runJob(projectId, reference.jobId, { ...configuration.query, location: jobLocation });
    const now = String(Date.now());
    return {
      kind: "bigquery#job",
      id: `${projectId}:${jobLocation}.${job.jobId}`,
      jobReference: { projectId, jobId: job.jobId, location: jobLocation },
      configuration: { ...configuration, jobType: "QUERY" },
      status: { state: job.incompleteReplies > 0 ? "RUNNING" : "DONE" },
      statistics: { creationTime: now, startTime: now },
    };
  };

  const route = (request: IncomingMessage, body: Record<string, unknown>) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const [, projectId, collection, id] = PATH.exec(url.pathname) ?? [];
    if (!/^bearer \S+/i.test(request.headers.authorization ?? "")) throw unauthenticated();
    if (projectId && collection === "queries" && request.method === "POST" && !id)
      return jobsQuery(projectId, body);
    if (projectId && collection === "queries" && request.method === "GET" && id) {
      return getQueryResults(projectId, id, url.searchParams);
    }
    if (projectId && collection === "jobs" && request.method === "POST" && !id)
      return jobsInsert(projectId, body);
    throw notFound(`Not found: ${request.method} ${url.pathname}`);
  };

  /** The fault's reply, or undefined when the request should go on (after a "slow" delay). */
  const applyFault = async (
    fault: Required<Fault>,
    request: IncomingMessage,
  ): Promise<BigQueryReplyError | "dropped" | undefined> => {
    switch (fault.kind) {
      case "drop":
        request.socket.destroy();
        return "dropped";
      case "slow":
        await sleep(fault.delayMs);
        return undefined;
      case "throttle":
        return rateLimitExceeded();
      case "server-error":
        return backendError(++serverErrors % 2 === 1 ? 503 : 500);
      case "auth":
        return unauthenticated();
      case "forbidden":
        return accessDenied("Access Denied: Project: User does not have bigquery.jobs.create permission.");
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    requests++;
    const fault = faults.next();
    try {
      const body = await readJson(request);
      const faulted = fault ? await applyFault(fault, request) : undefined;
      if (faulted === "dropped") return;
      if (faulted) throw faulted;
      send(response, 200, route(request, body));
    } catch (error) {
      const reply = error instanceof BigQueryReplyError ? error : backendError(500);
      if (reply.httpStatus === 401)
        response.setHeader(
          "www-authenticate",
          'Bearer realm="https://accounts.google.com/", error="invalid_token"',
        );
      send(response, reply.httpStatus, reply.body);
    }
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) send(response, 500, backendError(500).body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    faults,
    requestCount: () => requests,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    throw invalidRequest("Invalid JSON payload received.");
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=UTF-8" });
  response.end(JSON.stringify(body));
}
