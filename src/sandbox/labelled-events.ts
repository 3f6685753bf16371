/**
 * Labelled ground truth for anomaly detection: seeded plans of events to inject into a billing
 * dataset (InjectedEvent, applied by billing-dataset.ts in every simulator's wire format), and one
 * label per event saying what a detector should find: the kind, where (provider, service, account
 * or region), when, how large, and the cause it should name.
 *
 * Sizes are multiples of the target's robust daily variability, measured on the dataset itself:
 * σ = 1.4826 · MAD of the target's daily Usage amounts over the 28 days before the event (for an FX
 * month, of the provider's daily net total). SMALL is about 3σ (just detectable), MEDIUM 5σ, LARGE
 * 10σ; a label's band is read from the multiple actually injected (a DROP cannot go below 0).
 *
 * Usage: plan on an event-free dataset, then inject the plan into a dataset of the same options:
 *   const baseline = createBillingDataset(options);
 *   const plan = planLabelledEvents({ seed, dataset: baseline, months: 13 });
 *   const dataset = createBillingDataset({ ...options, events: plan.events });
 *   writeFile("labels.json", JSON.stringify(plan.labels()));
 * Decoys the harness must act on: each DECOY_RESTATEMENT after the first collection of its day
 * (`dataset.applyRestatement(id)`, then collect the day again), and each DECOY_FX by loading
 * `sandboxExchangeRatesWithDecoys(months, plan.events)` (exchange-rates.ts) instead of the plain rates.
 */
import type { AnomalyCause } from "../domain/anomaly.js";
import type { IsoDay, IsoMonth } from "../domain/cost-record.js";
import type { CloudProvider } from "../domain/provider.js";
import {
  addDays,
  addMonths,
  daysBetween,
  daysInRange,
  firstDayOfMonth,
  lastDayOfMonth,
  monthOf,
} from "../domain/dates.js";
import { BILLING_CATALOGS } from "./billing-catalog.js";
import {
  roundAmount,
  type BillingDataset,
  type EventDimension,
  type InjectedEvent,
  type InjectedEventKind,
  type SimulatedLine,
  USAGE_EVENT_KINDS,
} from "./billing-dataset.js";
import { mixSeed, mulberry32 } from "./seeded-random.js";

/**
 * The cause a detector should give the change (the product's own AnomalyCause): USAGE for real
 * anomalies, the decoy's own otherwise.
 */
export type ExpectedCause = AnomalyCause;
/** How large an event is against its target's daily variability (see sizeBandOf). */
export type SizeBand = "SMALL" | "MEDIUM" | "LARGE";

export const EXPECTED_CAUSES: Readonly<Record<InjectedEventKind, ExpectedCause>> = {
  SPIKE: "USAGE",
  DROP: "USAGE",
  LEVEL_SHIFT: "USAGE",
  DECOY_CREDIT: "CREDIT",
  DECOY_TAX: "TAX",
  DECOY_RESTATEMENT: "RESTATEMENT",
  DECOY_FX: "EXCHANGE_RATE",
};

/** The σ multiple the planner aims at for each band: just detectable, clear, large. */
export const SIZE_BAND_SIGMAS: Readonly<Record<SizeBand, number>> = { SMALL: 3, MEDIUM: 5, LARGE: 10 };

/** SMALL below 4σ, MEDIUM from 4σ to below 7.5σ, LARGE from 7.5σ. */
export function sizeBandOf(sigmaMultiple: number): SizeBand {
  if (sigmaMultiple < 4) return "SMALL";
  return sigmaMultiple < 7.5 ? "MEDIUM" : "LARGE";
}

/** Days before an event its target's variability is measured on. */
export const BASELINE_DAYS = 28;
/** Scales a median absolute deviation to a normal distribution's standard deviation. */
const MAD_TO_SIGMA = 1.4826;
/** The multiple decoys are sized at: large enough that a detector blind to causes flags them. */
const DECOY_SIGMAS = 10;
/** The rate multiplier of a DECOY_FX month. */
export const FX_DECOY_FACTOR = 1.08;
/** A lowering event takes at most this share of its target's smallest day (so never reaches 0). */
const MAX_DROP_SHARE = 0.9;
const LEVEL_SHIFT_DAYS = { min: 3, max: 7 };

