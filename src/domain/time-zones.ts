/**
 * Calendar days and hours in an IANA time zone, daylight saving included, from the platform's own
 * time zone data (Intl, no I/O): when a provider's billing day ends, and, for the simulated BigQuery
 * export, what DATE(timestamp, "zone") gives.
 */
import type { IsoDay } from "./cost-record.js";

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws RangeError for a name that is not a time zone. */
function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(name: string): boolean {
  try {
    formatterOf(name);
    return true;
  } catch {
    return false;
  }
}

/** The wall-clock time in `timeZone` at `epochMs`, read as if it were UTC (epoch ms). */
function wallClock(epochMs: number, timeZone: string): number {
  const part = Object.fromEntries(
    formatterOf(timeZone)
      .formatToParts(epochMs)
      .map((p) => [p.type, Number(p.value)]),
  );
  return Date.UTC(part.year!, part.month! - 1, part.day!, part.hour!, part.minute!, part.second!);
}

/** The calendar day in `timeZone` of an instant. */
export function dayInTimeZone(epochMs: number, timeZone: string): IsoDay {
  return new Date(wallClock(epochMs, timeZone)).toISOString().slice(0, 10);
}

/**
 * The instant (epoch ms) at which the wall clock of `timeZone` shows `hour`:00 on `day`. The offset
 * is found at the guess and checked once more, so a day that changes offset (DST) is right too; an
 * hour that does not exist that day (skipped by DST) is not supported.
 */
export function instantOfLocalHour(day: IsoDay, hour: number, timeZone: string): number {
  const wanted = Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);
  let instant = wanted - (wallClock(wanted, timeZone) - wanted);
  instant += wanted - wallClock(instant, timeZone);
  if (wallClock(instant, timeZone) !== wanted) {
    throw new RangeError(`${day} ${hour}:00 does not exist in ${timeZone}`);
  }
  return instant;
}
