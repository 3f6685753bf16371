import { describe, expect, it } from "vitest";
import { retryAfterMsFrom } from "../../src/providers/azure/azure-errors.js";
import {
  chargeCategoryOf,
  mapQueryRows,
  usageDateToIsoDay,
} from "../../src/providers/azure/azure-query-result.js";
import { InvalidRequestError } from "../../src/providers/errors.js";

const context = { accountId: "sub-1", isEstimated: (day: string) => day >= "2026-03-01" };

describe("Azure query rows", () => {
  it("maps Azure charge types to FOCUS charge categories, negative usage being a correction", () => {
    expect(chargeCategoryOf("Usage", 3)).toBe("Usage");
    expect(chargeCategoryOf("usage", -3)).toBe("Adjustment");
    expect(chargeCategoryOf("Refund", -3)).toBe("Adjustment");
    expect(chargeCategoryOf("Purchase", 300)).toBe("Purchase");
    expect(chargeCategoryOf("UnusedReservation", 2)).toBe("Usage");
    expect(chargeCategoryOf("Tax", 2)).toBe("Tax");
    expect(chargeCategoryOf("SomethingNew", -1)).toBe("Adjustment");
    expect(chargeCategoryOf(undefined, 1)).toBe("Usage");
  });

  it("reads UsageDate as a number yyyymmdd and rejects impossible days", () => {
    expect(usageDateToIsoDay(20260131)).toBe("2026-01-31");
    expect(usageDateToIsoDay("2026-02-01T00:00:00")).toBe("2026-02-01");
    expect(usageDateToIsoDay(20260230)).toBeUndefined();
    expect(usageDateToIsoDay("soon")).toBeUndefined();
  });

  it("finds columns by name, accepts the legacy PreTaxCost measure and keeps each row's currency", () => {
    const lines = mapQueryRows(
      {
        columns: [
          { name: "Currency" },
          { name: "ResourceLocation" },
          { name: "PreTaxCost" },
          { name: "ServiceName" },
          { name: "UsageDate" },
        ],
        rows: [
          ["EUR", "westeurope", 12.5, "Virtual Machines", 20260301],
          ["usd", "", -1.25, "Storage", 20260228],
        ],
      },
      context,
    );
    expect(lines).toEqual([
      {
        date: "2026-03-01",
        serviceName: "Virtual Machines",
        accountId: "sub-1",
        region: "westeurope",
        chargeCategory: "Usage",
        billedCost: 12.5,
        billingCurrency: "EUR",
        estimated: true,
      },
      {
        date: "2026-02-28",
        serviceName: "Storage",
        accountId: "sub-1",
        region: "",
        chargeCategory: "Adjustment",
        billedCost: -1.25,
        billingCurrency: "USD",
        estimated: false,
      },
    ]);
  });

  it("keeps only the charge types asked for", () => {
    const page = {
      columns: [{ name: "Cost" }, { name: "UsageDate" }, { name: "ChargeType" }, { name: "Currency" }],
      rows: [
        [5, 20260201, "Usage", "EUR"],
        [-2, 20260201, "Refund", "EUR"],
      ],
    };
    const lines = mapQueryRows(page, { ...context, keepChargeType: (type) => type !== "Usage" });
    expect(lines.map((line) => [line.chargeCategory, line.billedCost])).toEqual([["Adjustment", -2]]);
  });

  it("refuses a reply without the columns it needs, naming the column", () => {
    const page = { columns: [{ name: "Cost" }, { name: "Currency" }], rows: [[1, "EUR"]] };
    expect(() => mapQueryRows(page, context)).toThrow(InvalidRequestError);
    expect(() => mapQueryRows(page, context)).toThrow(/UsageDate/);
  });
});

describe("Azure request planning", () => {
  it("waits for the largest of Azure's retry-after headers (seconds, possibly fractional)", () => {
    const headers: Record<string, string> = {
      "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "2",
      "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after": "7.5",
      "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after": "0",
    };
    expect(retryAfterMsFrom((name) => headers[name])).toBe(7500);
    expect(retryAfterMsFrom(() => undefined)).toBeUndefined();
  });
});
