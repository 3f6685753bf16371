/**
 * Cost questions about one client, for callers who may read it: summary, breakdown and time series
 * (answered by CostReads, memoized per request under their arguments), and the stored records page
 * by page, by date then provider.
 */
import type { CostDimension, CostFilter, Granularity } from "../../domain/aggregation.js";
import type { CostRecordHeader } from "../../domain/cost-record.js";
import { daysInRange, isIsoMonth, type DayRange } from "../../domain/dates.js";
import { describeValue, ValidationError } from "../../domain/validation.js";
import type { Authentication } from "../../domain/identity.js";
import { checkPeriod } from "../../domain/limits.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../domain/provider.js";
import { requireRead } from "../authorization.js";
import type { Connection, CursorCodec, PageRequest } from "../cursors.js";
import type { CostRecordKey } from "./cost-read-plan.js";
import type { CostReads, CostSources } from "./cost-reads.js";
import { candidatesOf, pageOf } from "../../store/page.js";
import { cacheKey } from "../read-cache.js";

export interface BreakdownQuestion {
  period: DayRange;
  by: CostDimension;
  filter: CostFilter;
  top?: number;
}

export interface SeriesQuestion {
  period: DayRange;
  granularity: Granularity;
  filter: CostFilter;
  groupBy?: CostDimension;
}

/** Headers looked up per round trip while paging records (one BatchGetItem). */
const RECORD_SLOTS_PER_READ = 100;

export class CostQueries {
  constructor(
    private readonly reads: CostReads,
    private readonly sources: CostSources,
    private readonly cursors: CursorCodec,
  ) {}

  async summary(auth: Authentication, clientId: string, question: { period: DayRange; filter: CostFilter }) {
    requireRead(auth, clientId);
    return this.reads.once(clientId, cacheKey("summary", question), () =>
      this.reads.summary(clientId, question.period, question.filter),
    );
  }

  async breakdown(auth: Authentication, clientId: string, question: BreakdownQuestion) {
    requireRead(auth, clientId);
    return this.reads.once(clientId, cacheKey("breakdown", question), () =>
      this.reads.breakdown(clientId, question.period, question.by, question.filter, question.top),
    );
  }

  async timeSeries(auth: Authentication, clientId: string, question: SeriesQuestion) {
    requireRead(auth, clientId);
    return this.reads.once(clientId, cacheKey("series", question), () =>
      this.reads.timeSeries(
        clientId,
        question.period,
        question.granularity,
        question.filter,
        question.groupBy,
      ),
    );
  }

  /** What each provider (all when none are given) bills on an invoice month "YYYY-MM". */
  async invoiceMonth(
    auth: Authentication,
    clientId: string,
    question: { month: string; providers?: readonly CloudProvider[] },
  ) {
    requireRead(auth, clientId);
    if (!isIsoMonth(question.month)) {
      throw new ValidationError(
        "month",
        `${describeValue(question.month)} is not a month in the form YYYY-MM`,
      );
    }
    const providers = question.providers?.length ? [...new Set(question.providers)] : [...CLOUD_PROVIDERS];
    return this.reads.once(clientId, cacheKey("invoice", { ...question, providers }), () =>
      this.reads.invoiceMonth(clientId, question.month, providers),
    );
  }

  /** One stored record; null when the day was never stored. */
  async record(auth: Authentication, key: CostRecordKey): Promise<CostRecordHeader | null> {
    requireRead(auth, key.clientId);
    const [header] = await this.sources.headers([key]);
    return header ?? null;
  }

  /** The stored records of the period, by date then provider (alphabetical). */
  async records(
    auth: Authentication,
    clientId: string,
    question: { period: DayRange; provider?: CloudProvider },
    page: PageRequest,
  ): Promise<Connection<CostRecordHeader>> {
    requireRead(auth, clientId);
    const range = checkPeriod(question.period);
    // Alphabetical, so the slot order and the cursor comparison below agree.
    const providers = question.provider ? [question.provider] : [...CLOUD_PROVIDERS].sort();
    const scope = `records:${clientId}:${providers.join(",")}:${range.start}:${range.end}`;
    const positionOf = (record: Pick<CostRecordHeader, "date" | "provider">): string =>
      `${record.date}|${record.provider}`;
    return this.cursors.page(scope, page, positionOf, async (window) => {
      // Every (day, provider) slot in order; existing records are found a batch of slots at a time.
      const all: CostRecordKey[] = daysInRange(range.start, range.end).flatMap((date) =>
        providers.map((provider) => ({ clientId, provider, date })),
      );
      const slots = candidatesOf(all, window, positionOf);
      const found: CostRecordHeader[] = [];
      for (let i = 0; i < slots.length && found.length <= window.size; i += RECORD_SLOTS_PER_READ) {
        const headers = await this.sources.headers(slots.slice(i, i + RECORD_SLOTS_PER_READ));
        found.push(...headers.filter((header): header is CostRecordHeader => header !== null));
      }
      return pageOf(found, window);
    });
  }
}
