/**
 * Input validators. Each throws a ValidationError whose message starts with the field path, so the
 * API can answer "period.start: "2026-02-30" is not a calendar day" instead of a generic failure.
 * Offending values are echoed quoted and truncated; nothing that could be a secret is validated here.
 */
import { CLOUD_PROVIDERS, type CloudProvider } from "./provider.js";
import { isCurrencyCode } from "./currency-codes.js";
import { isIsoDay, isIsoMonth, rangeLength, type DayRange } from "./dates.js";
import { CHARGE_CATEGORIES, type IsoDay, type UnifiedCostRecord } from "./cost-record.js";
import { SERVICE_CATEGORIES } from "./service-category.js";

export interface ValidationIssue {
  /** Dotted path of the offending field, e.g. "lines[3].billingCurrency". */
  field: string;
  /** Full sentence, starting with the field path. */
  message: string;
}

/** Bad input; `field` is the first offending field, `issues` lists every problem found. */
export class ValidationError extends Error {
  readonly field: string;
  readonly issues: readonly ValidationIssue[];
  constructor(field: string, problem: string);
  constructor(issues: readonly [ValidationIssue, ...ValidationIssue[]]);
  constructor(fieldOrIssues: string | readonly [ValidationIssue, ...ValidationIssue[]], problem = "") {
    const issues =
      typeof fieldOrIssues === "string"
        ? [{ field: fieldOrIssues, message: `${fieldOrIssues}: ${problem}` }]
        : fieldOrIssues;
    super(issues.map((issue) => issue.message).join("; "));
    this.name = "ValidationError";
    this.field = issues[0].field;
    this.issues = issues;
  }

  /** The same problems, named from a parent field: `period.end` under `input` is `input.period.end`. */
  under(parent: string): ValidationError {
    const [first, ...rest] = this.issues.map((issue) => ({
      field: `${parent}.${issue.field}`,
      message: `${parent}.${issue.message}`,
    }));
    return new ValidationError([first!, ...rest]);
  }
}

/** Quoted, length-capped rendering of a rejected value for error messages. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value); // BigInt, circular objects
  }
  return text.length > 70 ? `${text.slice(0, 67)}...` : text;
}

export function validateCalendarDay(value: unknown, field: string): IsoDay {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    throw new ValidationError(field, `${describeValue(value)} is not a date in the form YYYY-MM-DD`);
  }
  if (!isIsoDay(value)) throw new ValidationError(field, `${describeValue(value)} is not a calendar day`);
  return value;
}

/** Both ends inclusive; `maxDays` bounds the number of days the range spans. */
export function validateDateRange(
  value: { start: unknown; end: unknown },
  field: string,
  maxDays: number,
): DayRange {
  const start = validateCalendarDay(value.start, `${field}.start`);
  const end = validateCalendarDay(value.end, `${field}.end`);
  if (end < start) throw new ValidationError(`${field}.end`, `${end} is before ${field}.start ${start}`);
  const length = rangeLength({ start, end });
  if (length > maxDays) {
    throw new ValidationError(field, `spans ${length} days, more than the maximum of ${maxDays}`);
  }
  return { start, end };
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Ids become parts of DynamoDB keys: no "#", "/", ":", spaces or unicode, at most 64 characters. */
export function isSafeId(value: unknown): value is string {
  return typeof value === "string" && SAFE_ID.test(value);
}

export function validateSafeId(value: unknown, field: string): string {
  if (!isSafeId(value)) {
    throw new ValidationError(
      field,
      `${describeValue(value)} is not a valid id (1-64 letters, digits, "_", "." or "-", starting with a letter or digit)`,
    );
  }
  return value;
}

export function validateFiniteAmount(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ValidationError(field, `${describeValue(value)} is not a finite number`);
  }
  return value;
}

export function validateCurrencyCode(value: unknown, field: string): string {
  if (!isCurrencyCode(value)) {
    throw new ValidationError(field, `${describeValue(value)} is not an active ISO 4217 currency code`);
  }
  return value;
}

