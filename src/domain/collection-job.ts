import type { CloudProvider } from "./provider.js";
import type { IsoDay } from "./cost-record.js";

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

export interface ProviderCollectionProgress {
  provider: CloudProvider;
  status: CollectionStatus;
  recordsWritten: number;
  apiRequests: number;
  attempts: number;
  error?: CollectionError;
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