/** The dimensions a usage event can land in. */
export type UsageDimension = Exclude<EventDimension, "CURRENCY">;

/** What a detector should find for one injected event, as plain JSON. Amounts in the billing currency. */
export interface EventLabel {
  id: string;
  kind: InjectedEventKind;
  provider: CloudProvider;
  dimension: EventDimension;
  /** The serviceName, accountId or region as the provider bills it (the currency for DECOY_FX). */
  key: string;
  label: string;
  start: IsoDay;
  end: IsoDay;
  expectedCause: ExpectedCause;
  sizeBand: SizeBand;
  /** |amountPerDay| / sigma. */
  sigmaMultiple: number;
  /** 1.4826 · MAD of the target's daily amounts over the BASELINE_DAYS days before `start`. */
  sigma: number;
  /** Median of the same days. */
  baselineMedian: number;
  /** Signed average change of the target per day of the event (for DECOY_FX, what the rate change is worth). */
  amountPerDay: number;
  /** Signed change over all the event's days (days after the dataset's today excluded). */
  totalAmount: number;
  currency: string;
  /** DECOY_RESTATEMENT: the day is served without the change until `dataset.applyRestatement(id)`. */
  appliesAfterFirstServe: boolean;
  /** DECOY_FX: the month whose rate moves, and by how much. */
  month?: IsoMonth;
  rateFactor?: number;
}

/** Events to inject, and their labels. */
export interface LabelledEventPlan {
  readonly events: readonly InjectedEvent[];
  /** Fresh plain objects each call, ready for JSON.stringify. */
  labels(): EventLabel[];
}

