/**
 * The period check every adapter runs before spending a request: a period that is not a range of
 * calendar days is an InvalidRequestError (never retried), not a question for the cloud.
 */
import { isIsoDay } from "../domain/dates.js";
import type { DateRange } from "./adapter.js";
import { InvalidRequestError } from "./errors.js";

/** Returns the period when both ends are calendar days and end is not before start. */
export function validatePeriod(period: DateRange): DateRange {
  for (const field of ["start", "end"] as const) {
    if (!isIsoDay(period[field])) {
      throw new InvalidRequestError(
        `period.${field}: ${JSON.stringify(period[field])} is not a calendar day (YYYY-MM-DD)`,
      );
    }
  }
  if (period.end < period.start) {
    throw new InvalidRequestError(`period.end: ${period.end} is before period.start ${period.start}`);
  }
  return period;
}
