/**
 * Deterministic synthetic billing data that the three simulators serve, each in its own wire format.
 * The structure (accounts, which services run where) comes from the seed; each day's amounts come
 * from (seed, day, restatements of that day), so any day can be produced alone, in any order.
 */
import type { ChargeCategory, IsoDay } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import { isCloudProvider } from "../domain/provider.js";
import {
  addMonths,
  daysInRange,
  firstDayOfMonth,
  isIsoDay,
  isoWeekday,
  monthOf,
  toEpochDay,
} from "../domain/dates.js";
import { syntheticServiceId } from "./billing-catalog.js";
import { buildTenant, type Deployment } from "./billing-tenant.js";
import { mixSeed, mulberry32 } from "./seeded-random.js";

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
  /** The account's first billed day; none before (default: the first day of the month 36 months before today's). */
  firstDay?: IsoDay;
}

export interface BillingDataset {
  readonly provider: CloudProvider;
  readonly currency: string;
  /** The last day with data: later days have no lines (simulators answer nothing for them). */
  readonly today: IsoDay;
  /** The first day with data: earlier days have no lines. */
  readonly firstDay: IsoDay;
  /** Rows of one day, stable across calls until `restate` changes that day. */
  linesForDay(day: IsoDay): SimulatedLine[];
  /** Whether the provider would still call the day estimated (within the current, unclosed month). */
  isEstimated(day: IsoDay): boolean;
  /** Changes the amounts of the given days (late-arriving usage), as real providers do until month close. */
  restate(days: IsoDay[]): void;
  /** Sum of `cost` (+ credits) over the days inclusive, in `currency`: the provider's own total. */
  total(start: IsoDay, end: IsoDay): number;
}

/** Cost grows slowly from this day on (and shrinks before it), like a growing tenant. */
const GROWTH_ORIGIN = toEpochDay("2025-01-01");
const DAILY_GROWTH = 0.0006;
const WEEKEND_FACTOR = 0.62;
const TINY_AMOUNT = 0.0000008;
/** A tenant billed for three years before the current month, more than any billing API serves. */
const DEFAULT_HISTORY_MONTHS = 36;

/** Billing APIs send at most 10 decimals (Cost Explorer amounts are strings like "12.3456789012"). */
export function roundAmount(amount: number): number {
  return Math.round(amount * 1e10) / 1e10;
}

function validateOptions(options: BillingDatasetOptions): void {
  if (!isCloudProvider(options.provider)) {
    throw new RangeError(
      `BillingDatasetOptions.provider: must be AWS, GCP or AZURE, got ${String(options.provider)}`,
    );
  }
  if (!Number.isInteger(options.seed)) {
    throw new RangeError(`BillingDatasetOptions.seed: must be an integer, got ${String(options.seed)}`);
  }
  if (!/^[A-Z]{3}$/.test(options.currency)) {
    throw new RangeError(
      `BillingDatasetOptions.currency: must be an ISO 4217 code, got ${String(options.currency)}`,
    );
  }
  for (const field of ["today", "firstDay"] as const) {
    if (field === "firstDay" && options.firstDay === undefined) continue;
    if (!isIsoDay(options[field])) {
      throw new RangeError(
        `BillingDatasetOptions.${field}: must be a YYYY-MM-DD calendar day, got ${String(options[field])}`,
      );
    }
  }
}

/**
 * Builds a dataset. Per cloud, the extras real bills carry: AWS monthly Tax per account, a Savings
 * Plans fee (Purchase) on the 1st and Credit rows; GCP credits attached to usage rows (sustained use
 * discounts on Compute Engine, promotions) and one invoice-level tax row a month without project or
 * region; all clouds one negative Adjustment (a refund) a month. Azure ActualCost carries no tax.
 */
