/**
 * Deterministic synthetic billing data that the three simulators serve, each in its own wire format.
 * The structure (accounts, which services run where) comes from the seed; each day's amounts come
 * from (seed, day, restatements of that day), so any day can be produced alone, in any order.
 * Injected events (labelled anomalies and decoys, see InjectedEvent and labelled-events.ts) are
 * applied on top of a day's lines, so every simulator serves them without knowing of them.
 */
import type { ChargeCategory, IsoDay, IsoMonth } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import { isCloudProvider } from "../domain/provider.js";
import {
  addMonths,
  daysBetween,
  daysInRange,
  firstDayOfMonth,
  isIsoDay,
  isoWeekday,
  lastDayOfMonth,
  monthOf,
  toEpochDay,
} from "../domain/dates.js";
import { syntheticServiceId } from "./billing-catalog.js";
import { buildTenant, type Account, type Deployment } from "./billing-tenant.js";
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
  /** GCP only: the invoice month, when it is not the usage month (a late row of the month's last day). */
  invoiceMonth?: IsoMonth;
}

/** Labelled anomalies: the usage of one service, account or region moves. */
export type UsageEventKind = "SPIKE" | "DROP" | "LEVEL_SHIFT";
/** Labelled decoys: changes that look like anomalies but are not usage (see InjectedEvent). */
export type DecoyEventKind = "DECOY_CREDIT" | "DECOY_TAX" | "DECOY_RESTATEMENT" | "DECOY_FX";
export type InjectedEventKind = UsageEventKind | DecoyEventKind;
export const USAGE_EVENT_KINDS: readonly UsageEventKind[] = ["SPIKE", "DROP", "LEVEL_SHIFT"];
export const DECOY_EVENT_KINDS: readonly DecoyEventKind[] = [
  "DECOY_CREDIT",
  "DECOY_TAX",
  "DECOY_RESTATEMENT",
  "DECOY_FX",
];
/** What `key` names: a serviceName, an accountId or a region, as the provider bills it; CURRENCY for DECOY_FX only. */
export type EventDimension = "SERVICE" | "ACCOUNT" | "REGION" | "CURRENCY";

/**
 * One seeded change injected into a dataset, as plain data (JSON as is). The dataset applies it in
 * `linesForDay`; events of another provider than the dataset's are ignored, so one list can be
 * given to the three datasets.
 *
 * - SPIKE (one day, start === end), DROP (one day), LEVEL_SHIFT (3 days or more): every Usage line
 *   of the target (`dimension`/`key`) on each day from `start` to `end` moves. With `amount`, the
 *   target's daily usage changes by that signed amount, spread over its lines in proportion to
 *   their cost (a SERVICE event over the accounts and regions where the service runs, an ACCOUNT
 *   event over its services); with `factor`, each line is multiplied by it. A SPIKE raises
 *   (amount > 0, factor > 1), a DROP lowers (amount < 0, 0 <= factor < 1) and never below 0, a
 *   LEVEL_SHIFT moves either way. Credits, refunds and other lines stay as they were, so the day's
 *   net total moves by exactly the target's change.
 * - DECOY_CREDIT: one Credit line of `amount` (< 0) on one day of account `key` (dimension ACCOUNT),
 *   on the account's largest service of that day and its region.
 * - DECOY_TAX: one Tax line of `amount` (> 0) on one day of account `key` (dimension ACCOUNT),
 *   region "".
 * - DECOY_RESTATEMENT: a one-day change of a target like a SPIKE's or DROP's (`amount` or
 *   `factor`), absent until `dataset.applyRestatement(id)`: the day is first served without it, then
 *   with it, as when a provider restates a day weeks later. A collector sees it only by collecting
 *   the day again after the call.
 * - DECOY_FX: no billing change at all. Dimension CURRENCY, `key` the billing currency whose rate
 *   moves (e.g. "EUR"), start and end the first and last day of the month, `factor` the rate's
 *   multiplier (1.08). The rates come from `sandboxExchangeRatesWithDecoys` (exchange-rates.ts).
 */