/** Median and σ = 1.4826 · MAD; a σ of 0 (flat series) becomes 1% of the median, so multiples stay finite. */
export function robustSpread(values: readonly number[]): { median: number; sigma: number } {
  if (values.length === 0) return { median: 0, sigma: 0 };
  const median = medianOf(values);
  const sigma = MAD_TO_SIGMA * medianOf(values.map((value) => Math.abs(value - median)));
  return { median, sigma: sigma > 0 ? sigma : Math.abs(median) * 0.01 };
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const netOf = (line: SimulatedLine) =>
  line.cost + (line.credits ?? []).reduce((sum, credit) => sum + credit.amount, 0);

/** The key a usage line has in a dimension. */
function keyOf(line: SimulatedLine, dimension: UsageDimension): string {
  if (dimension === "SERVICE") return line.serviceName;
  return dimension === "ACCOUNT" ? line.accountId : line.region;
}

/**
 * Each key's daily Usage amount (sum of cost) over the days, 0 where it has none; CURRENCY gives the
 * day's net total of every line under the key "" (what an exchange rate multiplies).
 */
export function dailyAmountsByKey(
  dataset: BillingDataset,
  dimension: EventDimension,
  days: readonly IsoDay[],
): Map<string, number[]> {
  const series = new Map<string, number[]>();
  days.forEach((day, index) => {
    for (const line of dataset.linesForDay(day)) {
      if (dimension === "CURRENCY") {
        add(series, "", days.length, index, netOf(line));
      } else if (line.chargeCategory === "Usage") {
        add(series, keyOf(line, dimension), days.length, index, line.cost);
      }
    }
  });
  return series;
}

function add(series: Map<string, number[]>, key: string, length: number, index: number, amount: number) {
  let values = series.get(key);
  if (!values) {
    values = new Array<number>(length).fill(0);
    series.set(key, values);
  }
  values[index]! += amount;
}

/** The series an event's size is measured on: its target's, an account's for credits and taxes, the total for FX. */
function seriesOf(dataset: BillingDataset, event: InjectedEvent, days: readonly IsoDay[]): number[] {
  return (
    dailyAmountsByKey(dataset, event.dimension, days).get(event.dimension === "CURRENCY" ? "" : event.key) ??
    days.map(() => 0)
  );
}

/** The BASELINE_DAYS days before a day, from the dataset's first day on. */
function baselineDays(dataset: BillingDataset, start: IsoDay): IsoDay[] {
  return daysInRange(addDays(start, -BASELINE_DAYS), addDays(start, -1)).filter(
    (day) => day >= dataset.firstDay,
  );
}

/**
 * The label of an event, measured on `baseline`: a dataset of the same options without events.
 * Works for any valid InjectedEvent, hand-written ones included.
 */
export function describeEvent(baseline: BillingDataset, event: InjectedEvent): EventLabel {
  const { median, sigma } = robustSpread(seriesOf(baseline, event, baselineDays(baseline, event.start)));
  const days = daysInRange(event.start, event.end > baseline.today ? baseline.today : event.end);
  const target = seriesOf(baseline, event, days);
  const deltas = target.map((amount) => {
    switch (event.kind) {
      case "DECOY_CREDIT":
      case "DECOY_TAX":
        return event.amount ?? 0;
      case "DECOY_FX":
        return amount * ((event.factor ?? 1) - 1);
      default:
        if (event.amount !== undefined) return amount > 0 ? Math.max(event.amount, -amount) : 0;
        return amount * (Math.max(0, event.factor ?? 1) - 1);
    }
  });
  const totalAmount = deltas.reduce((sum, delta) => sum + delta, 0);
  const amountPerDay = deltas.length > 0 ? totalAmount / deltas.length : 0;
  const multiple = sigma > 0 ? Math.abs(amountPerDay) / sigma : 0;
  const label: EventLabel = {
    id: event.id,
    kind: event.kind,
    provider: event.provider,
    dimension: event.dimension,
    key: event.key,
    label: event.label,
    start: event.start,
    end: event.end,
    expectedCause: EXPECTED_CAUSES[event.kind],
    sizeBand: sizeBandOf(multiple),
    sigmaMultiple: Math.round(multiple * 1e4) / 1e4,
    sigma: roundAmount(sigma),
    baselineMedian: roundAmount(median),
    amountPerDay: roundAmount(amountPerDay),
    totalAmount: roundAmount(totalAmount),
    currency: baseline.currency,
    appliesAfterFirstServe: event.kind === "DECOY_RESTATEMENT",
  };
  if (event.kind === "DECOY_FX") {
    label.month = monthOf(event.start);
    label.rateFactor = event.factor ?? 1;
  }
  return label;
}

/** Labels for events, measured on an event-free baseline; a plan over them. */
export function labelledPlan(
  baselines: Partial<Record<CloudProvider, BillingDataset>>,
  events: readonly InjectedEvent[],
): LabelledEventPlan {
  const labels = events.map((event) => {
    const baseline = baselines[event.provider];
    if (!baseline)
      throw new RangeError(`labelledPlan: no baseline dataset for ${event.provider} (event ${event.id})`);
    return describeEvent(baseline, event);
  });
  const frozen = events.map((event) => Object.freeze({ ...event }));
  return {
    events: Object.freeze(frozen),
    labels: () => labels.map((label) => ({ ...label })),
  };
}

function assertEventFree(dataset: BillingDataset, caller: string): void {
  if (dataset.events.length > 0) {
    throw new RangeError(
      `${caller}: the dataset must have no events (it is the baseline events are sized on)`,
    );
  }
}

const formatAmount = (amount: number) => `${amount >= 0 ? "+" : ""}${amount.toFixed(2)}`;
const TARGET_NAMES: Record<EventDimension, string> = {
  SERVICE: "service",
  ACCOUNT: "account",
  REGION: "region",
  CURRENCY: "currency",
};

function describeText(
  kind: InjectedEventKind,
  dimension: EventDimension,
  key: string,
  sigmas: number,
  amount: number,
  currency: string,
  days: number,
): string {
  const size = `${(amount < 0 ? -sigmas : sigmas).toFixed(1)}σ, ${formatAmount(amount)} ${currency}/day`;
  const where = `${TARGET_NAMES[dimension]} ${key}`;
  switch (kind) {
    case "DECOY_CREDIT":
      return `Decoy: one credit line of ${formatAmount(amount)} ${currency} in ${where} (${sigmas.toFixed(1)}σ of its usage)`;
    case "DECOY_TAX":
      return `Decoy: one tax line of ${formatAmount(amount)} ${currency} in ${where} (${sigmas.toFixed(1)}σ of its usage)`;
    case "DECOY_RESTATEMENT":
      return `Decoy: ${where} restated by ${size} after the day was first served`;
    default:
      return `${kind} of ${size}${days > 1 ? ` for ${days} days` : ""} in ${where}`;
  }
}

/** What sizedEvent makes an event of. */
export interface SizedEventSpec {
  id: string;
  kind: Exclude<InjectedEventKind, "DECOY_FX">;
  dimension: UsageDimension;
  key: string;
  start: IsoDay;
  end: IsoDay;
  /** Wanted size in σ of the target; signed by `direction`. */
  sigmas: number;
  direction: 1 | -1;
}

/**
 * An event whose `amount` is `sigmas` σ of its target (σ measured on the baseline before `start`),
 * a lowering one capped at 90% of the target's smallest day so it never reaches 0.
 */
export function sizedEvent(baseline: BillingDataset, spec: SizedEventSpec): InjectedEvent {
  const days = daysInRange(spec.start, spec.end);
  const target = dailyAmountsByKey(baseline, spec.dimension, days).get(spec.key) ?? days.map(() => 0);
  const { sigma } = robustSpread(
    dailyAmountsByKey(baseline, spec.dimension, baselineDays(baseline, spec.start)).get(spec.key) ?? [],
  );
  let magnitude = spec.sigmas * sigma;
  if (spec.direction < 0 && spec.kind !== "DECOY_CREDIT") {
    magnitude = Math.min(magnitude, MAX_DROP_SHARE * Math.min(...target));
  }
  const amount = roundCents(spec.direction * magnitude);
  const actualSigmas = sigma > 0 ? Math.abs(amount) / sigma : 0;
  return {
    id: spec.id,
    kind: spec.kind,
    provider: baseline.provider,
    dimension: spec.dimension,
    key: spec.key,
    label: describeText(
      spec.kind,
      spec.dimension,
      spec.key,
      actualSigmas,
      amount,
      baseline.currency,
      days.length,
    ),
    start: spec.start,
    end: spec.end,
    amount,
  };
}

const roundCents = (amount: number) => Math.round(amount * 100) / 100;

export interface PlanLabelledEventsOptions {
  /** Same seed and dataset, same plan. */
  seed: number;
  /** The event-free dataset the plan is sized on; inject the plan into one created with the same options. */
  dataset: BillingDataset;
  /** Months of history, ending on the dataset's today, the events land in (the eval's backfill); default 13. */
  months?: number;
  /** SPIKE, DROP and LEVEL_SHIFT events per month of history (kinds, sizes and dimensions in turn); default 1. */
  eventsPerMonth?: number;
  /**
   * One of each decoy: a credit and a tax line (10σ of an account's usage), a restatement of a
   * service (+10σ) `restatementDaysBack` days before today, and an FX month when the dataset bills
   * in another currency than `reportingCurrency`. Default true.
   */
  decoys?: boolean;
  /** The client's currency: an FX decoy is planned only for datasets billed in another one. Default USD. */
  reportingCurrency?: string;
  /** Least days from the end of one event to the start of the next; default 10. */
  minGapDays?: number;
  /** No event starts in this many first days of the history (their baseline would be short); default 30. */
  warmupDays?: number;
  /** Day of the restatement decoy, counted back from today; default 20. */
  restatementDaysBack?: number;
  /** A target's median day must be at least this share of the provider's daily usage; default 0.5%. */
  minTargetShare?: number;
  /**
   * Dimensions usage events land in, in turn. Default SERVICE, ACCOUNT and REGION, but only SERVICE
   * and REGION for AZURE: the sandbox reads Azure at a subscription scope, where every row carries
   * the subscription, so an event in one of the dataset's accounts could not be told apart.
   */
  dimensions?: readonly UsageDimension[];
}

/** Per provider, the dimensions its collected data shows (see PlanLabelledEventsOptions.dimensions). */
export const DEFAULT_EVENT_DIMENSIONS: Readonly<Record<CloudProvider, readonly UsageDimension[]>> = {
  AWS: ["SERVICE", "ACCOUNT", "REGION"],
  GCP: ["SERVICE", "ACCOUNT", "REGION"],
  AZURE: ["SERVICE", "REGION"],
};

type Interval = { start: IsoDay; end: IsoDay };

const separated = (a: Interval, b: Interval, gap: number) =>
  daysBetween(a.end, b.start) >= gap || daysBetween(b.end, a.start) >= gap;

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [result[index], result[other]] = [result[other]!, result[index]!];
  }
  return result;
}

