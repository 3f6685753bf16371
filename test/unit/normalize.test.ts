import { describe, expect, it } from "vitest";
import { buildCostRecords, type BuildCostRecordsInput } from "../../src/domain/normalize.js";
import { validateCostRecord, ValidationError } from "../../src/domain/validation.js";
import { expiresAtFor } from "../../src/domain/ttl.js";
import { billingDayEndEpochSeconds } from "../../src/domain/billing-days.js";
import type { ChargeCategory, UnifiedCostRecord } from "../../src/domain/cost-record.js";
import { collection, providerLine, rates } from "./support/cost-lines.js";

const base: BuildCostRecordsInput = {
  clientId: "acme",
  provider: "AWS",
  reportingCurrency: "USD",
  lines: [],
  daysCovered: ["2026-01-10"],
  rates,
  collection,
  now: new Date("2026-01-20T06:00:00Z"),
};

function only(records: UnifiedCostRecord[]): UnifiedCostRecord {
  expect(records).toHaveLength(1);
  return records[0] as UnifiedCostRecord;
}

describe("buildCostRecords", () => {
  it("makes one record per covered day, a day without lines being a real zero", () => {
    const records = buildCostRecords({
      ...base,
      daysCovered: ["2026-01-11", "2026-01-10"],
      lines: [providerLine({ date: "2026-01-10", billedCost: 5 })],
    });
    expect(records.map((record) => [record.date, record.total, record.lines.length])).toEqual([
      ["2026-01-10", 5, 1],
      ["2026-01-11", 0, 0],
    ]);
    const empty = records[1] as UnifiedCostRecord;
    expect(empty.services).toEqual([]);
    expect(empty.billedTotals).toEqual([]);
    expect(validateCostRecord(empty)).toEqual([]);
  });

  it("keeps a line that falls outside daysCovered instead of dropping its cost", () => {
    const records = buildCostRecords({ ...base, daysCovered: [], lines: [providerLine({ billedCost: 2 })] });
    expect(only(records).total).toBe(2);
  });

  it("keeps credits and taxes as lines, so credits can make a day negative", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [
          providerLine({ billedCost: 0.0000008 }),
          providerLine({ serviceName: "Tax", chargeCategory: "Tax", region: "", billedCost: 0.11 }),
          providerLine({
            serviceName: "Amazon Elastic Compute Cloud",
            chargeCategory: "Credit",
            billedCost: -3.5,
          }),
        ],
      }),
    );
    expect(record.total).toBeCloseTo(0.0000008 + 0.11 - 3.5, 12);
    expect(record.chargeCategories).toEqual([
      { chargeCategory: "Tax", cost: 0.11 },
      { chargeCategory: "Usage", cost: 0.0000008 },
      { chargeCategory: "Credit", cost: -3.5 },
    ]);
    expect(record.regions.map((region) => region.region)).toEqual(["", "us-west-2"]);
    expect(record.dataQuality.issues).toContain(
      "The net total is negative (-3.3899992 USD): credits exceed charges",
    );
    expect(validateCostRecord(record)).toEqual([]);
  });

  it("merges identical lines but keeps a service split across categories apart", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [
          providerLine({ billedCost: 0.0000008, usageQuantity: 2 }),
          providerLine({ billedCost: 0.0000012, usageQuantity: 3 }),
          providerLine({
            serviceName: "Amazon Elastic Compute Cloud",
            usageType: "USW2-BoxUsage:t3.micro",
            billedCost: 0.0104,
            usageUnit: "Hours",
            usageQuantity: 1,
          }),
          providerLine({
            serviceName: "Amazon Elastic Compute Cloud",
            usageType: "USW2-EBS:VolumeUsage.gp3",
            billedCost: 0.0027,
            usageUnit: "GB-Mo",
            usageQuantity: 1,
          }),
        ],
      }),
    );
    expect(record.lines).toHaveLength(3);
    const sqs = record.lines.find((line) => line.serviceName === "Amazon Simple Queue Service");
    expect(sqs).toMatchObject({
      billedCost: expect.closeTo(0.000002, 15),
      usageQuantity: 5,
      usageUnit: "Requests",
    });
    expect(record.services).toEqual([
      { serviceName: "Amazon Elastic Compute Cloud", serviceCategory: "Compute", cost: 0.0104 },
      { serviceName: "Amazon Elastic Compute Cloud", serviceCategory: "Storage", cost: 0.0027 },
      {
        serviceName: "Amazon Simple Queue Service",
        serviceCategory: "Integration",
        cost: expect.closeTo(0.000002, 15),
      },
    ]);
    expect(record.dataQuality.issues).toContain(
      "1 line repeated the service, account, region, charge category and currency of another and was merged",
    );
  });

  it("drops the quantity of merged lines whose units differ rather than adding apples to pears", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [providerLine({ usageUnit: "Requests" }), providerLine({ usageUnit: "GB" })],
      }),
    );
    expect(record.lines[0]).not.toHaveProperty("usageQuantity");
  });

  it("converts at the month's rate, records the rates used and keeps billed totals per currency", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [
          providerLine({ billedCost: 10 }),
          providerLine({ accountId: "111122223333", billingCurrency: "EUR", billedCost: 4 }),
        ],
      }),
    );
    expect(record.total).toBeCloseTo(10 + 4 * 1.0412, 12);
    expect(record.billedTotals).toEqual([
      { currency: "EUR", amount: 4 },
      { currency: "USD", amount: 10 },
    ]);
    expect(record.exchangeRates).toEqual([
      { from: "EUR", to: "USD", rate: 1.0412, rateDate: "2026-01-01", source: "ecb-monthly-2026-01" },
      { from: "USD", to: "USD", rate: 1, rateDate: "2026-01-01", source: "identity" },
    ]);
  });

  it("leaves a line without a rate out of the total, never converting it at 1.0", () => {
    const record = only(
      buildCostRecords({
        ...base,
        daysCovered: ["2026-03-05"],
        now: new Date("2026-03-20T00:00:00Z"),
        lines: [
          providerLine({ date: "2026-03-05", billedCost: 10 }),
          providerLine({ date: "2026-03-05", billingCurrency: "EUR", billedCost: 4 }),
          providerLine({ date: "2026-03-05", billingCurrency: "EUR", billedCost: 1, region: "eu-west-1" }),
        ],
      }),
    );
    expect(record.total).toBe(10);
    expect(record.lines.filter((line) => line.cost === null)).toHaveLength(2);
    expect(record.billedTotals).toContainEqual({ currency: "EUR", amount: 5 });
    expect(record.regions).toEqual([{ region: "us-west-2", cost: 10 }]);
    expect(record.dataQuality.issues).toContain(
      "2 of 3 lines have no exchange rate for EUR->USD on 2026-03 and are left out of the total",
    );
    expect(record.dataQuality.completeness).toBeCloseTo(1 / 3, 4);
    expect(validateCostRecord(record)).toEqual([]);
  });

  it("sorts every breakdown by cost descending, then by name, and each sums to the total", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [
          providerLine({ accountId: "222", accountName: "beta", region: "eu-west-1", billedCost: 1 }),
          providerLine({ accountId: "111", accountName: "alpha", region: "us-east-1", billedCost: 1 }),
          providerLine({ accountId: "333", region: "ap-south-1", billedCost: 7, serviceName: "AWS Lambda" }),
        ],
      }),
    );
    expect(record.accounts).toEqual([
      { accountId: "333", accountName: "Atlas Nimbus", cost: 7 },
      { accountId: "111", accountName: "alpha", cost: 1 },
      { accountId: "222", accountName: "beta", cost: 1 },
    ]);
    expect(record.regions.map((region) => region.region)).toEqual(["ap-south-1", "eu-west-1", "us-east-1"]);
    expect(record.serviceCategories).toEqual([
      { serviceCategory: "Compute", cost: 7 },
      { serviceCategory: "Integration", cost: 2 },
    ]);
    expect(validateCostRecord(record)).toEqual([]);
  });

  it("files unknown services under Other and says so in data quality", () => {
    const record = only(
      buildCostRecords({ ...base, lines: [providerLine({ serviceName: "Amazon Quantum Ledger 9000" })] }),
    );
    expect(record.lines[0]?.serviceCategory).toBe("Other");
    expect(record.dataQuality.issues).toContain(
      "1 of 1 line has a service with no known category (Amazon Quantum Ledger 9000); filed under Other",
    );
  });

  it("marks the record estimated when any line is, sets version 0 and the TTL", () => {
    const record = only(
      buildCostRecords({
        ...base,
        retentionDays: 30,
        lines: [providerLine(), providerLine({ serviceName: "AWS Lambda", estimated: true })],
      }),
    );
    expect(record.estimated).toBe(true);
    expect(record.version).toBe(0);
    expect(record.expiresAt).toBe(Date.UTC(2026, 1, 10) / 1000);
    expect(record.expiresAt).toBe(expiresAtFor("2026-01-10", 30));
    expect(expiresAtFor("2026-01-10")).toBe(Date.UTC(2028, 0, 11) / 1000);
  });

  it("shares the pull's API requests over the records so they add up", () => {
    const records = buildCostRecords({
      ...base,
      daysCovered: ["2026-01-08", "2026-01-09", "2026-01-10", "2026-01-11"],
      collection: { ...collection, apiRequests: 6 },
    });
    expect(records.map((record) => record.collection.apiRequests)).toEqual([2, 2, 1, 1]);
  });

  it("reconciles against the provider's own totals when given", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [providerLine({ billedCost: 99 })],
        providerTotals: { "2026-01-10": [{ currency: "USD", amount: 100 }] },
      }),
    );
    expect(record.dataQuality.issues).toContain(
      "Collected total 99 USD differs from the provider's 100 USD by 1",
    );
    expect(record.dataQuality.accuracy).toBeCloseTo(0.9, 4);
  });

  it("rejects malformed input that has no day or owner, naming every bad field", () => {
    try {
      buildCostRecords({
        ...base,
        clientId: "acme#evil",
        lines: [
          providerLine({ billedCost: Number.NaN }),
          providerLine({ date: "2026-02-30", billingCurrency: "EURO" }),
          providerLine({ date: "2026-01-25" }),
          providerLine({ chargeCategory: "Fee" as ChargeCategory }),
        ],
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      // An unreadable amount or currency is not refused: it is quarantined (see below).
      expect((error as ValidationError).issues.map((issue) => issue.field)).toEqual([
        "clientId",
        "lines[1].date",
        "lines[2].date",
        "lines[3].chargeCategory",
      ]);
      expect((error as ValidationError).message).toContain("lines[2].date: 2026-01-25 is in the future");
    }
  });

  it("files a line without a service under Unassigned instead of failing the day", () => {
    const record = only(
      buildCostRecords({
        ...base,
        provider: "GCP",
        lines: [
          providerLine({ serviceName: "", accountId: "", region: "", chargeCategory: "Tax", billedCost: 4 }),
          providerLine({
            serviceName: "  ",
            accountId: "",
            region: "",
            chargeCategory: "Tax",
            billedCost: 1,
          }),
          providerLine({ serviceName: "Compute Engine", billedCost: 10 }),
        ],
      }),
    );
    expect(record.total).toBe(15);
    expect(record.lines.find((line) => line.chargeCategory === "Tax")).toMatchObject({
      serviceName: "Unassigned",
      billedCost: 5,
      cost: 5,
    });
    expect(record.services.map((service) => [service.serviceName, service.cost])).toEqual([
      ["Compute Engine", 10],
      ["Unassigned", 5],
    ]);
    expect(validateCostRecord(record)).toEqual([]);
  });

  it("quarantines a line whose amount or currency cannot be read, naming it in data quality", () => {
    const record = only(
      buildCostRecords({
        ...base,
        lines: [
          providerLine({ billedCost: 10 }),
          providerLine({ serviceName: "AWS Lambda", billedCost: Number.NaN }),
          providerLine({ serviceName: "Amazon S3", billedCost: Number.POSITIVE_INFINITY }),
          providerLine({ serviceName: "Amazon EC2", billingCurrency: "" }),
          providerLine({ serviceName: "Amazon EC2", billingCurrency: "XBT" }),
        ],
      }),
    );
    expect(record.total).toBe(10);
    expect(record.lines).toHaveLength(1);
    const [issue] = record.dataQuality.issues.filter((text) => text.includes("quarantined"));
    expect(issue).toBe(
      "4 of 5 lines could not be read and are quarantined, left out of the total: " +
        "billedCost NaN is not a finite amount (AWS Lambda), " +
        "billedCost Infinity is not a finite amount (Amazon S3), " +
        'billingCurrency "" is not an active ISO 4217 currency code (Amazon EC2), ' +
        'billingCurrency "XBT" is not an active ISO 4217 currency code (Amazon EC2)',
    );
    // Four of five lines unread: completeness is a fifth.
    expect(record.dataQuality.completeness).toBeCloseTo(0.2, 4);
    expect(validateCostRecord(record)).toEqual([]);
  });

  it("keeps the invoice month on lines and never merges lines of two invoices", () => {
    const record = only(
      buildCostRecords({
        ...base,
        provider: "GCP",
        lines: [
          providerLine({ serviceName: "Compute Engine", billedCost: 10, invoiceMonth: "2026-01" }),
          providerLine({ serviceName: "Compute Engine", billedCost: 2, invoiceMonth: "2026-01" }),
          providerLine({ serviceName: "Compute Engine", billedCost: 3, invoiceMonth: "2026-02" }),
        ],
      }),
    );
    expect(record.lines.map((line) => [line.invoiceMonth, line.billedCost])).toEqual([
      ["2026-01", 12],
      ["2026-02", 3],
    ]);
    expect(record.total).toBe(15);
  });

  it("measures timeliness from the end of the provider's billing day: Pacific midnight for GCP", () => {
    const collectedAt = "2026-01-11T03:00:00.000Z";
    const issueOf = (provider: "AWS" | "GCP") =>
      only(
        buildCostRecords({
          ...base,
          provider,
          lines: [providerLine()],
          collection: { ...collection, collectedAt },
          now: new Date(collectedAt),
        }),
      ).dataQuality.issues.find((issue) => issue.startsWith("Collected"));
    expect(issueOf("AWS")).toMatch(/^Collected 3 h after 2026-01-10 ended/);
    // 03:00 UTC on the 11th is 19:00 on the 10th in Los Angeles: the GCP day is not over.
    expect(issueOf("GCP")).toMatch(/^Collected before 2026-01-10 ended/);
  });
});

describe("billingDayEndEpochSeconds", () => {
  it("ends a GCP day at Pacific midnight, daylight saving observed, and the others at UTC midnight", () => {
    const end = (provider: "AWS" | "AZURE" | "GCP", day: string) =>
      new Date(billingDayEndEpochSeconds(provider, day) * 1000).toISOString();
    expect(end("AWS", "2026-03-08")).toBe("2026-03-09T00:00:00.000Z");
    expect(end("AZURE", "2026-11-01")).toBe("2026-11-02T00:00:00.000Z");
    // 23 hours on the spring change, 25 on the autumn one.
    expect(end("GCP", "2026-03-07")).toBe("2026-03-08T08:00:00.000Z");
    expect(end("GCP", "2026-03-08")).toBe("2026-03-09T07:00:00.000Z");
    expect(end("GCP", "2026-10-31")).toBe("2026-11-01T07:00:00.000Z");
    expect(end("GCP", "2026-11-01")).toBe("2026-11-02T08:00:00.000Z");
  });
});
