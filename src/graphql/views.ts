/**
 * Domain values -> the GraphQL types' shapes: amounts become Money in the client's currency, and
 * every object a normalized cache keeps gets its global id (application/node-ids.ts) and its type
 * name (for `node`).
 */
import type {
  Client as ClientModel,
  ProviderConnection as ProviderConnectionModel,
} from "../domain/client.js";
import type { CollectionJob as CollectionJobModel } from "../domain/collection-job.js";
import type { CostFilter } from "../domain/aggregation.js";
import type { CostAnomaly as CostAnomalyModel } from "../domain/anomaly.js";
import type { Budget as BudgetModel, BudgetAlert as BudgetAlertModel } from "../domain/budget.js";
import type { CostForecastAnswer } from "../application/forecasts.js";
import type { Budget, BudgetAlert } from "./types/budget.type.js";
import type { CostForecast } from "./types/cost-forecast.type.js";
import type { CostRecordHeader } from "../domain/cost-record.js";
import type { DayRange } from "../domain/dates.js";
import { nodeId } from "../application/node-ids.js";
import type { FoundNode } from "../application/nodes.js";
import type { CostSummaryAnswer } from "../application/costs/cost-reads.js";
import type { PortfolioEntry as PortfolioEntryModel } from "../application/portfolio.js";
import type { Connection } from "../application/cursors.js";
import type { ProviderCostBucket as ProviderCostBucketModel } from "../domain/portfolio.js";
import type { PortfolioEntry, ProviderCostBucket } from "./types/portfolio.type.js";
import type { Client } from "./types/client.type.js";
import type { CollectionJob } from "./types/collection-job.type.js";
import type { CostAnomaly } from "./types/cost-anomaly.type.js";
import type { CostRecord } from "./types/cost-record.type.js";
import type { CostSummary } from "./types/cost-summary.type.js";
import type { ConnectionCheck, ProviderConnection } from "./types/provider-connection.type.js";
import type { ConnectionCheck as ConnectionCheckModel } from "../application/tenants.js";
import type { Typed } from "./types/node.type.js";
import { money } from "./types/money.type.js";

export function clientView(client: ClientModel): Client & Typed {
  return { ...client, __typename: "Client" };
}