const PROVIDER_SALT: Record<CloudProvider, number> = { AWS: 1, GCP: 2, AZURE: 3 };
const DIMENSIONS: readonly UsageDimension[] = ["SERVICE", "ACCOUNT", "REGION"];
const BANDS: readonly SizeBand[] = ["SMALL", "MEDIUM", "LARGE"];

interface PlannedItem {
  kind: Exclude<InjectedEventKind, "DECOY_FX" | "DECOY_RESTATEMENT">;
  dimension: UsageDimension;
  sigmas: number;
  direction: 1 | -1;
  days: number;
}

/**
 * A seeded plan of labelled events for one dataset. Usage events: round(months × eventsPerMonth),
 * kinds SPIKE/DROP/LEVEL_SHIFT in turn, bands SMALL/MEDIUM/LARGE (3σ, 5σ, 10σ) in turn across
 * kinds, dimensions SERVICE/ACCOUNT/REGION in turn, shuffled. Days: the history after its warm-up
 * is cut into one stretch per event (and credit/tax decoy), each event placed at random in its
 * stretch, every two events at least `minGapDays` apart (the restatement day and the FX month's
 * first days count too). Targets: keys that bill every day of the event and of its baseline, with
 * a median of at least `minTargetShare` of the provider's usage, unused keys first; a lowering event
 * goes to a target that can lose its σ multiple without nearing 0, else it is capped at 90% of the
 * target's smallest day (and labelled with the band it got). Spreading: every 3 events in a row
 * cover the 3 kinds, bands and dimensions, every 9 the 9 kind-band pairs. Throws when the events cannot be spaced in the history.
 */
