/**
 * GCP costs from the Cloud Billing export in BigQuery, through the official @google-cloud/bigquery
 * client. One parameterized query per calendar month of the period (see billing-export-query.ts);
 * its result pages and, for slow jobs, its completion polls are fetched one request at a time so the
 * project's retry policy wraps each of them and every HTTP request is counted.
 *
 * - The client's own retries are off (autoRetry false, maxRetries 0): one policy decides.
 * - apiRequests counts HTTP requests with a request interceptor on the client, so the polls the
 *   client sends inside `query()` are counted too.
 * - The client has no working per-request timeout nor abort (its fetch layer ignores both), so each
 *   request races a timer and the caller's signal; a request given up on is left to finish unseen.
 * - daysCovered is every day of the period: BigQuery answers for all of them, a day without rows
 *   is a real zero.
 */
import { BigQuery, type BigQueryOptions, type Job, type QueryRowsResponse } from "@google-cloud/bigquery";
import type { AuthClient } from "google-auth-library";
import type { IsoDay } from "../../domain/cost-record.js";
import { addDays, dayOfInstant, daysInRange, isIsoDay, monthOf, monthWindows } from "../../domain/dates.js";
import type { Logger } from "../../observability/logger.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import type {
  CostProviderAdapter,
  DateRange,
  FetchResult,
  HealthCheckResult,
  HistoryLimitAnswer,
} from "../adapter.js";
import { InvalidRequestError, ProviderError, TransientError } from "../errors.js";
import { validatePeriod } from "../period.js";
import type { RetryPolicy } from "../../shared/retry.js";
import {
  DEFAULT_RETRY_POLICY,
  withProviderRetry,
  type ProviderRetryFailure,
  type RetryFailureListener,
} from "../provider-retry.js";
import {
  DAILY_COST_PARAMETER_TYPES,
  EXPORT_FRESHNESS_PARAMETER_TYPES,
  dailyCostsSql,
  exportFirstDaySql,
  exportFreshnessSql,
} from "./billing-export-query.js";
import { toProviderCostLines } from "./billing-export-rows.js";
import { createGcpAuthClient, maskGcpCredentials, type GcpCredentials } from "./gcp-credentials.js";
import {
  bigQueryOperation,
  bigQueryReplyProblem,
  toProviderError,
  type GcpFailureContext,
} from "./gcp-errors.js";

export const GCP_SOURCE_API = "gcp:bigquery:billing-export";
export const DEFAULT_GCP_REQUEST_TIMEOUT_MS = 30_000;
/** Rows per result page (maxResults); BigQuery also ends a page at 10 MB. */
export const DEFAULT_GCP_PAGE_SIZE = 10_000;
/** Each poll waits server-side for the job (about 10 s on BigQuery): this bounds a stuck job. */
const MAX_PENDING_POLLS = 360;
const HEALTH_WINDOW_DAYS = 7;

export interface GcpBillingExportAdapterOptions {
  credentials: GcpCredentials;
  /** A BigQuery-compatible endpoint (the simulator); requests then carry a static sandbox token. */
  endpoint?: string;
  requestTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
  logger?: Logger;
  onRequestFailure?: RetryFailureListener;
  pageSize?: number;
  /** Clock for "today": the estimated (current month) flag and the health check's window. */
  now?: Clock;
}

type QueryParams = Record<string, IsoDay>;
type RequestInterceptor = BigQuery["interceptors"][number];
type ParamTypes = Record<string, "DATE">;

/** A BigQuery client for one call, counting the HTTP requests it sends. */
interface Session {
  bigQuery: BigQuery;
  requests: () => number;
}

export class GcpBillingExportAdapter implements CostProviderAdapter {
  readonly provider = "GCP" as const;
  private readonly authClient: AuthClient;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly failureContext: GcpFailureContext;
  private readonly now: Clock;

  constructor(private readonly options: GcpBillingExportAdapterOptions) {
    this.now = options.now ?? systemClock;
    this.authClient = createGcpAuthClient(options.credentials, options.endpoint !== undefined);
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_GCP_REQUEST_TIMEOUT_MS;
    this.pageSize = options.pageSize ?? DEFAULT_GCP_PAGE_SIZE;
    this.failureContext = {
      billingExportTable: options.credentials.billingExportTable,
      location: options.credentials.location,
    };
  }