export function costRecordView(header: CostRecordHeader): CostRecord & Typed {
  const currency = header.reportingCurrency;
  const { clientId, provider, date } = header;
  return {
    __typename: "CostRecord",
    id: nodeId({ kind: "CostRecord", clientId, provider, date }),
    clientId,
    provider,
    date,
    total: money(header.total, currency),
    billedTotals: header.billedTotals.map((b) => money(b.amount, b.currency)),
    estimated: header.estimated,
    services: header.services.map((s) => ({
      name: s.serviceName,
      category: s.serviceCategory,
      cost: money(s.cost, currency),
    })),
    accounts: header.accounts.map((a) => ({
      id: nodeId({ kind: "AccountCostItem", clientId, provider, date, accountId: a.accountId }),
      accountId: a.accountId,
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

export function collectionJobView(job: CollectionJobModel): CollectionJob & Typed {
  return {
    ...job,
    __typename: "CollectionJob",
    providers: job.providers.map((part) => ({
      ...part,
      id: nodeId({
        kind: "ProviderCollection",
        clientId: job.clientId,
        jobId: job.id,
        provider: part.provider,
      }),
    })),
  };
}

export function providerConnectionView(connection: ProviderConnectionModel): ProviderConnection & Typed {
  const { clientId, provider } = connection;
  return {
    ...connection,
    __typename: "ProviderConnection",
    id: nodeId({ kind: "ProviderConnection", clientId, provider }),
  };
}

export function connectionCheckView(check: ConnectionCheckModel): ConnectionCheck {
  const { clientId, provider, message, checkedAt } = check;
  return { clientId, provider, health: check.healthy ? "HEALTHY" : "UNHEALTHY", message, checkedAt };
}

export function costSummaryView(
  client: Pick<ClientModel, "id" | "reportingCurrency">,
  question: { period: DayRange; filter: CostFilter },
  summary: CostSummaryAnswer,
): CostSummary & Typed {
  const currency = client.reportingCurrency;
  return {
    __typename: "CostSummary",
    id: nodeId({ kind: "CostSummary", clientId: client.id, ...question }),
    period: summary.period,
    previousPeriod: summary.previousPeriod,
    total: money(summary.total, currency),
    previousTotal: money(summary.previousTotal, currency),
    changePercent: summary.changePercent,
    byProvider: summary.byProvider.map((p) => ({ provider: p.provider, cost: money(p.amount, currency) })),
  };
}

/** A page of the portfolio: each summary the same object (id, figures) as the client's own costSummary. */
export function portfolioEntryView(page: Connection<PortfolioEntryModel>): Connection<PortfolioEntry> {
  return {
    ...page,
    edges: page.edges.map(({ cursor, node }) => ({
      cursor,
      node: {
        clientId: node.clientId,
        summary: costSummaryView(
          { id: node.clientId, reportingCurrency: node.currency },
          { period: node.summary.period, filter: node.filter },
          node.summary,
        ),
        change: money(node.change, node.currency),
      },
    })),
  };
}

export function providerCostBucketView(bucket: ProviderCostBucketModel): ProviderCostBucket {
  return {
    date: bucket.date,
    totals: bucket.totals.map((total) => money(total.amount, total.currency)),
    clientCount: bucket.clientCount,
    topClients: bucket.topClients.map((c) => ({ clientId: c.clientId, cost: money(c.amount, c.currency) })),
  };
}

export function costAnomalyView(anomaly: CostAnomalyModel): CostAnomaly & Typed {
  const { clientId, date, key, currency } = anomaly;
  const amount = (value: number) => money(value, currency);
  return {
    __typename: "CostAnomaly",
    id: nodeId({ kind: "CostAnomaly", clientId, date, key }),
    clientId,
    date,
    provider: anomaly.provider,
    scope: anomaly.scope ?? { dimension: null, key: null, label: null },
    direction: anomaly.direction,
    cause: anomaly.cause,
    actual: amount(anomaly.actual),
    expected: amount(anomaly.expected),
    expectedLower: amount(anomaly.expectedLower),
    expectedUpper: amount(anomaly.expectedUpper),
    impact: amount(anomaly.impact),
    // Nothing was expected (a new service): the whole amount is the move.
    impactPercent: anomaly.impactPercent ?? 100,
    score: anomaly.score,
    severity: anomaly.severity,
    rootCauses: anomaly.rootCauses.map((cause) => ({ ...cause, impact: amount(cause.impact) })),
    status: anomaly.status,
    feedback: anomaly.feedback ?? null,
    detectedAt: anomaly.detectedAt,
    updatedAt: anomaly.updatedAt,
  };
}

export function costForecastView(answer: CostForecastAnswer, currency: string): CostForecast {
  const amount = (value: number) => money(value, currency);
  return {
    period: answer.period,
    confidence: answer.confidence,
    actual: amount(answer.actual),
    expected: amount(answer.expected),
    lower: amount(answer.lower),
    upper: amount(answer.upper),
    points: answer.points.map((p) => ({
      date: p.date,
      expected: amount(p.expected),
      lower: amount(p.lower),
      upper: amount(p.upper),
    })),
    accuracy: { method: answer.method, baseline: answer.baseline, ...answer.accuracy },
    basedOnDataUntil: answer.basedOnDataUntil,
  };
}

export function budgetView(budget: BudgetModel): Budget & Typed & { model: BudgetModel } {
  return {
    __typename: "Budget",
    id: nodeId({ kind: "Budget", clientId: budget.clientId, budgetId: budget.id }),
    clientId: budget.clientId,
    name: budget.name,
    amount: money(budget.amount, budget.currency),
    period: budget.period,
    filter: budget.filter
      ? Object.fromEntries(
          Object.entries(budget.filter).map(([name, values]) => [name, [...(values as string[])]]),
        )
      : null,
    thresholds: budget.thresholds,
    updatedAt: budget.updatedAt,
    // For the status and alert resolvers; not a schema field.
    model: budget,
  };
}

export function budgetAlertView(alert: BudgetAlertModel): BudgetAlert & Typed & { model: BudgetAlertModel } {
  const amount = (value: number) => money(value, alert.currency);
  return {
    __typename: "BudgetAlert",
    id: nodeId({ kind: "BudgetAlert", clientId: alert.clientId, key: alert.key }),
    kind: alert.kind,
    threshold: alert.threshold,
    period: alert.period,
    actual: amount(alert.actual),
    forecast: amount(alert.forecast),
    breachProbability: alert.breachProbability,
    at: alert.at,
    model: alert,
  };
}

/** What `node` answers for an object found by its id. */
export function nodeView(found: FoundNode): Typed & { id: string } {
  switch (found.kind) {
    case "Client":
      return clientView(found.client);
    case "CollectionJob":
      return collectionJobView(found.job);
    case "ProviderCollection":
      return {
        ...collectionJobView(found.job).providers.find((part) => part.provider === found.provider)!,
        __typename: "ProviderCollection",
      };
    case "CostRecord":
      return costRecordView(found.header);
    case "AccountCostItem":
      return {
        ...costRecordView(found.header).accounts.find((account) => account.accountId === found.accountId)!,
        __typename: "AccountCostItem",
      };
    case "ProviderConnection":
      return providerConnectionView(found.connection);
    case "CostSummary":
      return costSummaryView(found.client, found.question, found.summary);
    case "CostAnomaly":
      return costAnomalyView(found.anomaly);
    case "Budget":
      return budgetView(found.budget);
    case "BudgetAlert":
      return budgetAlertView(found.alert);
  }
}