export function planLabelledEvents(options: PlanLabelledEventsOptions): LabelledEventPlan {
  const { dataset, seed } = options;
  assertEventFree(dataset, "planLabelledEvents");
  const months = options.months ?? 13;
  const gap = options.minGapDays ?? 10;
  const decoys = options.decoys ?? true;
  if (!Number.isInteger(seed))
    throw new RangeError(`planLabelledEvents: seed must be an integer, got ${seed}`);
  if (!(months > 0)) throw new RangeError(`planLabelledEvents: months must be positive, got ${months}`);
  const eventCount = Math.round(months * (options.eventsPerMonth ?? 1));
  const dimensions = options.dimensions ?? DEFAULT_EVENT_DIMENSIONS[dataset.provider];
  if (dimensions.length === 0 || dimensions.some((d) => !DIMENSIONS.includes(d))) {
    throw new RangeError(`planLabelledEvents: dimensions must be some of ${DIMENSIONS.join(", ")}`);
  }
  const historyStart = maxDay(
    dataset.firstDay,
    addDays(dataset.today, 1 - Math.round((months * 365.25) / 12)),
  );
  const window: Interval = {
    start: maxDay(addDays(historyStart, options.warmupDays ?? 30), addDays(dataset.firstDay, BASELINE_DAYS)),
    end: addDays(dataset.today, -1),
  };
  const random = mulberry32(mixSeed(seed, PROVIDER_SALT[dataset.provider], 0x1abe1));
  const id = (index: number) => `${dataset.provider.toLowerCase()}-${seed}-${String(index).padStart(2, "0")}`;

  // Fixed days first: the restatement, and the first days of the FX month and of the next month.
  const reserved: Interval[] = [];
  const restatementDay = addDays(dataset.today, -(options.restatementDaysBack ?? 20));
  const withRestatement = decoys && restatementDay >= window.start && restatementDay <= window.end;
  if (withRestatement) reserved.push({ start: restatementDay, end: restatementDay });
  let fxMonth: IsoMonth | undefined;
  if (decoys && dataset.currency !== (options.reportingCurrency ?? "USD")) {
    const eligible = monthsBetween(window.start, window.end).filter((month) => {
      const edges = [firstDayOfMonth(month), firstDayOfMonth(addMonths(month, 1))];
      return (
        edges[0]! >= window.start &&
        edges[1]! <= window.end &&
        edges.every((day) => reserved.every((other) => separated({ start: day, end: day }, other, gap)))
      );
    });
    fxMonth = eligible[Math.floor(random() * eligible.length)];
    if (fxMonth) {
      for (const day of [firstDayOfMonth(fxMonth), firstDayOfMonth(addMonths(fxMonth, 1))]) {
        reserved.push({ start: day, end: day });
      }
    }
  }

  // Where the cycles start, drawn per plan, so kinds, bands and dimensions pair evenly over seeds.
  const [bandOffset, dimensionOffset] = [Math.floor(random() * 3), Math.floor(random() * 3)];
  const items: PlannedItem[] = Array.from({ length: eventCount }, (_, index) => {
    // Mixed radix: every 3 in a row cover the 3 kinds, bands and dimensions; every 9 the 9 kind-band
    // pairs; every 27 the 27 kind-band-dimension triples.
    const [a, b, c] = [index % 3, Math.floor(index / 3) % 3, Math.floor(index / 9) % 3];
    const kind = USAGE_EVENT_KINDS[a]!;
    const band = BANDS[(a + b + bandOffset) % 3]!;
    const dimension = dimensions[(a + 2 * b + c + dimensionOffset) % dimensions.length]!;
    const direction = kind === "SPIKE" ? 1 : kind === "DROP" ? -1 : random() < 0.5 ? 1 : -1;
    const days =
      kind === "LEVEL_SHIFT"
        ? LEVEL_SHIFT_DAYS.min + Math.floor(random() * (LEVEL_SHIFT_DAYS.max - LEVEL_SHIFT_DAYS.min + 1))
        : 1;
    return { kind, dimension, sigmas: SIZE_BAND_SIGMAS[band], direction, days };
  });
  if (decoys) {
    items.push({ kind: "DECOY_CREDIT", dimension: "ACCOUNT", sigmas: DECOY_SIGMAS, direction: -1, days: 1 });
    items.push({ kind: "DECOY_TAX", dimension: "ACCOUNT", sigmas: DECOY_SIGMAS, direction: 1, days: 1 });
  }
  const order = shuffled(items, random);
  const placed = placeWithRetries(order, window, reserved, gap, (attempt) =>
    mulberry32(mixSeed(seed, PROVIDER_SALT[dataset.provider], 0x91ace, attempt)),
  );

  const picker = targetPicker(dataset, options.minTargetShare ?? 0.005, random);
  const events: InjectedEvent[] = [];
  order.forEach((item, index) => {
    const interval = placed[index]!;
    const key = picker(
      item.dimension,
      interval,
      item.kind === "DECOY_CREDIT" ? 1 : item.direction,
      item.sigmas,
    );
    events.push(sizedEvent(dataset, { id: id(events.length), ...item, ...interval, key }));
  });
  if (withRestatement) {
    const interval = { start: restatementDay, end: restatementDay };
    const key = picker("SERVICE", interval, 1, DECOY_SIGMAS);
    events.push(
      sizedEvent(dataset, {
        id: id(events.length),
        kind: "DECOY_RESTATEMENT",
        dimension: "SERVICE",
        ...interval,
        key,
        sigmas: DECOY_SIGMAS,
        direction: 1,
      }),
    );
  }
  if (fxMonth) {
    events.push({
      id: id(events.length),
      kind: "DECOY_FX",
      provider: dataset.provider,
      dimension: "CURRENCY",
      key: dataset.currency,
      label: `Decoy: the ${dataset.currency} exchange rate is ×${FX_DECOY_FACTOR} in ${fxMonth} (no billing change)`,
      start: firstDayOfMonth(fxMonth),
      end: lastDayOfMonth(fxMonth),
      factor: FX_DECOY_FACTOR,
    });
  }
  events.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  return labelledPlan({ [dataset.provider]: dataset }, events);
}