export interface InjectedEvent {
  /** Unique among the events given to a dataset. */
  id: string;
  kind: InjectedEventKind;
  provider: CloudProvider;
  dimension: EventDimension;
  /** The serviceName, accountId or region as the provider bills it (a currency code for DECOY_FX). */
  key: string;
  /** A human description, e.g. "SPIKE of 10σ in service Amazon Relational Database Service". */
  label: string;
  /** First day, inclusive. */
  start: IsoDay;
  /** Last day, inclusive. */
  end: IsoDay;
  /** Multiplier of the target's lines (or of the rate, for DECOY_FX); exclusive with `amount`. */
  factor?: number;
  /** Signed change of the target's daily amount in the billing currency (the decoy line's amount for credits and taxes). */
  amount?: number;
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
  /** Labelled anomalies and decoys to inject (see InjectedEvent); none by default. */
  events?: readonly InjectedEvent[];
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
  /** The injected events of this dataset's provider (copies), in the order they are applied. */
  readonly events: readonly InjectedEvent[];
  /**
   * Makes a DECOY_RESTATEMENT event show from now on (its days change on the next `linesForDay`);
   * returns the days it changes. Applying it again changes nothing. Throws for an unknown id or
   * another kind of event.
   */
  applyRestatement(id: string): IsoDay[];
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

const LEVEL_SHIFT_MIN_DAYS = 3;

/** The tenant's keys an event may name, to catch a misspelt target at once. */
interface TenantKeys {
  SERVICE: Set<string>;
  ACCOUNT: Set<string>;
  REGION: Set<string>;
}

function tenantKeys(accounts: readonly Account[], deployments: readonly Deployment[]): TenantKeys {
  return {
    SERVICE: new Set(deployments.map((d) => d.service.name)),
    ACCOUNT: new Set(accounts.map((a) => a.id)),
    REGION: new Set(deployments.map((d) => d.region)),
  };
}

/** Checks the events of the dataset's provider (the others are checked for shape only) and returns those. */
function validateEvents(
  events: readonly InjectedEvent[],
  provider: CloudProvider,
  keys: TenantKeys,
): InjectedEvent[] {
  const ids = new Set<string>();
  const mine: InjectedEvent[] = [];
  events.forEach((event, index) => {
    const fail = (message: string): never => {
      throw new RangeError(`BillingDatasetOptions.events[${index}] (${String(event.id)}): ${message}`);
    };
    if (typeof event.id !== "string" || event.id === "") fail("id must be a non-empty string");
    if (ids.has(event.id)) fail("id is given twice");
    ids.add(event.id);
    if (![...USAGE_EVENT_KINDS, ...DECOY_EVENT_KINDS].includes(event.kind)) {
      fail(`unknown kind ${String(event.kind)}`);
    }
    if (!isCloudProvider(event.provider)) fail(`provider must be AWS, GCP or AZURE`);
    if (!isIsoDay(event.start) || !isIsoDay(event.end) || event.end < event.start) {
      fail("start and end must be calendar days, start <= end");
    }
    const hasFactor = event.factor !== undefined;
    const hasAmount = event.amount !== undefined;
    if (hasFactor && !Number.isFinite(event.factor)) fail("factor must be a finite number");
    if (hasAmount && !Number.isFinite(event.amount)) fail("amount must be a finite number");
    const days = daysBetween(event.start, event.end) + 1;
    const factor = event.factor ?? 1;
    const amount = event.amount ?? 0;
    const oneDay = () => {
      if (days !== 1) fail(`a ${event.kind} lasts one day (start === end)`);
    };
    const factorOrAmount = () => {
      if (hasFactor === hasAmount) fail("give exactly one of factor and amount");
    };
    const dimensions = (allowed: EventDimension[]) => {
      if (!allowed.includes(event.dimension)) fail(`dimension must be ${allowed.join(" or ")}`);
    };
    switch (event.kind) {
      case "SPIKE":
        oneDay();
        factorOrAmount();
        if (hasFactor ? factor <= 1 : amount <= 0) fail("a SPIKE raises: factor > 1 or amount > 0");
        break;
      case "DROP":
        oneDay();
        factorOrAmount();
        if (hasFactor ? factor < 0 || factor >= 1 : amount >= 0) {
          fail("a DROP lowers: 0 <= factor < 1 or amount < 0");
        }
        break;
      case "LEVEL_SHIFT":
        if (days < LEVEL_SHIFT_MIN_DAYS) fail(`a LEVEL_SHIFT lasts ${LEVEL_SHIFT_MIN_DAYS} days or more`);
        factorOrAmount();
        if (hasFactor ? factor < 0 || factor === 1 : amount === 0) {
          fail("a LEVEL_SHIFT moves: factor >= 0 and !== 1, or amount !== 0");
        }
        break;
      case "DECOY_RESTATEMENT":
        oneDay();
        factorOrAmount();
        if (hasFactor ? factor < 0 || factor === 1 : amount === 0) {
          fail("a DECOY_RESTATEMENT changes the day: factor >= 0 and !== 1, or amount !== 0");
        }
        break;
      case "DECOY_CREDIT":
      case "DECOY_TAX":
        oneDay();
        dimensions(["ACCOUNT"]);
        if (hasFactor || !hasAmount) fail(`a ${event.kind} has an amount and no factor`);
        if (event.kind === "DECOY_CREDIT" ? amount >= 0 : amount <= 0) {
          fail(event.kind === "DECOY_CREDIT" ? "a credit is negative" : "a tax is positive");
        }
        break;
      case "DECOY_FX":
        dimensions(["CURRENCY"]);
        if (!/^[A-Z]{3}$/.test(event.key)) fail("key must be the ISO 4217 code of the billed currency");
        if (!hasFactor || hasAmount || factor <= 0)
          fail("a DECOY_FX has a factor > 0 (the rate's) and no amount");
        if (
          event.start !== firstDayOfMonth(monthOf(event.start)) ||
          event.end !== lastDayOfMonth(monthOf(event.start))
        ) {
          fail("a DECOY_FX spans one calendar month, first to last day");
        }
        break;
    }
    if (event.kind !== "DECOY_FX") dimensions(["SERVICE", "ACCOUNT", "REGION"]);
    if (event.provider !== provider) return;
    if (event.dimension !== "CURRENCY" && !keys[event.dimension].has(event.key)) {
      fail(`no ${event.dimension.toLowerCase()} ${JSON.stringify(event.key)} in this tenant`);
    }
    mine.push({ ...event });
  });
  return mine;
}

function matches(event: InjectedEvent, line: SimulatedLine): boolean {
  if (line.chargeCategory !== "Usage") return false;
  if (event.dimension === "SERVICE") return line.serviceName === event.key;
  if (event.dimension === "ACCOUNT") return line.accountId === event.key;
  return event.dimension === "REGION" && line.region === event.key;
}

/** The target's usage lines of the day, moved by the event (new objects; the others untouched). */
function moveUsage(lines: SimulatedLine[], event: InjectedEvent): SimulatedLine[] {
  const target = lines.filter((line) => matches(event, line));
  const total = target.reduce((sum, line) => sum + line.cost, 0);
  let ratio = event.factor ?? 1;
  if (event.amount !== undefined) ratio = total > 0 ? 1 + event.amount / total : 1;
  ratio = Math.max(0, ratio);
  return lines.map((line) => {
    if (!matches(event, line)) return line;
    const moved: SimulatedLine = { ...line, cost: roundAmount(line.cost * ratio) };
    if (line.usageQuantity !== undefined) {
      moved.usageQuantity = Math.round(line.usageQuantity * ratio * 1e6) / 1e6;
    }
    return moved;
  });
}

/**
 * Builds a dataset. Per cloud, the extras real bills carry: AWS monthly Tax per account, a Savings
 * Plans fee (Purchase) on the 1st and Credit rows; GCP credits attached to usage rows (sustained use
 * discounts on Compute Engine, promotions), one invoice-level tax row a month without project or
 * region, and on the month's last day one late Adjustment that misses the invoice's close and is
 * billed in the next invoice month; all clouds one negative Adjustment (a refund) a month. Azure
 * ActualCost carries no tax.
 */
export function createBillingDataset(options: BillingDatasetOptions): BillingDataset {
  validateOptions(options);
  const { provider, currency, today, seed } = options;
  const firstDay = options.firstDay ?? firstDayOfMonth(addMonths(monthOf(today), -DEFAULT_HISTORY_MONTHS));
  const { accounts, deployments } = buildTenant(options);
  const events = validateEvents(options.events ?? [], provider, tenantKeys(accounts, deployments));
  /** DECOY_RESTATEMENT events that applyRestatement has made visible. */
  const appliedRestatements = new Set<string>();
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

  /** The decoy line a DECOY_CREDIT or DECOY_TAX adds to the day, or none when the account has no usage for a credit. */
  function decoyLine(event: InjectedEvent, lines: readonly SimulatedLine[]): SimulatedLine[] {
    const account = accounts.find((a) => a.id === event.key);
    if (!account || event.amount === undefined) return [];
    const fields = { date: event.start, accountId: account.id, accountName: account.name, currency };
    if (event.kind === "DECOY_TAX") {
      const service = provider === "GCP" ? "Invoice" : "Tax";
      return [
        {
          ...fields,
          serviceName: service,
          ...(provider === "GCP" ? { serviceId: syntheticServiceId(service) } : {}),
          usageType: "Tax",
          region: "",
          chargeCategory: "Tax",
          cost: roundAmount(event.amount),
        },
      ];
    }
    const largest = lines
      .filter((line) => line.chargeCategory === "Usage" && line.accountId === account.id)
      .reduce<SimulatedLine | undefined>(
        (best, line) => (best && best.cost >= line.cost ? best : line),
        undefined,
      );
    if (!largest) return [];
    return [
      {
        ...fields,
        serviceName: largest.serviceName,
        ...(largest.serviceId === undefined ? {} : { serviceId: largest.serviceId }),
        // GCP reads the credit's type from it; the others the record type's usage type.
        usageType: provider === "GCP" ? "PROMOTION" : "Credit",
        region: largest.region,
        chargeCategory: "Credit",
        cost: roundAmount(event.amount),
      },
    ];
  }

  /** The day's lines with this provider's events applied, in their order. */
  function applyEvents(day: IsoDay, generated: SimulatedLine[]): SimulatedLine[] {
    let lines = generated;
    for (const event of events) {
      if (day < event.start || day > event.end) continue;
      switch (event.kind) {
        case "DECOY_FX":
          break;
        case "DECOY_CREDIT":
        case "DECOY_TAX":
          lines = [...lines, ...decoyLine(event, lines)];
          break;
        case "DECOY_RESTATEMENT":
          if (appliedRestatements.has(event.id)) lines = moveUsage(lines, event);
          break;
        default:
          lines = moveUsage(lines, event);
      }
    }
    return lines;
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
    if (provider === "GCP" && day === lastDayOfMonth(monthOf(day))) lines.push(...lateLine(day, usages));
    return lines;
  }

  /**
   * GCP: usage of the month's last day metered after the invoice closed, billed on the next month's
   * invoice (its invoice.month) while its usage day stays. Drawn from no random number, so the other
   * rows of the day stay as they were.
   */
  function lateLine(day: IsoDay, usages: readonly SimulatedLine[]): SimulatedLine[] {
    const largest = usages.reduce<SimulatedLine | undefined>(
      (best, line) => (best && best.cost >= line.cost ? best : line),
      undefined,
    );
    if (!largest) return [];
    const { usageQuantity: _quantity, usageUnit: _unit, credits: _credits, ...rest } = largest;
    return [
      {
        ...rest,
        chargeCategory: "Adjustment",
        usageType: "Late usage correction",
        cost: roundAmount(largest.cost * 0.1),
        invoiceMonth: addMonths(monthOf(day), 1),
      },
    ];
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
        lines = applyEvents(day, generateDay(day));
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
    get events() {
      return events.map((event) => ({ ...event }));
    },
    applyRestatement(id) {
      const event = events.find((candidate) => candidate.id === id);
      if (event?.kind !== "DECOY_RESTATEMENT") {
        throw new RangeError(
          `applyRestatement: no DECOY_RESTATEMENT event ${JSON.stringify(id)} in this dataset`,
        );
      }
      const days = daysInRange(event.start, event.end);
      if (!appliedRestatements.has(id)) {
        appliedRestatements.add(id);
        for (const day of days) cache.delete(day);
      }
      return days;
    },
  };
  return dataset;
}