  async fetchDailyCosts(period: DateRange, signal?: AbortSignal): Promise<FetchResult> {
    const { start, end } = validatePeriod(period);
    const session = this.openSession();
    const currentMonth = monthOf(dayOfInstant(this.now()));
    const isEstimated = (day: IsoDay) => monthOf(day) >= currentMonth;
    const table = this.options.credentials.billingExportTable;
    const lines = [];
    // One query per calendar month: bounded scans and result sets, and a month is the invoice unit.
    for (const window of monthWindows({ start, end })) {
      const rows = await this.runQuery(
        session,
        dailyCostsSql(table),
        { start: window.start, end: window.end },
        DAILY_COST_PARAMETER_TYPES,
        signal,
      );
      lines.push(...toProviderCostLines(rows, isEstimated));
    }
    this.options.logger?.debug(
      { provider: this.provider, start, end, lines: lines.length, apiRequests: session.requests() },
      "GCP billing export read",
    );
    return {
      lines,
      daysCovered: daysInRange(start, end),
      apiRequests: session.requests(),
      sourceApi: GCP_SOURCE_API,
    };
  }

  /** The table holds what was billed since the export was turned on: nothing older can be collected. */
  async historyLimit(today: IsoDay, signal?: AbortSignal): Promise<HistoryLimitAnswer> {
    const session = this.openSession();
    const table = this.options.credentials.billingExportTable;
    const [row] = await this.runQuery(session, exportFirstDaySql(table), {}, {}, signal);
    const first = (row as { first_usage_date?: { value: string } | null } | undefined)?.first_usage_date;
    if (first && !isIsoDay(first.value)) {
      throw new InvalidRequestError("BigQuery answered the export's first usage day with a non-date value");
    }
    const limit = first
      ? {
          earliest: first.value,
          reason: `the GCP billing export table holds usage from ${first.value}, when the export began`,
        }
      : { earliest: addDays(today, 1), reason: "the GCP billing export table holds no usage yet" };
    return { limit, apiRequests: session.requests() };
  }

