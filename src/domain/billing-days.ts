/**
 * Each provider's billing day: the calendar day its own console and invoice put a cost on (sources in
 * src/providers/README.md). Adapters ask their API for these days; the domain needs the rule to know
 * when such a day is over.
 */
import type { IsoDay } from "./cost-record.js";
import { addDays } from "./dates.js";
import type { CloudProvider } from "./provider.js";
import { instantOfLocalHour } from "./time-zones.js";

export const BILLING_TIME_ZONES: Readonly<Record<CloudProvider, string>> = {
  AWS: "UTC",
  AZURE: "UTC",
  // Google's billing reports cut days at midnight Pacific time, daylight saving observed.
  GCP: "America/Los_Angeles",
};

/** Epoch seconds at which the provider's billing day `day` ends (its next day's midnight there). */
export function billingDayEndEpochSeconds(provider: CloudProvider, day: IsoDay): number {
  return instantOfLocalHour(addDays(day, 1), 0, BILLING_TIME_ZONES[provider]) / 1000;
}