export function createBillingDataset(options: BillingDatasetOptions): BillingDataset {
  validateOptions(options);
  const { provider, currency, today, seed } = options;
  const firstDay = options.firstDay ?? firstDayOfMonth(addMonths(monthOf(today), -DEFAULT_HISTORY_MONTHS));
  const { accounts, deployments } = buildTenant(options);
  const restatements = new Map<IsoDay, number>();
  const cache = new Map<IsoDay, SimulatedLine[]>();

  function usageLine(deployment: Deployment, day: IsoDay, random: () => number): SimulatedLine {
    const { service, account, region } = deployment;
    const weekend = isoWeekday(day) >= 6;
    const weekly = service.pattern === "business" && weekend ? WEEKEND_FACTOR : 1;
    const growth = Math.max(0.3, 1 + DAILY_GROWTH * (toEpochDay(day) - GROWTH_ORIGIN));
    const noise = 0.85 + 0.3 * random();
    const cost = service.tiny
      ? roundAmount(TINY_AMOUNT * (1 + Math.floor(noise * 3)))
      : roundAmount(service.dailyCost * account.scale * deployment.weight * weekly * growth * noise);
    const line: SimulatedLine = {
      date: day,
      serviceName: service.name,
      usageType: service.usageType,
      accountId: account.id,
      accountName: account.name,
      region,
      chargeCategory: "Usage",
      cost,
      currency,
      usageQuantity: Math.round((cost / service.unitPrice) * 1e6) / 1e6,
      usageUnit: service.usageUnit,
    };
    if (service.id !== undefined) line.serviceId = service.id;
    return line;
  }

  /** Promotional credits cover part of some services in the first account. */
  const promoted = (d: Deployment) => d.accountIndex === 0 && d.serviceIndex % 4 === 1;

  function creditsFor(deployment: Deployment, usage: SimulatedLine): SimulatedLine[] {
    if (provider === "GCP") {
      const credits: SimulatedCredit[] = [];
      if (deployment.service.name === "Compute Engine") {
        credits.push({
          name: "Sustained Usage Discount",
          amount: -roundAmount(usage.cost * 0.2),
          type: "SUSTAINED_USAGE_DISCOUNT",
        });
      }
      if (promoted(deployment)) {
        credits.push({
          name: "Promotional credit",
          amount: -roundAmount(usage.cost * 0.3),
          type: "PROMOTION",
        });
      }
      if (credits.length > 0) usage.credits = credits;
      return [];
    }
    if (provider === "AWS" && promoted(deployment)) {
      const { usageQuantity: _quantity, usageUnit: _unit, ...rest } = usage;
      return [
        { ...rest, chargeCategory: "Credit", usageType: "Credit", cost: -roundAmount(usage.cost * 0.3) },
      ];
    }
    return [];
  }

  function monthlyLines(day: IsoDay, random: () => number): SimulatedLine[] {
    const invoiceLine = (
      fields: Partial<SimulatedLine> & Pick<SimulatedLine, "serviceName" | "chargeCategory" | "cost">,
    ) => ({
      date: day,
      accountId: "",
      accountName: "",
      region: "",
      currency,
      ...fields,
    });
    if (provider === "AWS") {
      const [first] = accounts;
      const purchase = first
        ? [
            invoiceLine({
              serviceName: "Savings Plans for AWS Compute usage",
              usageType: "ComputeSP:1yrNoUpfront",
              accountId: first.id,
              accountName: first.name,
              chargeCategory: "Purchase",
              cost: roundAmount(400 * first.scale),
            }),
          ]
        : [];
      const taxes = accounts.map((account) =>
        invoiceLine({
          serviceName: "Tax",
          usageType: "Tax",
          accountId: account.id,
          accountName: account.name,
          chargeCategory: "Tax",
          cost: roundAmount(35 * account.scale * (0.9 + 0.2 * random())),
        }),
      );
      return [...purchase, ...taxes];
    }
    if (provider === "GCP") {
      const tax = 60 * (0.9 + 0.2 * random());
      return [
        invoiceLine({
          serviceName: "Invoice",
          serviceId: syntheticServiceId("Invoice"),
          usageType: "Tax",
          chargeCategory: "Tax",
          cost: roundAmount(tax),
        }),
      ];
    }
    return [];
  }

  /** One refund a month, on a day of the month drawn from the seed. */
  function refundDayOf(day: IsoDay): IsoDay {
    const month = monthOf(day);
    const dayOfMonth = 1 + (mixSeed(seed, Number(month.replace("-", ""))) % 28);
    return `${month}-${String(dayOfMonth).padStart(2, "0")}`;
  }

  function generateDay(day: IsoDay): SimulatedLine[] {
    const random = mulberry32(mixSeed(seed, toEpochDay(day), restatements.get(day) ?? 0));
    const lines: SimulatedLine[] = [];
    const usages: SimulatedLine[] = [];
    for (const deployment of deployments) {
      const usage = usageLine(deployment, day, random);
      usages.push(usage);
      lines.push(usage, ...creditsFor(deployment, usage));
    }
    if (day.endsWith("-01")) lines.push(...monthlyLines(day, random));
    const refunded = usages[Math.floor(random() * usages.length)];
    if (day === refundDayOf(day) && refunded) {
      const { usageQuantity: _quantity, usageUnit: _unit, credits: _credits, ...rest } = refunded;
      lines.push({
        ...rest,
        chargeCategory: "Adjustment",
        usageType: "Refund",
        cost: -roundAmount(refunded.cost * (0.2 + 0.6 * random())),
      });
    }
    return lines;
  }

  const dataset: BillingDataset = {
    provider,
    currency,
    today,
    firstDay,
    linesForDay(day) {
      if (!isIsoDay(day))
        throw new RangeError(`linesForDay: day must be a YYYY-MM-DD calendar day, got ${String(day)}`);
      if (day > today || day < firstDay) return [];
      let lines = cache.get(day);
      if (!lines) {
        lines = generateDay(day);
        cache.set(day, lines);
      }
      return lines.slice();
    },
    isEstimated(day) {
      return monthOf(day) === monthOf(today);
    },
    restate(days) {
      for (const day of days) {
        restatements.set(day, (restatements.get(day) ?? 0) + 1);
        cache.delete(day);
      }
    },
    total(start, end) {
      let sum = 0;
      for (const day of daysInRange(start, end)) {
        for (const line of dataset.linesForDay(day)) {
          sum += line.cost + (line.credits ?? []).reduce((credits, credit) => credits + credit.amount, 0);
        }
      }
      return roundAmount(sum);
    },
  };
  return dataset;
}