  /** One attempt, no retries: reports the state now (reachable table, how fresh the export is). */
  async healthCheck(signal?: AbortSignal): Promise<HealthCheckResult> {
    const session = this.openSession();
    const since = addDays(dayOfInstant(this.now()), -HEALTH_WINDOW_DAYS);
    const noRetry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 1 };
    try {
      const sql = exportFreshnessSql(this.options.credentials.billingExportTable);
      const [row] = await this.runQuery(
        session,
        sql,
        { since },
        EXPORT_FRESHNESS_PARAMETER_TYPES,
        signal,
        noRetry,
      );
      const { last_export_time: last, exported_rows: count } = (row ?? {}) as {
        last_export_time?: { value: string } | null;
        exported_rows?: number;
      };
      const message = last
        ? `billing export readable; last export at ${last.value} (${count ?? 0} rows since ${since})`
        : `billing export readable but no rows were exported since ${since}`;
      return { healthy: true, message, apiRequests: session.requests() };
    } catch (error) {
      const failure = toProviderError(error, this.failureContext);
      return {
        healthy: false,
        message: `${failure.code}: ${failure.message}`,
        apiRequests: session.requests(),
      };
    }
  }

  private openSession(): Session {
    let requests = 0;
    const options: BigQueryOptions = {
      projectId: this.options.credentials.serviceAccountKey.project_id,
      authClient: this.authClient,
      location: this.options.credentials.location,
      autoRetry: false,
      maxRetries: 0,
      ...(this.options.endpoint === undefined ? {} : { apiEndpoint: this.options.endpoint }),
    };
    const bigQuery = new BigQuery(options);
    const countRequest: RequestInterceptor = {
      request: (request) => {
        requests++;
        return request as ReturnType<RequestInterceptor["request"]>;
      },
    };
    bigQuery.interceptors.push(countRequest);
    // Every request of the client and of its jobs (they send through their parent) passes here: an
    // answer that is not BigQuery's becomes our error before the client reads or quotes it.
    const send = bigQuery.request.bind(bigQuery);
    bigQuery.request = (request, callback) =>
      send(request, (error, body, response) => {
        const operation = bigQueryOperation(request.method, request.uri);
        const problem = bigQueryReplyProblem(operation, response?.statusCode, body, Boolean(error));
        if (problem) callback(problem, undefined, response);
        else callback(error, body, response);
      });
    return { bigQuery, requests: () => requests };
  }

  /** All rows of one query; a failure carries the requests the session spent, as each is billed. */
  private async runQuery(
    session: Session,
    query: string,
    params: QueryParams,
    types: ParamTypes,
    signal: AbortSignal | undefined,
    policy?: RetryPolicy,
  ): Promise<unknown[]> {
    try {
      return await this.queryRows(session, query, params, types, signal, policy);
    } catch (error) {
      if (error instanceof ProviderError) error.apiRequests = session.requests();
      throw error;
    }
  }

  /** The first reply, then pending-job polls and pages, each retried alone. */
  private async queryRows(
    session: Session,
    query: string,
    params: QueryParams,
    types: ParamTypes,
    signal: AbortSignal | undefined,
    policy: RetryPolicy = this.options.retryPolicy ?? DEFAULT_RETRY_POLICY,
  ): Promise<unknown[]> {
    const location = this.options.credentials.location;
    const request = (operation: () => Promise<unknown>) =>
      withProviderRetry(
        async () => {
          try {
            // The typings describe the auto-paginated form; with maxResults set the client answers
            // one page at a time: [rows, nextQuery, response].
            return (await this.deadline(operation, signal)) as QueryRowsResponse;
          } catch (error) {
            throw toProviderError(error, this.failureContext);
          }
        },
        { policy, ...(signal ? { signal } : {}), onFailure: (failure) => this.logFailure(failure) },
      );

    // DATE values must be BigQueryDate objects: given a plain string and an explicit DATE type, this
    // client sends the parameter without its value (BigQuery then reads NULL and returns no rows).
    const dates = Object.fromEntries(Object.entries(params).map(([name, day]) => [name, BigQuery.date(day)]));
    let [rows, , response] = await request(() =>
      session.bigQuery.query({ query, params: dates, types, location }, { maxResults: this.pageSize }),
    );
    const all = [...rows];
    const jobReference = response?.jobReference;
    if (!jobReference?.jobId) {
      if (response?.jobComplete === false || response?.pageToken) {
        throw new TransientError("BigQuery answered without a job reference to continue from");
      }
      return all;
    }
    const job: Job = session.bigQuery.job(jobReference.jobId, {
      location: jobReference.location ?? location,
    });
    for (let polls = 0; response?.jobComplete === false || response?.pageToken;) {
      const pending = response.jobComplete === false;
      if (pending && ++polls > MAX_PENDING_POLLS) {
        throw new TransientError(`BigQuery job did not complete after ${MAX_PENDING_POLLS} polls`);
      }
      const pageToken = pending ? undefined : (response.pageToken ?? undefined);
      [rows, , response] = await request(() =>
        job.getQueryResults({ maxResults: this.pageSize, ...(pageToken ? { pageToken } : {}) }),
      );
      all.push(...rows);
    }
    return all;
  }

  /** The request's own timeout and the caller's abort, which the client cannot enforce itself. */
  private deadline<T>(operation: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          finish(() => reject(new TransientError(`BigQuery request timed out after ${this.timeoutMs} ms`))),
        this.timeoutMs,
      );
      const onAbort = () => finish(() => reject(signal?.reason));
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        settle();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      operation().then(
        (value) => finish(() => resolve(value)),
        (error: unknown) => finish(() => reject(error)),
      );
    });
  }

  private logFailure(failure: ProviderRetryFailure): void {
    this.options.onRequestFailure?.(failure);
    this.options.logger?.warn(
      {
        provider: this.provider,
        connection: maskGcpCredentials(this.options.credentials),
        attempt: failure.attempt,
        code: failure.error.code,
        retryInMs: failure.delayMs,
        error: failure.error.message,
      },
      failure.delayMs === undefined ? "GCP request failed" : "GCP request failed, retrying",
    );
  }
}
