/**
 * Turns an adapter's provider lines into unified records: one per (client, provider, covered day),
 * lines categorized, identical lines merged, converted to the reporting currency, with marginal
 * breakdowns, billed totals, the rates used and a data quality score. Credits and taxes stay as
 * lines with their charge categories; a line without a rate keeps cost null, is left out of the
 * total and the breakdowns, and is counted in data quality.
 */
import type {
  BilledTotal,
  CollectionMetadata,
  CostLine,
  ExchangeRateUsed,
  IsoDay,
  ProviderCostLine,
  UnifiedCostRecord,
} from "./cost-record.js";
import { CHARGE_CATEGORIES, UNASSIGNED_SERVICE } from "./cost-record.js";
import { billingDayEndEpochSeconds } from "./billing-days.js";
import { isCurrencyCode } from "./currency-codes.js";
import type { CloudProvider } from "./provider.js";
import { categorizeService } from "./service-categories.js";
import { convert, type ExchangeRateTable } from "./currency.js";
import { scoreDataQuality, type MissingRate, type QuarantinedLine } from "./data-quality.js";
import { dayOfInstant, monthOf } from "./dates.js";
import { expiresAtFor } from "./ttl.js";
import {
  IssueCollector,
  ValidationError,
  validateCalendarDay,
  validateCurrencyCode,
  validateSafeId,
  validateText,
  describeValue,
} from "./validation.js";
import { sortByAmountThenName, sumBy } from "./breakdowns.js";

export interface BuildCostRecordsInput {
  clientId: string;
  provider: CloudProvider;
  reportingCurrency: string;
  lines: readonly ProviderCostLine[];
  /** Days the provider answered for; a covered day without lines becomes a record with total 0. */
  daysCovered: readonly IsoDay[];
  rates: ExchangeRateTable;
  /** For the whole pull; apiRequests is shared out over the records. */
  collection: CollectionMetadata;
  retentionDays?: number;
  now: Date;
  /** The provider's own totals per day and billing currency, when the source reports them. */
  providerTotals?: Readonly<Record<IsoDay, readonly BilledTotal[]>>;
}

type PricedLine = CostLine & { cost: number };

/** A merged line plus how many provider lines went into it. */
interface MergedLine {
  line: Omit<CostLine, "cost">;
  sourceLines: number;
  estimated: boolean;
  knownService: boolean;
}

function validateInput(input: BuildCostRecordsInput): void {
  const issues = new IssueCollector();
  issues.check(() => validateSafeId(input.clientId, "clientId"));
  issues.check(() => validateCurrencyCode(input.reportingCurrency, "reportingCurrency"));
  const today = dayOfInstant(input.now);
  const checkNotFuture = (day: unknown, field: string): void =>
    issues.check(() => {
      if (validateCalendarDay(day, field) > today)
        throw new ValidationError(field, `${day} is in the future`);
    });
  input.daysCovered.forEach((day, index) => checkNotFuture(day, `daysCovered[${index}]`));
  input.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    checkNotFuture(line.date, `${at}.date`);
    issues.check(() => validateText(line.serviceName, `${at}.serviceName`, { allowEmpty: true }));
    issues.check(() => validateText(line.accountId, `${at}.accountId`, { allowEmpty: true }));
    issues.check(() => validateText(line.region, `${at}.region`, { allowEmpty: true }));
    if (!CHARGE_CATEGORIES.includes(line.chargeCategory)) {
      issues.add(
        `${at}.chargeCategory`,
        `${describeValue(line.chargeCategory)} is not one of ${CHARGE_CATEGORIES.join(", ")}`,
      );
    }
  });
  issues.throwIfAny();
}

/** Why a provider line cannot be priced (it is then quarantined), or undefined when it can. */
export function quarantineReason(line: ProviderCostLine): string | undefined {
  if (typeof line.billedCost !== "number" || !Number.isFinite(line.billedCost)) {
    // describeValue would print NaN as null.
    const shown =
      typeof line.billedCost === "number" ? String(line.billedCost) : describeValue(line.billedCost);
    return `billedCost ${shown} is not a finite amount`;
  }
  if (!isCurrencyCode(line.billingCurrency)) {
    return `billingCurrency ${describeValue(line.billingCurrency)} is not an active ISO 4217 currency code`;
  }
  return undefined;
}