/** `value` when it is one of `allowed` (an enum's values); a ValidationError naming `field` otherwise. */
export function validateOneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new ValidationError(field, `${describeValue(value)} is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}

export function validateProvider(value: unknown, field: string): CloudProvider {
  return validateOneOf(value, CLOUD_PROVIDERS, field);
}

/** Non-empty text of bounded length (service names, account ids, regions may be "" only if allowEmpty). */
export function validateText(value: unknown, field: string, options: { allowEmpty?: boolean } = {}): string {
  if (typeof value !== "string" || value.length > 256 || (!options.allowEmpty && value.trim() === "")) {
    throw new ValidationError(
      field,
      `${describeValue(value)} is not ${options.allowEmpty ? "a" : "a non-empty"} string of at most 256 characters`,
    );
  }
  return value;
}

/**
 * Runs validators and gathers every failure instead of stopping at the first, so a caller can report
 * all problems of a record at once.
 */
export class IssueCollector {
  readonly issues: ValidationIssue[] = [];

  check(run: () => unknown): void {
    try {
      run();
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      this.issues.push(...error.issues);
    }
  }

  add(field: string, problem: string): void {
    this.issues.push({ field, message: `${field}: ${problem}` });
  }

  /** Throws one ValidationError carrying every issue gathered, if there is any. */
  throwIfAny(): void {
    const [first, ...rest] = this.issues;
    if (first) throw new ValidationError([first, ...rest]);
  }
}

/** Totals must reconcile "to the cent": the largest drift tolerated between a total and its parts. */
export const RECONCILIATION_TOLERANCE = 0.01;

const sumOf = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0);

function checkSumsTo(
  issues: IssueCollector,
  field: string,
  parts: readonly number[],
  expected: number,
  expectedName: string,
): void {
  const sum = sumOf(parts);
  if (Number.isFinite(sum) && Math.abs(sum - expected) > RECONCILIATION_TOLERANCE) {
    issues.add(
      field,
      `sums to ${sum}, which differs from ${expectedName} ${expected} by more than ${RECONCILIATION_TOLERANCE}`,
    );
  }
}

function checkOneOf(issues: IssueCollector, value: unknown, allowed: readonly string[], field: string): void {
  if (!allowed.includes(value as string))
    issues.add(field, `${describeValue(value)} is not one of ${allowed.join(", ")}`);
}

function checkFraction(issues: IssueCollector, value: unknown, field: string): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1))
    issues.add(field, `${describeValue(value)} is not between 0 and 1`);
}

/**
 * Every problem of a unified record, each naming its field path; empty when the record is sound.
 * Checks shapes (ids, days, currencies, categories, finite amounts) and reconciliation: the total
 * equals the sum of converted line costs, and every marginal breakdown sums to the total.
 */
export function validateCostRecord(record: UnifiedCostRecord): ValidationIssue[] {
  const issues = new IssueCollector();
  issues.check(() => validateSafeId(record.clientId, "clientId"));
  issues.check(() => validateProvider(record.provider, "provider"));
  issues.check(() => validateCalendarDay(record.date, "date"));
  issues.check(() => validateCurrencyCode(record.reportingCurrency, "reportingCurrency"));
  issues.check(() => validateFiniteAmount(record.total, "total"));

  record.lines.forEach((line, index) => {
    const at = `lines[${index}]`;
    issues.check(() => validateText(line.serviceName, `${at}.serviceName`));
    checkOneOf(issues, line.serviceCategory, SERVICE_CATEGORIES, `${at}.serviceCategory`);
    issues.check(() => validateText(line.accountId, `${at}.accountId`, { allowEmpty: true }));
    issues.check(() => validateText(line.region, `${at}.region`, { allowEmpty: true }));
    checkOneOf(issues, line.chargeCategory, CHARGE_CATEGORIES, `${at}.chargeCategory`);
    issues.check(() => validateFiniteAmount(line.billedCost, `${at}.billedCost`));
    issues.check(() => validateCurrencyCode(line.billingCurrency, `${at}.billingCurrency`));
    if (line.cost !== null) issues.check(() => validateFiniteAmount(line.cost, `${at}.cost`));
    if (line.invoiceMonth !== undefined && !isIsoMonth(line.invoiceMonth)) {
      issues.add(
        `${at}.invoiceMonth`,
        `${describeValue(line.invoiceMonth)} is not a month in the form YYYY-MM`,
      );
    }
  });
  const convertedCosts = record.lines.flatMap((line) => (line.cost === null ? [] : [line.cost]));
  checkSumsTo(issues, "lines[].cost", convertedCosts, record.total, "total");

  const breakdowns = {
    services: record.services,
    accounts: record.accounts,
    regions: record.regions,
    serviceCategories: record.serviceCategories,
    chargeCategories: record.chargeCategories,
  };
  for (const [name, items] of Object.entries(breakdowns)) {
    items.forEach((item, index) =>
      issues.check(() => validateFiniteAmount(item.cost, `${name}[${index}].cost`)),
    );
    checkSumsTo(
      issues,
      name,
      items.map((item) => item.cost),
      record.total,
      "total",
    );
  }

  record.billedTotals.forEach((billed, index) => {
    issues.check(() => validateCurrencyCode(billed.currency, `billedTotals[${index}].currency`));
    issues.check(() => validateFiniteAmount(billed.amount, `billedTotals[${index}].amount`));
    const lineAmounts = record.lines
      .filter((line) => line.billingCurrency === billed.currency)
      .map((l) => l.billedCost);
    checkSumsTo(
      issues,
      `billedTotals[${index}].amount`,
      lineAmounts,
      billed.amount,
      `the ${billed.currency} lines' billed cost`,
    );
  });

  record.exchangeRates.forEach((rate, index) => {
    const at = `exchangeRates[${index}]`;
    issues.check(() => validateCurrencyCode(rate.from, `${at}.from`));
    issues.check(() => validateCurrencyCode(rate.to, `${at}.to`));
    issues.check(() => validateCalendarDay(rate.rateDate, `${at}.rateDate`));
    if (!(typeof rate.rate === "number" && Number.isFinite(rate.rate) && rate.rate > 0)) {
      issues.add(`${at}.rate`, `${describeValue(rate.rate)} is not a positive finite number`);
    }
  });

  const quality = record.dataQuality;
  for (const dimension of ["completeness", "accuracy", "timeliness", "consistency", "score"] as const) {
    checkFraction(issues, quality[dimension], `dataQuality.${dimension}`);
  }
  if (Number.isNaN(Date.parse(record.collection.collectedAt))) {
    issues.add(
      "collection.collectedAt",
      `${describeValue(record.collection.collectedAt)} is not an ISO-8601 instant`,
    );
  }
  if (!Number.isInteger(record.version) || record.version < 0) {
    issues.add("version", `${describeValue(record.version)} is not a non-negative integer`);
  }
  if (!Number.isInteger(record.expiresAt) || record.expiresAt <= 0) {
    issues.add("expiresAt", `${describeValue(record.expiresAt)} is not a positive integer of epoch seconds`);
  }
  return issues.issues;
}
