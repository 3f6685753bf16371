/**
 * Azure Cost Management through the official SDK (@azure/arm-costmanagement): daily ActualCost per
 * calendar month, in the two queries azure-query-plan.ts explains, each page behind the shared retry
 * policy. The SDK's own retries are off, so every HTTP attempt is ours and counted.
 */
import { CostManagementClient, type QueryDefinition } from "@azure/arm-costmanagement";
import { createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
import type { Logger } from "../../observability/logger.js";
import type { IsoDay, ProviderCostLine } from "../../domain/cost-record.js";
import {
  addDays,
  addMonths,
  dayOfInstant,
  daysInRange,
  firstDayOfMonth,
  monthOf,
  monthWindows,
  type DayRange,
} from "../../domain/dates.js";
import { systemClock, type Clock } from "../../shared/clock.js";
import type {
  CostProviderAdapter,
  DateRange,
  FetchResult,
  HealthCheckResult,
  HistoryLimit,
  HistoryLimitAnswer,
} from "../adapter.js";
import { foreignReplyError, InvalidRequestError, ProviderError } from "../errors.js";
import { validatePeriod } from "../period.js";
import type { RetryPolicy } from "../../shared/retry.js";
import { DEFAULT_RETRY_POLICY, withProviderRetry, type RetryFailureListener } from "../provider-retry.js";
import {
  createAzureTokenCredential,
  maskAzureCredentials,
  parseAzureScope,
  sandboxTokenCredential,
  type AzureCredentials,
  type AzureScope,
} from "./azure-credentials.js";
import { failureFromResponse, providerErrorFrom, providerErrorFromHttp } from "./azure-errors.js";
import { buildQueryDefinition, querySpecsFor, type AzureQuerySpec } from "./azure-query-plan.js";
import { mapQueryRows, type QueryPage } from "./azure-query-result.js";

export const AZURE_SOURCE_API = "azure:costmanagement:query";
export const DEFAULT_AZURE_REQUEST_TIMEOUT_MS = 30_000;

export interface AzureAdapterOptions {
  credentials: AzureCredentials;
  /**
   * Another Resource Manager endpoint. Given, the adapter talks to a simulator and uses the sandbox
   * token instead of calling Microsoft Entra ID.
   */
  endpoint?: string;
  /**
   * PEM of the one CA this adapter's endpoint is pinned to (a simulator's self-signed certificate).
   * It replaces Node's whole trust store (NODE_EXTRA_CA_CERTS included) for this client's requests,
   * so the factory passes it only to the endpoint it was pinned for; absent, Node's trust applies.
   */
  tlsCa?: string;
  requestTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
  logger?: Logger;
  onRequestFailure?: RetryFailureListener;
  /** Clock for "today" and the estimated (current month) flag. */
  now?: Clock;
}

/**
 * Microsoft's guardrails for the Query API: a query may reach back 37 months at most (a longer
 * one is a 400), daily granularity covers 31 days a query (the adapter asks one month at a time),
 * and nothing before 2014-05-01 exists.
 */
export const COST_MANAGEMENT_HISTORY_MONTHS = 37;
const COST_MANAGEMENT_FIRST_DAY = "2014-05-01";

export function costManagementHistoryLimit(today: IsoDay): HistoryLimit {
  const lookBack = firstDayOfMonth(addMonths(monthOf(today), 1 - COST_MANAGEMENT_HISTORY_MONTHS));
  const earliest = lookBack < COST_MANAGEMENT_FIRST_DAY ? COST_MANAGEMENT_FIRST_DAY : lookBack;
  return {
    earliest,
    reason: `Azure Cost Management's Query API reaches back ${COST_MANAGEMENT_HISTORY_MONTHS} months, the current one included, to ${earliest}`,
  };
}

interface RequestCounter {
  requests: number;
}

/**
 * A query answer's page. Every answer with content lists its columns, rows or not (204 No Content has
 * none): one without them came from another server, and only its status is told.
 */
function answerPage(page: QueryPage, status: number): QueryPage {
  if (status !== 204 && !Array.isArray(page.columns)) {
    throw foreignReplyError("Azure Cost Management query", status);
  }
  return page;
}

export class AzureCostManagementAdapter implements CostProviderAdapter {
  readonly provider = "AZURE" as const;
  private readonly costManagement: CostManagementClient;
  private readonly scope: AzureScope;
  private readonly identity: string;
  private readonly endpointOrigin: string;
  private readonly requestTimeoutMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly logger: Logger | undefined;
  private readonly onRequestFailure: RetryFailureListener | undefined;
  private readonly now: Clock;

  constructor(options: AzureAdapterOptions) {
    const scope = parseAzureScope(options.credentials.scope);
    if (!scope) throw new InvalidRequestError("scope: not a subscription or billing-account scope");
    this.scope = scope;
    this.identity = maskAzureCredentials(options.credentials);
    this.endpointOrigin = new URL(options.endpoint ?? "https://management.azure.com").origin;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_AZURE_REQUEST_TIMEOUT_MS;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.logger = options.logger?.child({ provider: "AZURE", scope: scope.path });
    this.onRequestFailure = options.onRequestFailure;
    this.now = options.now ?? systemClock;
    const credential = options.endpoint
      ? sandboxTokenCredential
      : createAzureTokenCredential(options.credentials);
    this.costManagement = new CostManagementClient(credential, {
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.tlsCa ? { tlsOptions: { ca: options.tlsCa } } : {}),
      // One retry policy decides (ours): it reads Azure's x-ms-ratelimit headers, which the SDK ignores.
      retryOptions: { maxRetries: 0 },
    });
  }

  historyLimit(today: IsoDay): Promise<HistoryLimitAnswer> {
    return Promise.resolve({ limit: costManagementHistoryLimit(today), apiRequests: 0 });
  }

  async healthCheck(signal?: AbortSignal): Promise<HealthCheckResult> {
    const counter: RequestCounter = { requests: 0 };
    const yesterday = addDays(this.today(), -1);
    const [usage] = querySpecsFor(this.scope);
    try {
      await this.collect(usage, { start: yesterday, end: yesterday }, counter, signal);
      return {
        healthy: true,
        message: `Azure Cost Management answers for ${this.identity}`,
        apiRequests: counter.requests,
      };
    } catch (caught) {
      if (!(caught instanceof ProviderError)) throw caught;
      return { healthy: false, message: caught.message, apiRequests: counter.requests };
    }
  }

  async fetchDailyCosts(period: DateRange, signal?: AbortSignal): Promise<FetchResult> {
    validatePeriod(period);
    const counter: RequestCounter = { requests: 0 };
    // The future has no data yet: it is neither queried nor reported as covered (a real zero).
    // A period wholly in the future gives no windows and no days.
    const today = this.today();
    const covered: DayRange = { start: period.start, end: period.end < today ? period.end : today };
    const lines: ProviderCostLine[] = [];
    for (const window of monthWindows(covered)) {
      for (const spec of querySpecsFor(this.scope)) {
        lines.push(...(await this.collect(spec, window, counter, signal)));
      }
    }
    const daysCovered = daysInRange(covered.start, covered.end);
    this.logger?.info(
      { period, lines: lines.length, days: daysCovered.length, apiRequests: counter.requests },
      "Azure daily costs fetched",
    );
    return { lines, daysCovered, apiRequests: counter.requests, sourceApi: AZURE_SOURCE_API };
  }

  /** One query over one window, following nextLink page by page. */
  private async collect(
    spec: AzureQuerySpec,
    window: DayRange,
    counter: RequestCounter,
    signal?: AbortSignal,
  ): Promise<ProviderCostLine[]> {
    const body = buildQueryDefinition(spec, window);
    const context = {
      accountId: this.scope.id,
      isEstimated: (day: IsoDay) => this.isEstimated(day),
      ...(spec.keepChargeType ? { keepChargeType: spec.keepChargeType } : {}),
    };
    const lines: ProviderCostLine[] = [];
    let page: QueryPage = await this.send(counter, signal, async (abortSignal) => {
      let status = 0;
      const result = await this.costManagement.query.usage(this.scope.path, body, {
        abortSignal,
        onResponse: (response) => (status = response.status),
      });
      return answerPage(result, status);
    });
    for (let pages = 1; ; pages++) {
      lines.push(...mapQueryRows(page, context));
      this.logger?.debug(
        { query: spec.name, window, page: pages, rows: page.rows?.length ?? 0 },
        "Azure query page",
      );
      const nextLink = page.nextLink;
      if (!nextLink) return lines;
      page = await this.send(counter, signal, (abortSignal) =>
        this.postNextLink(nextLink, body, abortSignal),
      );
    }
  }

  /**
   * The SDK never follows nextLink: the same body goes to it through the client's pipeline (same
   * bearer policy, TLS settings and no retries). The token only ever goes to the configured host.
   */
  private async postNextLink(
    nextLink: string,
    body: QueryDefinition,
    abortSignal: AbortSignal,
  ): Promise<QueryPage> {
    let origin: string | undefined;
    try {
      origin = new URL(nextLink).origin;
    } catch {
      origin = undefined;
    }
    if (origin !== this.endpointOrigin) {
      throw new InvalidRequestError("Azure Cost Management nextLink points to another host; not followed");
    }
    const response = await this.costManagement.sendRequest(
      createPipelineRequest({
        url: nextLink,
        method: "POST",
        body: JSON.stringify(body),
        headers: createHttpHeaders({
          "content-type": "application/json; charset=utf-8",
          accept: "application/json",
        }),
        abortSignal,
      }),
    );
    if (response.status >= 400) throw providerErrorFromHttp(failureFromResponse(response));
    if (response.status === 204 || !response.bodyAsText) return {};
    let parsed: { properties?: QueryPage } | null;
    try {
      parsed = JSON.parse(response.bodyAsText) as { properties?: QueryPage } | null;
    } catch {
      parsed = null;
    }
    return answerPage(parsed?.properties ?? {}, response.status);
  }

  /** One HTTP request per attempt, each with its own timeout, retried by the shared policy. */
  private send<T>(
    counter: RequestCounter,
    signal: AbortSignal | undefined,
    request: (abortSignal: AbortSignal) => Promise<T>,
  ) {
    return withProviderRetry(
      async () => {
        counter.requests++;
        const timeout = AbortSignal.timeout(this.requestTimeoutMs);
        try {
          return await request(signal ? AbortSignal.any([signal, timeout]) : timeout);
        } catch (caught) {
          if (caught instanceof ProviderError) throw caught;
          throw providerErrorFrom(caught, {
            timedOut: timeout.aborted && !signal?.aborted,
            timeoutMs: this.requestTimeoutMs,
            identity: this.identity,
          });
        }
      },
      {
        policy: this.retryPolicy,
        ...(signal ? { signal } : {}),
        onFailure: (failure) => {
          const { attempt, error, delayMs } = failure;
          this.onRequestFailure?.(failure);
          this.logger?.warn(
            { attempt, code: error.code, retryAfterMs: error.retryAfterMs, delayMs, error: error.message },
            delayMs === undefined ? "Azure request failed; giving up" : "Azure request failed; retrying",
          );
        },
      },
    );
  }

  private today(): IsoDay {
    return dayOfInstant(this.now());
  }

  /** Azure costs stay estimated until the month's invoice: every day of the current month. */
  private isEstimated(day: IsoDay): boolean {
    return monthOf(day) >= monthOf(this.today());
  }
}
