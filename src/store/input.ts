/**
 * Checks every repository runs on its arguments before building a key: ids of a safe shape (no "#",
 * so no key can be forged into another partition), real calendar days and months, sane page sizes.
 * Each failure is a domain ValidationError naming the field.
 */
import { isIsoMonth } from "../domain/dates.js";
import { checkListSize, PAGE_SIZE } from "../domain/limits.js";
import type { IsoDay, IsoMonth } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import {
  describeValue,
  validateCalendarDay,
  validateProvider,
  validateSafeId,
  ValidationError,
  type ValidationIssue,
} from "../domain/validation.js";

export { validateCalendarDay as checkDay, validateProvider as checkProvider, validateSafeId as checkId };

export function checkMonth(value: unknown, field: string): IsoMonth {
  if (!isIsoMonth(value))
    throw new ValidationError(field, `${describeValue(value)} is not a month in the form YYYY-MM`);
  return value;
}

/** Both ends inclusive, end not before start. */
export function checkDayRange(start: unknown, end: unknown): { start: IsoDay; end: IsoDay } {
  const from = validateCalendarDay(start, "start");
  const to = validateCalendarDay(end, "end");
  if (to < from) throw new ValidationError("end", `${to} is before start ${from}`);
  return { start: from, end: to };
}

/** What every query of one client's provider over days checks first; returns the range. */
export function checkClientProviderRange(
  clientId: unknown,
  provider: unknown,
  start: unknown,
  end: unknown,
): { start: IsoDay; end: IsoDay } {
  validateSafeId(clientId, "clientId");
  validateProvider(provider, "provider");
  return checkDayRange(start, end);
}

/** A page's size: the API's own rule (0 reads nothing but whether an item exists). */
export function checkPageSize(value: unknown, field = "first"): number {
  return checkListSize(value, field, PAGE_SIZE);
}

/** Key of one cost record: `keys[3].date` style field names when checking a list. */
export function checkRecordKey(
  key: { clientId: unknown; provider: unknown; date: unknown },
  at = "",
): { clientId: string; provider: CloudProvider; date: IsoDay } {
  return {
    clientId: validateSafeId(key.clientId, `${at}clientId`),
    provider: validateProvider(key.provider, `${at}provider`),
    date: validateCalendarDay(key.date, `${at}date`),
  };
}

const MAX_REPORTED_ISSUES = 20;

/** Throws one ValidationError carrying the issues (the first 20, then a count of the rest). */
export function throwIfIssues(issues: readonly ValidationIssue[]): void {
  const [first, ...rest] = issues.slice(0, MAX_REPORTED_ISSUES);
  if (!first) return;
  const hidden = issues.length - MAX_REPORTED_ISSUES;
  const more = hidden > 0 ? [{ field: "record", message: `record: and ${hidden} more problems` }] : [];
  throw new ValidationError([first, ...rest, ...more]);
}