const maxDay = (a: IsoDay, b: IsoDay) => (a > b ? a : b);

function monthsBetween(start: IsoDay, end: IsoDay): IsoMonth[] {
  const result: IsoMonth[] = [];
  for (let month = monthOf(start); month <= monthOf(end); month = addMonths(month, 1)) result.push(month);
  return result;
}

/** Random placements can leave no room for the last events; a few other draws usually find one. */
const PLACEMENT_ATTEMPTS = 20;

function placeWithRetries(
  items: readonly PlannedItem[],
  window: Interval,
  reserved: readonly Interval[],
  gap: number,
  randomFor: (attempt: number) => () => number,
): Interval[] {
  for (let attempt = 0; ; attempt++) {
    try {
      return placeItems(items, window, reserved, gap, randomFor(attempt));
    } catch (error) {
      if (!(error instanceof NoRoom) || attempt + 1 >= PLACEMENT_ATTEMPTS) throw error;
    }
  }
}

class NoRoom extends RangeError {}

/**
 * One interval per item, in order: the window cut into as many stretches, each item at a random
 * feasible start in its stretch (else the feasible start nearest to it), all `gap` days apart.
 */
function placeItems(
  items: readonly PlannedItem[],
  window: Interval,
  reserved: readonly Interval[],
  gap: number,
  random: () => number,
): Interval[] {
  const length = daysBetween(window.start, window.end) + 1;
  const needed = items.reduce((sum, item) => sum + item.days + gap, 0) + reserved.length * (gap + 1);
  if (needed > length) {
    throw new RangeError(
      `planLabelledEvents: ${items.length} events ${gap} days apart need about ${needed} days, the history after its warm-up has ${length}; plan fewer events per month or a smaller gap`,
    );
  }
  const placed: Interval[] = [...reserved];
  return items.map((item, index) => {
    const stretchStart = Math.floor((index * length) / items.length);
    const stretchEnd = Math.floor(((index + 1) * length) / items.length) - 1;
    const feasible: number[] = [];
    for (let offset = 0; offset + item.days <= length; offset++) {
      const candidate = {
        start: addDays(window.start, offset),
        end: addDays(window.start, offset + item.days - 1),
      };
      if (placed.every((other) => separated(candidate, other, gap))) feasible.push(offset);
    }
    const inStretch = feasible.filter((offset) => offset >= stretchStart && offset <= stretchEnd);
    let offset: number | undefined;
    if (inStretch.length > 0) {
      offset = inStretch[Math.floor(random() * inStretch.length)];
    } else {
      const distance = (candidate: number) =>
        candidate < stretchStart ? stretchStart - candidate : Math.max(0, candidate - stretchEnd);
      offset = feasible.reduce<number | undefined>(
        (best, candidate) => (best === undefined || distance(candidate) < distance(best) ? candidate : best),
        undefined,
      );
    }
    if (offset === undefined) {
      throw new NoRoom(
        `planLabelledEvents: no room for event ${index + 1} of ${items.length} at least ${gap} days from the others; plan fewer events per month or a smaller gap`,
      );
    }
    const interval = {
      start: addDays(window.start, offset),
      end: addDays(window.start, offset + item.days - 1),
    };
    placed.push(interval);
    return interval;
  });
}

