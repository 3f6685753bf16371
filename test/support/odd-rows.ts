/**
 * Odd billing rows for the "rows that never sink a month" tests: a dataset that serves one day with
 * extra rows (no service, an unreadable amount, no currency), and the day's records as the collector
 * would build them, so each adapter's output is checked through the real normalizer.
 */
import type { ProviderCostLine, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { createExchangeRateTable } from "../../src/domain/currency.js";
import { buildCostRecords } from "../../src/domain/normalize.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import type { BillingDataset, SimulatedLine } from "../../src/sandbox/billing-dataset.js";

/** The dataset, with `extra(lines of the day)` added to what it serves for `day`. */
export function withExtraRows(
  dataset: BillingDataset,
  day: string,
  extra: (lines: readonly SimulatedLine[]) => SimulatedLine[],
): BillingDataset {
  return {
    ...dataset,
    linesForDay(asked) {
      const lines = dataset.linesForDay(asked);
      return asked === day ? [...lines, ...extra(lines)] : lines;
    },
  };
}

/** Records of a pull in its own billing currency (no exchange rate needed), as the collector builds them. */
export function recordsOf(
  provider: CloudProvider,
  currency: string,
  result: { lines: ProviderCostLine[]; daysCovered: string[]; sourceApi: string },
  now: Date,
): UnifiedCostRecord[] {
  return buildCostRecords({
    clientId: "acme",
    provider,
    reportingCurrency: currency,
    lines: result.lines,
    daysCovered: result.daysCovered,
    rates: createExchangeRateTable([]),
    collection: {
      jobId: "job-1",
      collectedAt: now.toISOString(),
      sourceApi: result.sourceApi,
      apiRequests: 1,
    },
    now,
  });
}

/** The day's quarantine issue, if any. */
export const quarantineIssue = (record: UnifiedCostRecord | undefined): string | undefined =>
  record?.dataQuality.issues.find((issue) => issue.includes("quarantined"));
