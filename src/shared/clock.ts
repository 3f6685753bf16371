/**
 * The one source of "now" for everything that asks what day it is: collection windows, estimated
 * flags, history limits, TTLs, the sandbox's data. Production reads the system clock; the sandbox
 * and tests inject one that starts on a chosen day, so no behaviour depends on the real date.
 */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * A clock that reads `day` at the real time of day when it is made, then runs at real speed (so
 * timers, heartbeats and lock expiries keep working). Refuses anything but a real calendar day.
 */
export function clockStartingOn(day: string, real: Clock = systemClock): Clock {
  const match = DAY_PATTERN.exec(day);
  const start = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || new Date(start).toISOString().slice(0, 10) !== day) {
    throw new RangeError(`${JSON.stringify(day)} is not a calendar day (YYYY-MM-DD)`);
  }
  const startedAt = real().getTime();
  const offset = start + (startedAt % 86_400_000) - startedAt;
  return () => new Date(real().getTime() + offset);
}