/**
 * Picks targets: keys of the dimension that bill on every day of the event and its baseline, with
 * a median of at least `minShare` of the provider's daily usage (no global or empty region), the
 * least used first, at random among equals; a lowering event takes the first that can lose
 * `sigmas` σ without going under 10% of its smallest day, else the first that can lose enough to
 * stay in the same size band, else the one that comes closest.
 */
function targetPicker(
  dataset: BillingDataset,
  minShare: number,
  random: () => number,
): (dimension: UsageDimension, interval: Interval, direction: 1 | -1, sigmas: number) => string {
  const used = new Map<string, number>();
  const globalRegion = BILLING_CATALOGS[dataset.provider].globalRegion;
  return (dimension, interval, direction, sigmas) => {
    const before = baselineDays(dataset, interval.start);
    const during = daysInRange(interval.start, interval.end);
    const all = [...before, ...during];
    const series = dailyAmountsByKey(dataset, dimension, all);
    const totals = all.map((_, index) =>
      [...series.values()].reduce((sum, values) => sum + values[index]!, 0),
    );
    const floor = minShare * robustSpread(totals).median;
    const candidates = [...series.entries()]
      .filter(([key, values]) => {
        if (dimension === "REGION" && (key === "" || key === globalRegion)) return false;
        return (
          values.every((value) => value > 0) && robustSpread(values.slice(0, before.length)).median >= floor
        );
      })
      .map(([key, values]) => {
        const { sigma } = robustSpread(values.slice(0, before.length));
        const room = (MAX_DROP_SHARE * Math.min(...values.slice(before.length))) / (sigma || 1);
        return { key, room, uses: used.get(key) ?? 0, draw: random() };
      })
      .sort((a, b) => a.uses - b.uses || a.draw - b.draw);
    if (candidates.length === 0) {
      throw new RangeError(
        `planLabelledEvents: no ${dimension.toLowerCase()} of ${dataset.provider} bills on every day from ${all[0]} to ${interval.end}`,
      );
    }
    const fits =
      direction > 0
        ? candidates[0]
        : (candidates.find((candidate) => candidate.room >= sigmas) ??
          candidates.find((candidate) => sizeBandOf(candidate.room) === sizeBandOf(sigmas)));
    const chosen =
      fits ?? candidates.reduce((best, candidate) => (candidate.room > best.room ? candidate : best));
    used.set(chosen.key, chosen.uses + 1);
    return chosen.key;
  };
}