/** The service a line is filed under: the provider's name, or UNASSIGNED_SERVICE when it gave none. */
const serviceNameOf = (line: ProviderCostLine): string =>
  line.serviceName.trim() === "" ? UNASSIGNED_SERVICE : line.serviceName;

/**
 * Lines with the same service, category, account, region, charge category, currency and invoice
 * month are summed. The category is part of the key because one service can be split (EC2 instances
 * vs EBS volumes), the invoice month because a late row is billed on another invoice.
 */
function mergeLines(provider: CloudProvider, lines: readonly ProviderCostLine[]): MergedLine[] {
  const merged = new Map<string, MergedLine>();
  for (const source of lines) {
    const serviceName = serviceNameOf(source);
    const { category, known } = categorizeService(provider, serviceName, source.usageType);
    const key = JSON.stringify([
      serviceName,
      category,
      source.accountId,
      source.region,
      source.chargeCategory,
      source.billingCurrency,
      source.invoiceMonth ?? "",
    ]);
    const existing = merged.get(key);
    if (!existing) {
      const line: Omit<CostLine, "cost"> = {
        serviceName,
        serviceCategory: category,
        accountId: source.accountId,
        region: source.region,
        chargeCategory: source.chargeCategory,
        billedCost: source.billedCost,
        billingCurrency: source.billingCurrency,
      };
      if (source.accountName) line.accountName = source.accountName;
      if (source.usageQuantity !== undefined) line.usageQuantity = source.usageQuantity;
      if (source.usageUnit !== undefined) line.usageUnit = source.usageUnit;
      if (source.invoiceMonth !== undefined) line.invoiceMonth = source.invoiceMonth;
      merged.set(key, { line, sourceLines: 1, estimated: source.estimated, knownService: known });
      continue;
    }
    const line = existing.line;
    line.billedCost += source.billedCost;
    line.accountName ??= source.accountName;
    // Quantities only add up in one unit; mixed units leave the quantity unknown rather than wrong.
    if (
      line.usageQuantity !== undefined &&
      source.usageQuantity !== undefined &&
      line.usageUnit === source.usageUnit
    ) {
      line.usageQuantity += source.usageQuantity;
    } else {
      delete line.usageQuantity;
      delete line.usageUnit;
    }
    existing.sourceLines += 1;
    existing.estimated ||= source.estimated;
  }
  return [...merged.values()];
}

/** Splits a pull's request count over its records so the per-record shares add up to the whole. */
function shareRequests(total: number, parts: number, index: number): number {
  return Math.floor(total / parts) + (index < total % parts ? 1 : 0);
}

