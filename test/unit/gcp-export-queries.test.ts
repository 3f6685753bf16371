/**
 * The simulated BigQuery reads each query itself: the collector's own queries get the export's
 * rows, and a query that asks for something else gets what it asked for (a narrower partition
 * window, no credits, another column) or BigQuery's refusal, never the right rows by recognition.
 */
import { describe, expect, it } from "vitest";
import { addDays } from "../../src/domain/dates.js";
import {
  dailyCostsSql,
  exportFirstDaySql,
  exportFreshnessSql,
} from "../../src/providers/gcp/billing-export-query.js";
import { createBillingDataset } from "../../src/sandbox/billing-dataset.js";
import { answerQuery, type QueryResult } from "../../src/sandbox/gcp/billing-export-answers.js";
import { SANDBOX_GCP_BILLING_TABLE as TABLE } from "../../src/sandbox/gcp/gcp-simulator.js";

const TODAY = "2026-03-15";
const dataset = createBillingDataset({ provider: "GCP", seed: 42, currency: "USD", today: TODAY });
const context = { dataset, billingTable: TABLE, location: "US", now: new Date(`${TODAY}T12:00:00Z`) };
const period = { start: "2026-02-01", end: "2026-02-07" };

function ask(query: string, parameters: Record<string, string> = {}, type = "DATE"): QueryResult {
  return answerQuery(
    {
      query,
      useLegacySql: false,
      parameterMode: "NAMED",
      queryParameters: Object.entries(parameters).map(([name, value]) => ({
        name,
        parameterType: { type },
        parameterValue: { value },
      })),
      location: "US",
    },
    context,
  );
}

/** Rows as objects by column name. */
const records = ({ columns, rows }: QueryResult) =>
  rows.map((row) => Object.fromEntries(columns.map((column, i) => [column.name, row[i]])));

const daily = dailyCostsSql(TABLE);
const collected = records(ask(daily, period));
const sumOf = (rows: Record<string, string | null | undefined>[]) =>
  rows.reduce((sum, row) => sum + Number(row.cost), 0);

describe("the collector's own queries", () => {
  it("answers the daily query with cost and credit rows for every day of the period", () => {
    const days = new Set(collected.map((row) => row.usage_date));
    expect([...days].sort()).toEqual(Array.from({ length: 7 }, (_, i) => addDays(period.start, i)));
    expect(collected.some((row) => row.cost_type === "credit" && row.credit_type !== null)).toBe(true);
    const lines = Array.from({ length: 7 }, (_, i) => dataset.linesForDay(addDays(period.start, i))).flat();
    const netCost = lines.reduce(
      (sum, line) => sum + line.cost + (line.credits ?? []).reduce((credits, c) => credits + c.amount, 0),
      0,
    );
    expect(sumOf(collected)).toBeCloseTo(netCost, 6);
  });

  it("answers the first usage day and the export's freshness", () => {
    expect(ask(exportFirstDaySql(TABLE)).rows).toEqual([[dataset.firstDay]]);
    const [freshness] = records(ask(exportFreshnessSql(TABLE), { since: addDays(TODAY, -3) }));
    // At noon on the 15th, the last export was the 14th's rows at 10:00:00.123456 (after the Pacific
    // day ended at 07:00 UTC); the 15th's is ahead.
    expect(freshness?.last_export_time).toBe(String(Date.parse("2026-03-15T10:00:00Z") * 1000 + 123_456));
    expect(Number(freshness?.exported_rows)).toBeGreaterThan(0);
  });
});

describe("a query that asks for something else", () => {
  it("gets what it asked for: a partition window too narrow misses the rows loaded late", () => {
    const narrow = daily.replace(/DATE_ADD\(@end, INTERVAL \d+ DAY\)/, "@end");
    const rows = records(ask(narrow, period));
    // Rows of day D load into the partition of D+1: the last two days are left out.
    expect(new Set(rows.map((row) => row.usage_date)).has(period.end)).toBe(false);
    expect(new Set(rows.map((row) => row.usage_date)).has(addDays(period.end, -2))).toBe(true);
  });

  it("gets no credits without the UNNEST half, and the column it named", () => {
    const withoutCredits = daily.slice(0, daily.indexOf("UNION ALL"));
    expect(records(ask(withoutCredits, period)).filter((row) => row.cost_type === "credit")).toEqual([]);
    const swapped = daily.replace("service.id AS service_id", "service.description AS service_id");
    // Only the cost half was changed; the credits half still names the service's id.
    const costRows = records(ask(swapped, period)).filter((row) => row.cost_type !== "credit");
    expect(costRows.every((row) => row.service_id === row.service_name)).toBe(true);
    expect(collected.some((row) => row.service_id !== row.service_name)).toBe(true);
  });

  it.each([
    [
      "a column neither grouped nor aggregated",
      daily.replace("region, cost_type", "cost_type"),
      /neither grouped/,
    ],
    ["a field the export does not have", daily.replace("location.region", "location.zone"), /does not exist/],
    [
      "a name the WITH query does not pass on",
      daily.replace("currency, cost, usage", "cost, usage"),
      /Unrecognized name: currency/,
    ],
    [
      "a UNION ALL of other types",
      daily.replace("CAST(NULL AS FLOAT64)", "CAST(NULL AS STRING)"),
      /incompatible types/,
    ],
    ["a filter it cannot evaluate", daily.replace("BETWEEN @start AND @end", "> @start"), /cannot evaluate/],
  ])("is refused for %s", (_, query, message) => {
    expect(() => ask(query, period)).toThrow(message);
  });

  it("cuts days in the time zone it names: UTC days mix two Pacific days, an unknown zone is refused", () => {
    const utc = records(ask(daily.replaceAll("America/Los_Angeles", "UTC"), period));
    const byDay = (rows: typeof collected) => {
      const sums = new Map<string, number>();
      for (const row of rows) sums.set(row.usage_date!, (sums.get(row.usage_date!) ?? 0) + Number(row.cost));
      return sums;
    };
    const pacificDays = byDay(collected);
    const utcDays = byDay(utc);
    for (const day of [...pacificDays.keys()].slice(1)) {
      // A Pacific day's last hour is already the next UTC day: no day adds up alike.
      expect(Math.abs(pacificDays.get(day)! - utcDays.get(day)!), day).toBeGreaterThan(0.01);
    }
    expect(() => ask(daily.replaceAll("America/Los_Angeles", "Pacific/Nowhere"), period)).toThrow(
      /Invalid time zone: Pacific\/Nowhere/,
    );
  });

  it("is refused for a parameter that is not a DATE, or one that is missing", () => {
    expect(() => ask(daily, period, "STRING")).toThrow(/must be of type DATE/);
    expect(() => ask(daily, { start: period.start })).toThrow(/Query parameter 'end' not found/);
  });
});
