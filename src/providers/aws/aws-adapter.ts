/**
 * AWS Cost Explorer adapter (GetCostAndUsage, official client).
 *
 * Query plan. A cost line needs four dimensions (service, linked account, region, record type) but
 * GetCostAndUsage groups by at most two, so the other two must be fixed by a Filter, one request per
 * value pair. We group by SERVICE and LINKED_ACCOUNT (the dimensions with the most values) and
 * filter on REGION x RECORD_TYPE, the pair with the fewest values in practice (a tenant uses a few
 * regions and 3-5 record types, while accounts can number in the hundreds). To request only pairs
 * that hold data, one discovery call first asks MONTHLY totals grouped by [REGION, RECORD_TYPE] for
 * the whole period; those totals are also what the lines are reconciled against.
 *
 * Request cost: 1 discovery request for the whole period (plus a page per ~500 month x pair groups),
 * then per month one DAILY request per (region, record type) pair present that month, plus its extra
 * pages. Measured on the sandbox tenant with 8 regions, 10 accounts and 40 services (Usage, Credit,
 * Tax, Refund, Savings Plans fee): ~26 requests a month, a 14-month backfill 371 requests (~$3.71 at
 * $0.01 a request); a daily refresh of the current month ~25. A month with no data at all costs one
 * ungrouped DAILY request, so its days are still reported as real zeros.
 * Requests run one after another: Cost Explorer's rate limit is low and shared by the account.
 *
 * RECORD_TYPE -> charge category: see aws-record-types.ts. Region "NoRegion" (tax, fees) becomes "".
 */
