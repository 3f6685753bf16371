/**
 * Deterministic synthetic billing data that the three simulators serve, each in its own wire format.
 * INTERFACE ONLY for now: the generator is being written (see createBillingDataset below).
 */
import type { ChargeCategory, IsoDay } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";

export interface SimulatedCredit {
  name: string;
  /** Negative, as GCP exports it. */
  amount: number;
  type: string;
}

/** One billing row of a day, in the cloud's own vocabulary. */
export interface SimulatedLine {
  date: IsoDay;
  serviceName: string;
  serviceId?: string;
  usageType?: string;
  accountId: string;
  accountName: string;
  /** "" for rows without a region (taxes, some adjustments). */
  region: string;
  chargeCategory: ChargeCategory;
  /** Billed cost in `currency`; negative for credits/refunds. For GCP rows, excludes `credits`. */
  cost: number;
  currency: string;
  usageQuantity?: number;
  usageUnit?: string;
  /** GCP only: credits attached to the row (net = cost + sum(credits)). */
  credits?: SimulatedCredit[];
}

export interface BillingDatasetOptions {
  provider: CloudProvider;
  /** Same seed, same data. */
  seed: number;
  /** Billing currency of the account (AWS USD, GCP e.g. USD, Azure e.g. EUR). */
  currency: string;
  /** Size knobs for benchmarks; defaults give a realistic small tenant. */
  services?: number;
  accounts?: number;
  regions?: number;
  /** Days after this one do not exist yet (provider has no data for the future). */
  today: IsoDay;
}

export interface BillingDataset {
  readonly provider: CloudProvider;
  readonly currency: string;
  /** Rows of one day, stable across calls until `restate` changes that day. */
  linesForDay(day: IsoDay): SimulatedLine[];
  /** Whether the provider would still call the day estimated (within the current, unclosed month). */
  isEstimated(day: IsoDay): boolean;
  /** Changes the amounts of the given days (late-arriving usage), as real providers do until month close. */
  restate(days: IsoDay[]): void;
  /** Sum of `cost` (+ credits) over the days inclusive, in `currency`: the provider's own total. */
  total(start: IsoDay, end: IsoDay): number;
}