/**
 * The demo tenant's few visible events, from its event-free datasets: a LARGE spike (10σ) in the
 * largest AWS service 4 days before today, a level shift (+8σ) of the largest GCP project from 13
 * to 7 days before today, and a credit decoy (10σ) on the largest AWS account 18 days before
 * today. An event whose days or baseline fall before a dataset's first day is left out.
 */
export function demoLabelledEvents(
  baselines: Partial<Record<CloudProvider, BillingDataset>>,
): LabelledEventPlan {
  const events: InjectedEvent[] = [];
  const largest = (dataset: BillingDataset, dimension: UsageDimension, start: IsoDay): string | undefined => {
    const days = baselineDays(dataset, start);
    let best: { key: string; median: number } | undefined;
    for (const [key, values] of dailyAmountsByKey(dataset, dimension, days)) {
      const { median } = robustSpread(values);
      if (!best || median > best.median) best = { key, median };
    }
    return best?.key;
  };
  const add = (
    dataset: BillingDataset | undefined,
    spec: Omit<SizedEventSpec, "key" | "start" | "end"> & { daysBack: [number, number] },
  ) => {
    if (!dataset) return;
    assertEventFree(dataset, "demoLabelledEvents");
    const start = addDays(dataset.today, -spec.daysBack[0]);
    const end = addDays(dataset.today, -spec.daysBack[1]);
    if (addDays(start, -BASELINE_DAYS) < dataset.firstDay) return;
    const key = largest(dataset, spec.dimension, start);
    if (key !== undefined) events.push(sizedEvent(dataset, { ...spec, key, start, end }));
  };
  add(baselines.AWS, {
    id: "demo-aws-spike",
    kind: "SPIKE",
    dimension: "SERVICE",
    sigmas: 10,
    direction: 1,
    daysBack: [4, 4],
  });
  add(baselines.GCP, {
    id: "demo-gcp-level-shift",
    kind: "LEVEL_SHIFT",
    dimension: "ACCOUNT",
    sigmas: 8,
    direction: 1,
    daysBack: [13, 7],
  });
  add(baselines.AWS, {
    id: "demo-aws-credit",
    kind: "DECOY_CREDIT",
    dimension: "ACCOUNT",
    sigmas: DECOY_SIGMAS,
    direction: -1,
    daysBack: [18, 18],
  });
  return labelledPlan(baselines, events);
}
