/**
 * UTC calendar arithmetic on "YYYY-MM-DD" days and "YYYY-MM" months. Days are converted to a count
 * of days since 1970-01-01 with integer civil-calendar formulas, so there is no time zone, no DST
 * and no Date parsing leniency ("2026-02-30" is not silently turned into March 2).
 */
import type { IsoDay, IsoMonth } from "./cost-record.js";

/** Both days inclusive. */
export interface DayRange {
  start: IsoDay;
  end: IsoDay;
}

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_PATTERN = /^(\d{4})-(\d{2})$/;
const SECONDS_PER_DAY = 86_400;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a "YYYY-MM-DD" string naming a day that exists (2024-02-29 yes, 2026-02-30 no). */
export function isIsoDay(value: unknown): value is IsoDay {
  if (typeof value !== "string") return false;
  const match = DAY_PATTERN.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function isIsoMonth(value: unknown): value is IsoMonth {
  if (typeof value !== "string") return false;
  const match = MONTH_PATTERN.exec(value);
  if (!match) return false;
  const [year, month] = [Number(match[1]), Number(match[2])];
  return year >= 1 && month >= 1 && month <= 12;
}

function parts(day: IsoDay): [number, number, number] {
  if (!isIsoDay(day)) throw new RangeError(`not a calendar day: ${JSON.stringify(day)}`);
  return [Number(day.slice(0, 4)), Number(day.slice(5, 7)), Number(day.slice(8, 10))];
}

const pad = (value: number, width: number): string => String(value).padStart(width, "0");

/** Days since 1970-01-01 (Howard Hinnant's days_from_civil). */
export function toEpochDay(day: IsoDay): number {
  const [year, month, dayOfMonth] = parts(day);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + dayOfMonth - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** Inverse of toEpochDay (civil_from_days). */
export function fromEpochDay(epochDay: number): IsoDay {
  const z = epochDay + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(dayOfMonth, 2)}`;
}

export function addDays(day: IsoDay, count: number): IsoDay {
  return fromEpochDay(toEpochDay(day) + count);
}

/** end - start in days: 0 for the same day, negative when end is before start. */
export function daysBetween(start: IsoDay, end: IsoDay): number {
  return toEpochDay(end) - toEpochDay(start);
}

/** Number of days in an inclusive range (0 when reversed). */
export function rangeLength(range: DayRange): number {
  return Math.max(0, daysBetween(range.start, range.end) + 1);
}

/** Every day of an inclusive range in order; empty when end is before start. */
export function daysInRange(start: IsoDay, end: IsoDay): IsoDay[] {
  const first = toEpochDay(start);
  const count = toEpochDay(end) - first + 1;
  return Array.from({ length: Math.max(0, count) }, (_, index) => fromEpochDay(first + index));
}

export function monthOf(day: IsoDay): IsoMonth {
  parts(day);
  return day.slice(0, 7);
}

function monthParts(month: IsoMonth): [number, number] {
  if (!isIsoMonth(month)) throw new RangeError(`not a calendar month: ${JSON.stringify(month)}`);
  return [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
}

export function firstDayOfMonth(month: IsoMonth): IsoDay {
  monthParts(month);
  return `${month}-01`;
}

export function lastDayOfMonth(month: IsoMonth): IsoDay {
  const [year, monthNumber] = monthParts(month);
  return `${month}-${pad(daysInMonth(year, monthNumber), 2)}`;
}

export function addMonths(month: IsoMonth, count: number): IsoMonth {
  const [year, monthNumber] = monthParts(month);
  const index = year * 12 + (monthNumber - 1) + count;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1, 2)}`;
}

/** Months the inclusive range touches, in order (partial first and last months included). */
export function monthsInRange(start: IsoDay, end: IsoDay): IsoMonth[] {
  if (daysBetween(start, end) < 0) return [];
  const months: IsoMonth[] = [];
  for (let month = monthOf(start); month <= monthOf(end); month = addMonths(month, 1)) months.push(month);
  return months;
}

/**
 * The range cut at calendar-month boundaries, in order: one window per month it touches, the first
 * and the last possibly partial. Collections pull and providers query one such window at a time.
 */
export function monthWindows(range: DayRange): DayRange[] {
  return monthsInRange(range.start, range.end).map((month) => {
    const first = firstDayOfMonth(month);
    const last = lastDayOfMonth(month);
    return { start: first < range.start ? range.start : first, end: last > range.end ? range.end : last };
  });
}

/**
 * Splits a range into the months it covers entirely and the leftover days at its edges, so a long
 * range can be read from monthly rollups and only its partial months from daily ones.
 */
export function splitRangeByMonth(
  start: IsoDay,
  end: IsoDay,
): { fullMonths: IsoMonth[]; edgeDays: IsoDay[] } {
  const fullMonths: IsoMonth[] = [];
  const edgeDays: IsoDay[] = [];
  for (const window of monthWindows({ start, end })) {
    const month = monthOf(window.start);
    if (window.start === firstDayOfMonth(month) && window.end === lastDayOfMonth(month))
      fullMonths.push(month);
    else edgeDays.push(...daysInRange(window.start, window.end));
  }
  return { fullMonths, edgeDays };
}

/** The range of the same length that ends the day before `start` (for period-over-period comparisons). */
export function previousPeriod(range: DayRange): DayRange {
  const length = rangeLength(range);
  return { start: addDays(range.start, -length), end: addDays(range.start, -1) };
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(day: IsoDay): number {
  // 1970-01-01 was a Thursday (ISO weekday 4).
  return ((((toEpochDay(day) + 3) % 7) + 7) % 7) + 1;
}

/** The Monday on or before the day: the key of its WEEKLY bucket (ISO weeks start on Monday). */
export function weekStart(day: IsoDay): IsoDay {
  return addDays(day, 1 - isoWeekday(day));
}

/** Epoch seconds at 00:00:00 UTC of the day. */
export function startOfDayEpochSeconds(day: IsoDay): number {
  return toEpochDay(day) * SECONDS_PER_DAY;
}

/** The UTC calendar day an instant falls on. */
export function dayOfInstant(instant: Date): IsoDay {
  return fromEpochDay(Math.floor(instant.getTime() / (SECONDS_PER_DAY * 1000)));
}