function buildRecord(
  input: BuildCostRecordsInput,
  day: IsoDay,
  dayLines: readonly ProviderCostLine[],
  apiRequests: number,
): UnifiedCostRecord {
  const { provider, reportingCurrency } = input;
  const quarantined: QuarantinedLine[] = [];
  const readable = dayLines.filter((line) => {
    const reason = quarantineReason(line);
    if (reason !== undefined) quarantined.push({ reason, serviceName: serviceNameOf(line) });
    return reason === undefined;
  });
  const merged = mergeLines(provider, readable);
  const rates = new Map<string, ExchangeRateUsed>();
  const missing = new Map<string, MissingRate>();
  const lines: CostLine[] = merged.map(({ line, sourceLines }) => {
    const converted = convert(line.billedCost, line.billingCurrency, reportingCurrency, day, input.rates);
    if (converted) {
      rates.set(`${converted.rate.from}:${converted.rate.to}:${converted.rate.rateDate}`, converted.rate);
      return { ...line, cost: converted.amount };
    }
    const gap = missing.get(line.billingCurrency) ?? {
      from: line.billingCurrency,
      to: reportingCurrency,
      month: monthOf(day),
      lines: 0,
    };
    gap.lines += sourceLines;
    missing.set(line.billingCurrency, gap);
    return { ...line, cost: null };
  });
  const priced = lines.filter((line): line is PricedLine => line.cost !== null);
  const total = priced.reduce((sum, line) => sum + line.cost, 0);

  const billed = sumBy(
    lines,
    (line) => line.billingCurrency,
    (line) => line.billedCost,
  );
  const billedTotals = [...billed].map(([currency, group]) => ({ currency, amount: group.amount }));
  billedTotals.sort((a, b) => a.currency.localeCompare(b.currency));
  const reported = input.providerTotals?.[day];
  const unknown = merged.filter((entry) => !entry.knownService);
  /** A marginal breakdown of the priced lines, largest first. */
  const marginal = <T extends { cost: number }>(
    keyOf: (line: PricedLine) => string,
    make: (line: PricedLine, cost: number) => T,
  ): T[] =>
    sortByAmountThenName(
      [...sumBy(priced, keyOf, (line) => line.cost)].map(([key, group]) => ({
        key,
        item: make(group.first, group.amount),
      })),
      (entry) => entry.item.cost,
      (entry) => entry.key,
    ).map((entry) => entry.item);

  return {
    clientId: input.clientId,
    provider,
    date: day,
    reportingCurrency,
    total,
    billedTotals,
    estimated: merged.some((entry) => entry.estimated),
    lines,
    services: marginal(
      (line) => `${line.serviceName}|${line.serviceCategory}`,
      (line, cost) => ({ serviceName: line.serviceName, serviceCategory: line.serviceCategory, cost }),
    ),
    accounts: marginal(
      (line) => line.accountId,
      (line, cost) => {
        const accountName = priced.find(
          (other) => other.accountId === line.accountId && other.accountName,
        )?.accountName;
        return accountName
          ? { accountId: line.accountId, accountName, cost }
          : { accountId: line.accountId, cost };
      },
    ),
    regions: marginal(
      (line) => line.region,
      (line, cost) => ({ region: line.region, cost }),
    ),
    serviceCategories: marginal(
      (line) => line.serviceCategory,
      (line, cost) => ({ serviceCategory: line.serviceCategory, cost }),
    ),
    chargeCategories: marginal(
      (line) => line.chargeCategory,
      (line, cost) => ({ chargeCategory: line.chargeCategory, cost }),
    ),
    exchangeRates: [...rates.values()].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`)),
    dataQuality: scoreDataQuality({
      expectedDays: 1,
      receivedDays: 1,
      lines: dayLines.length,
      unknownServiceLines: unknown.reduce((sum, entry) => sum + entry.sourceLines, 0),
      unknownServices: [...new Set(unknown.map((entry) => entry.line.serviceName))],
      missingRates: [...missing.values()],
      quarantinedLines: quarantined,
      estimated: merged.some((entry) => entry.estimated),
      lastDay: day,
      lastDayEndsAt: billingDayEndEpochSeconds(provider, day),
      collectedAt: input.collection.collectedAt,
      totalComparisons: reported?.map((own) => ({
        currency: own.currency,
        computed: billed.get(own.currency)?.amount ?? 0,
        provider: own.amount,
      })),
      total,
      reportingCurrency,
      mergedDuplicateLines: readable.length - merged.length,
    }),
    collection: { ...input.collection, apiRequests },
    version: 0,
    expiresAt: expiresAtFor(day, input.retentionDays),
  };
}

/** One record per covered day (and per day any line falls on), in day order. */
export function buildCostRecords(input: BuildCostRecordsInput): UnifiedCostRecord[] {
  validateInput(input);
  const byDay = new Map<IsoDay, ProviderCostLine[]>(input.daysCovered.map((day) => [day, []]));
  for (const line of input.lines) {
    const dayLines = byDay.get(line.date) ?? [];
    dayLines.push(line);
    byDay.set(line.date, dayLines);
  }
  const days = [...byDay.keys()].sort();
  return days.map((day, index) =>
    buildRecord(
      input,
      day,
      byDay.get(day) ?? [],
      shareRequests(input.collection.apiRequests, days.length, index),
    ),
  );
}
