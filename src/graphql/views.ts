/** Domain values -> the GraphQL types' shapes (amounts become Money in the right currency). */
import type { CostRecordHeader } from "../domain/cost-record.js";
import type { CostRecord } from "./types/cost-record.type.js";
import { money } from "./types/money.type.js";

export function costRecordId(header: Pick<CostRecordHeader, "clientId" | "provider" | "date">): string {
  return `${header.clientId}:${header.provider}:${header.date}`;
}

export function costRecordView(header: CostRecordHeader): CostRecord {
  const currency = header.reportingCurrency;
  return {
    id: costRecordId(header),
    clientId: header.clientId,
    provider: header.provider,
    date: header.date,
    total: money(header.total, currency),
    billedTotals: header.billedTotals.map((b) => money(b.amount, b.currency)),
    estimated: header.estimated,
    services: header.services.map((s) => ({
      name: s.serviceName,
      category: s.serviceCategory,
      cost: money(s.cost, currency),
    })),
    accounts: header.accounts.map((a) => ({
      id: a.accountId,
      ...(a.accountName === undefined ? {} : { name: a.accountName }),
      cost: money(a.cost, currency),
    })),
    regions: header.regions.map((r) => ({ region: r.region, cost: money(r.cost, currency) })),
    chargeCategories: header.chargeCategories.map((c) => ({
      category: c.chargeCategory,
      cost: money(c.cost, currency),
    })),
    exchangeRates: header.exchangeRates,
    dataQuality: header.dataQuality,
    collection: header.collection,
    version: header.version,
  };
}
