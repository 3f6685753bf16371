/** DynamoDB TTL for cost records: kept for a retention period counted from the end of their day. */
import type { IsoDay } from "./cost-record.js";
import { addDays, startOfDayEpochSeconds } from "./dates.js";

/** Two years: the default retention of cost records. */
export const DEFAULT_RETENTION_DAYS = 730;

/** Epoch seconds at which a record of `day` may be deleted: end of the day + retentionDays. */
export function expiresAtFor(day: IsoDay, retentionDays: number = DEFAULT_RETENTION_DAYS): number {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new RangeError(`retentionDays must be a positive whole number of days, got ${retentionDays}`);
  }
  return startOfDayEpochSeconds(addDays(day, 1 + retentionDays));
}