import type {
  GetCostAndUsageCommandInput,
  GetCostAndUsageCommandOutput,
} from "@aws-sdk/client-cost-explorer";
import type { IsoDay, IsoMonth, ProviderCostLine } from "../../domain/cost-record.js";
import {
  addDays,
  addMonths,
  dayOfInstant,
  firstDayOfMonth,
  isIsoDay,
  monthOf,
  monthWindows,
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
import { ProviderError, TransientError } from "../errors.js";
import { validatePeriod } from "../period.js";
import { chargeCategoryOfRecordType } from "./aws-record-types.js";
import {
  CostExplorerCaller,
  type CostExplorerCallerOptions,
  type RequestCounter,
} from "./cost-explorer-caller.js";

export interface AwsAdapterOptions extends CostExplorerCallerOptions {
  now?: Clock;
}

export const AWS_SOURCE_API = "aws:ce:GetCostAndUsage";
const METRIC = "UnblendedCost";
/** A guard against a token loop: no real query of one month comes near this. */
const MAX_PAGES_PER_QUERY = 1_000;
/** Cents: the reconciliation tolerance between discovery totals and the sum of fetched lines. */
const RECONCILE_TOLERANCE = 0.005;

/** A (region, record type) pair that holds data in a month, with Cost Explorer's total for it. */
interface Slice {
  region: string;
  recordType: string;
  total: number;
}

/**
 * Cost Explorer serves the current month and the 13 before it, daily and monthly. Multi-year data
 * (up to 38 months, a Cost Management preference) exists at MONTHLY granularity only, so it never
 * reaches the DAILY lines collected here: the limit holds whatever the account's preferences.
 */
export const COST_EXPLORER_HISTORY_MONTHS = 13;

export function costExplorerHistoryLimit(today: IsoDay): HistoryLimit {
  const earliest = firstDayOfMonth(addMonths(monthOf(today), -COST_EXPLORER_HISTORY_MONTHS));
  return {
    earliest,
    reason: `AWS Cost Explorer serves daily costs for the current month and the ${COST_EXPLORER_HISTORY_MONTHS} months before it, from ${earliest}`,
  };
}

const dimension = (Key: string) => ({ Type: "DIMENSION" as const, Key });

/**
 * An Amount string as a number; NaN when it is missing or not a number, so the normalizer
 * quarantines that one line (named in the day's data quality) rather than the month failing.
 */
function parseAmount(amount: string | undefined): number {
  return amount === undefined || amount.trim() === "" ? Number.NaN : Number(amount);
}

export class AwsCostExplorerAdapter implements CostProviderAdapter {
  readonly provider = "AWS" as const;
  private readonly caller: CostExplorerCaller;
  private readonly now: Clock;

  constructor(private readonly options: AwsAdapterOptions) {
    this.caller = new CostExplorerCaller(options);
    this.now = options.now ?? systemClock;
  }

  historyLimit(today: IsoDay): Promise<HistoryLimitAnswer> {
    return Promise.resolve({ limit: costExplorerHistoryLimit(today), apiRequests: 0 });
  }

  async healthCheck(signal?: AbortSignal): Promise<HealthCheckResult> {
    const counter: RequestCounter = { requests: 0 };
    const today = dayOfInstant(this.now());
    try {
      await this.caller.getCostAndUsage(
        { TimePeriod: { Start: addDays(today, -1), End: today }, Granularity: "DAILY", Metrics: [METRIC] },
        counter,
        signal,
      );
      return {
        healthy: true,
        message: `Cost Explorer answered for ${this.caller.summary}`,
        apiRequests: counter.requests,
      };
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      return { healthy: false, message: error.message, apiRequests: counter.requests };
    }
  }

  async fetchDailyCosts(period: DateRange, signal?: AbortSignal): Promise<FetchResult> {
    validatePeriod(period);
    const counter: RequestCounter = { requests: 0 };
    try {
      return await this.fetchPeriod(period, counter, signal);
    } catch (error) {
      if (error instanceof ProviderError) error.apiRequests = counter.requests;
      throw error;
    }
  }

  private async fetchPeriod(
    period: DateRange,
    counter: RequestCounter,
    signal?: AbortSignal,
  ): Promise<FetchResult> {
    const slices = await this.discoverSlices(period, counter, signal);
    const lines: ProviderCostLine[] = [];
    const daysCovered = new Set<IsoDay>();
    for (const { start, end } of monthWindows(period)) {
      const month = monthOf(start);
      const window = { Start: start, End: addDays(end, 1) };
      const monthSlices = slices.get(month) ?? [];
      if (monthSlices.length === 0) {
        const input = { TimePeriod: window, Granularity: "DAILY" as const, Metrics: [METRIC] };
        for await (const page of this.pages(input, counter, signal)) this.collectDays(page, daysCovered);
        continue;
      }
      for (const slice of monthSlices) {
        const sliceLines: ProviderCostLine[] = [];
        const input: GetCostAndUsageCommandInput = {
          TimePeriod: window,
          Granularity: "DAILY",
          Metrics: [METRIC],
          GroupBy: [dimension("SERVICE"), dimension("LINKED_ACCOUNT")],
          Filter: {
            And: [
              { Dimensions: { Key: "REGION", Values: [slice.region] } },
              { Dimensions: { Key: "RECORD_TYPE", Values: [slice.recordType] } },
            ],
          },
        };
        for await (const page of this.pages(input, counter, signal)) {
          this.collectDays(page, daysCovered);
          sliceLines.push(...this.linesOf(page, slice));
        }
        this.reconcile(month, slice, sliceLines);
        lines.push(...sliceLines);
      }
    }
    this.options.logger?.info(
      {
        provider: "AWS",
        connection: this.caller.summary,
        period,
        lines: lines.length,
        apiRequests: counter.requests,
      },
      "cost explorer fetch finished",
    );
    return {
      lines,
      daysCovered: [...daysCovered].sort(),
      apiRequests: counter.requests,
      sourceApi: AWS_SOURCE_API,
    };
  }

  /** Month -> the (region, record type) pairs holding data, from one MONTHLY grouped query. */
  private async discoverSlices(period: DateRange, counter: RequestCounter, signal?: AbortSignal) {
    const slices = new Map<IsoMonth, Slice[]>();
    const input: GetCostAndUsageCommandInput = {
      TimePeriod: { Start: period.start, End: addDays(period.end, 1) },
      Granularity: "MONTHLY",
      Metrics: [METRIC],
      GroupBy: [dimension("REGION"), dimension("RECORD_TYPE")],
    };
    for await (const page of this.pages(input, counter, signal)) {
      for (const result of page.ResultsByTime ?? []) {
        const month = monthOf(result.TimePeriod?.Start ?? "");
        const monthSlices = slices.get(month) ?? [];
        slices.set(month, monthSlices);
        for (const group of result.Groups ?? []) {
          const [region, recordType] = group.Keys ?? [];
          if (region === undefined || recordType === undefined) continue;
          const total = parseAmount(group.Metrics?.[METRIC]?.Amount);
          monthSlices.push({ region, recordType, total });
        }
      }
    }
    return slices;
  }

  private async *pages(
    input: GetCostAndUsageCommandInput,
    counter: RequestCounter,
    signal?: AbortSignal,
  ): AsyncGenerator<GetCostAndUsageCommandOutput> {
    let token: string | undefined;
    for (let page = 1; ; page++) {
      if (page > MAX_PAGES_PER_QUERY) {
        throw new TransientError(
          `AWS Cost Explorer kept returning NextPageToken after ${MAX_PAGES_PER_QUERY} pages`,
        );
      }
      const output = await this.caller.getCostAndUsage(
        token === undefined ? input : { ...input, NextPageToken: token },
        counter,
        signal,
      );
      yield output;
      token = output.NextPageToken;
      if (!token) return;
    }
  }

  private collectDays(page: GetCostAndUsageCommandOutput, days: Set<IsoDay>): void {
    for (const result of page.ResultsByTime ?? []) {
      const day = result.TimePeriod?.Start;
      if (day !== undefined && isIsoDay(day)) days.add(day);
    }
  }

  private linesOf(page: GetCostAndUsageCommandOutput, slice: Slice): ProviderCostLine[] {
    const accountNames = new Map(
      (page.DimensionValueAttributes ?? []).map((entry) => [
        entry.Value ?? "",
        entry.Attributes?.description,
      ]),
    );
    const chargeCategory = chargeCategoryOfRecordType(slice.recordType);
    const region = slice.region === "NoRegion" ? "" : slice.region;
    return (page.ResultsByTime ?? []).flatMap((result) => {
      const date = result.TimePeriod?.Start ?? "";
      return (result.Groups ?? []).map((group) => {
        const [serviceName = "", accountId = ""] = group.Keys ?? [];
        const metric = group.Metrics?.[METRIC];
        const line: ProviderCostLine = {
          date,
          serviceName,
          accountId,
          region,
          chargeCategory,
          billedCost: parseAmount(metric?.Amount),
          // No Unit is no currency: quarantined by the normalizer, never assumed to be USD.
          billingCurrency: metric?.Unit ?? "",
          estimated: result.Estimated ?? false,
        };
        const accountName = accountNames.get(accountId);
        if (accountName) line.accountName = accountName;
        return line;
      });
    });
  }

  /** Lines of a slice must add up to the slice's monthly total; a gap means data moved meanwhile. */
  private reconcile(month: IsoMonth, slice: Slice, lines: ProviderCostLine[]): void {
    const sum = lines.reduce((total, line) => total + line.billedCost, 0);
    if (Math.abs(sum - slice.total) > RECONCILE_TOLERANCE) {
      this.options.logger?.warn(
        {
          provider: "AWS",
          connection: this.caller.summary,
          month,
          region: slice.region,
          recordType: slice.recordType,
          expected: slice.total,
          actual: sum,
        },
        "cost explorer daily lines differ from the monthly total (data restated during collection)",
      );
    }
  }
}
