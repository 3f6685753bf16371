import { describe, expect, it } from "vitest";
import type { ProviderCostLine } from "../../src/domain/cost-record.js";
import { addDays, daysInRange } from "../../src/domain/dates.js";
import type { CloudProvider } from "../../src/domain/provider.js";
import { buildClientSeries, valueInRecord } from "../../src/insights/anomaly-series.js";
import { header } from "../support/anomaly-headers.js";

const DAY = "2025-03-31";
const window = { day: DAY, historyDays: 30, minHistoryDays: 14, negligible: 0 };

function line(
  serviceName: string,
  billedCost: number,
  fields: Partial<ProviderCostLine> = {},
): Omit<ProviderCostLine, "date"> {
  return {
    serviceName,
    accountId: "a1",
    region: "r1",
    chargeCategory: "Usage",
    billedCost,
    billingCurrency: "USD",
    estimated: false,
    ...fields,
  };
}

function days(
  provider: CloudProvider,
  linesOf: (day: string) => Omit<ProviderCostLine, "date">[],
  eurRate?: (month: string) => number,
) {
  return daysInRange(addDays(DAY, -30), DAY).map((day) =>
    header({
      clientId: "c",
      provider,
      day,
      lines: linesOf(day).map((l) => ({ ...l, date: day })),
      ...(eurRate ? { eurRate } : {}),
    }),
  );
}

describe("buildClientSeries", () => {
  it("reads a day without a record as NaN and a service without cost on a recorded day as 0", () => {
    const records = days("AWS", (day) => [line("EC2", 100), ...(day.endsWith("5") ? [] : [line("S3", 10)])]);
    const series = buildClientSeries(
      records.filter((r) => r.date !== "2025-03-20"),
      window,
    );
    const s3 = series.nodes.get("SERVICE|AWS|S3")!;
    const at = (day: string) => s3.values[30 - (31 - Number(day.slice(8)))]!;
    expect(at("2025-03-20")).toBeNaN();
    expect(at("2025-03-25")).toBe(0);
    expect(at("2025-03-26")).toBe(10);
    expect(series.nodes.get("PROVIDER|AWS")!.values[30]).toBe(110);
    expect([...series.nodes.keys()].sort()).toEqual([
      "ACCOUNT|AWS|a1",
      "PROVIDER|AWS",
      "REGION|AWS|r1",
      "SERVICE_CATEGORY|*|Other",
      "SERVICE_CATEGORY|AWS|Other",
      "SERVICE|AWS|EC2",
      "SERVICE|AWS|S3",
      "TOTAL",
    ]);
  });

  it("adds up the client's total only on days every summed provider has a record", () => {
    const aws = days("AWS", () => [line("EC2", 100)]);
    const gcp = days("GCP", () => [line("Compute Engine", 50)]).filter((r) => r.date !== "2025-03-22");
    const series = buildClientSeries([...aws, ...gcp], window);
    expect(series.clientProviders).toEqual(["AWS", "GCP"]);
    const total = series.total!.values;
    expect(total[30]).toBe(150);
    expect(total[21]).toBeNaN(); // 2025-03-22
    expect(total[20]).toBe(150);
  });

  it("leaves a provider without enough history out of the client-level sums", () => {
    const aws = days("AWS", () => [line("EC2", 100)]);
    const fresh = days("GCP", () => [line("Compute Engine", 50)]).slice(-5);
    const series = buildClientSeries([...aws, ...fresh], window);
    expect(series.clientProviders).toEqual(["AWS"]);
    expect(series.total!.values[30]).toBe(100);
    expect(series.nodes.get("PROVIDER|GCP")!.values[30]).toBe(50);
  });

  it("judges amounts at today's exchange rate, keeping the stored ones for the rate test", () => {
    const records = days(
      "AZURE",
      () => [line("Virtual Machines", 100, { billingCurrency: "EUR" })],
      (month) => (month === "2025-03" ? 1.2 : 1.1),
    );
    const series = buildClientSeries(records, window);
    const azure = series.providers[0]!;
    expect(azure.rateChanged).toBe(false);
    // Every day of the window is at March's rate already: nothing to convert.
    expect(azure.total.values[0]).toBeCloseTo(120, 9);
    expect(azure.total.reported).toBeNull();

    const april = buildClientSeries(
      [
        ...records,
        header({
          clientId: "c",
          provider: "AZURE",
          day: "2025-04-01",
          lines: [{ ...line("Virtual Machines", 100, { billingCurrency: "EUR" }), date: "2025-04-01" }],
          eurRate: (month) => (month === "2025-04" ? 1.3 : 1.2),
        }),
      ],
      { ...window, day: "2025-04-01" },
    );
    const total = april.providers[0]!.total;
    expect(april.providers[0]!.rateChanged).toBe(true);
    expect(total.values[29]).toBeCloseTo(130, 9); // March 31 at April's rate
    expect(total.reported![29]).toBeCloseTo(120, 9); // as stored
    expect(total.values[30]).toBeCloseTo(130, 9);
  });

  it("reads a node's value in another version of a record", () => {
    const [record] = days("AWS", () => [line("EC2", 100), line("S3", 10, { region: "r2" })]).slice(-1);
    const series = buildClientSeries(
      days("AWS", () => [line("EC2", 1)]),
      window,
    );
    expect(valueInRecord(series.nodes.get("SERVICE|AWS|EC2")!, record!)).toBe(100);
    expect(valueInRecord(series.nodes.get("PROVIDER|AWS")!, record!)).toBe(110);
    expect(valueInRecord(series.nodes.get("REGION|AWS|r1")!, record!)).toBe(100);
  });
});
