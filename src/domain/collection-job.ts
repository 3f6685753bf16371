import type { CloudProvider } from "./provider.js";
import type { IsoDay } from "./cost-record.js";
import { addDays, type DayRange } from "./dates.js";

export const COLLECTION_STATUSES = [
  "QUEUED",
  "RUNNING",
  "SUCCEEDED",
  "PARTIALLY_SUCCEEDED",
  "FAILED",
] as const;
export type CollectionStatus = (typeof COLLECTION_STATUSES)[number];

export interface CollectionError {
  code: string;
  message: string;
  retryable: boolean;
}

/** Days of a job's period that the provider's API does not serve: left out by design, not failed. */
export interface SkippedDays {
  start: IsoDay;
  end: IsoDay;
  reason: string;
}

export interface ProviderCollectionProgress {
  provider: CloudProvider;
  status: CollectionStatus;
  recordsWritten: number;
  apiRequests: number;
  attempts: number;
  error?: CollectionError;
  skipped?: SkippedDays;
}

export interface CollectionJob {
  id: string;
  clientId: string;
  status: CollectionStatus;
  period: { start: IsoDay; end: IsoDay };
  providers: ProviderCollectionProgress[];
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  finishedAt?: string;
  requestedBy: string;
}

/** The period cut at the first day a provider serves: the days to collect, and the days before it. */
export function splitAtEarliestDay(
  period: DayRange,
  earliest: IsoDay | undefined,
): { servable?: DayRange; unservable?: DayRange } {
  if (earliest === undefined || earliest <= period.start) return { servable: period };
  if (earliest > period.end) return { unservable: period };
  return {
    servable: { start: earliest, end: period.end },
    unservable: { start: period.start, end: addDays(earliest, -1) },
  };
}
