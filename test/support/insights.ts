/** Stored insights (an anomaly, a budget, a raised alert) as the service would leave them, for tests that need them in the table. */
import type { CostAnomaly } from "../../src/domain/anomaly.js";
import { budgetAlertKey, type Budget, type BudgetAlert } from "../../src/domain/budget.js";
import { nodeId } from "../../src/application/node-ids.js";

export function storedAnomaly(
  clientId: string,
  date: string,
  overrides: Partial<CostAnomaly> = {},
): CostAnomaly {
  return {
    clientId,
    currency: "USD",
    key: "spike-aws-ec2",
    date,
    lastDay: date,
    scopeKey: "PROVIDER|AWS",
    provider: "AWS",
    scope: { dimension: "PROVIDER", key: "AWS", label: "AWS" },
    direction: "SPIKE",
    cause: "USAGE",
    actual: 500,
    expected: 100,
    expectedLower: 80,
    expectedUpper: 120,
    impact: 400,
    impactPercent: 400,
    score: 12,
    severity: "HIGH",
    rootCauses: [
      { dimension: "SERVICE", key: "AWS|Amazon EC2", label: "Amazon EC2", impact: 390, share: 0.975 },
    ],
    days: [{ date, actual: 500, expected: 100, score: 12 }],
    status: "OPEN",
    detectedAt: `${date}T06:00:00.000Z`,
    updatedAt: `${date}T06:00:00.000Z`,
    expiresAt: 4_102_444_800,
    ...overrides,
  };
}

export const anomalyNodeId = (anomaly: Pick<CostAnomaly, "clientId" | "date" | "key">) =>
  nodeId({ kind: "CostAnomaly", clientId: anomaly.clientId, date: anomaly.date, key: anomaly.key });

export function storedBudget(clientId: string, overrides: Partial<Budget> = {}): Budget {
  return {
    id: `budget-${clientId}`,
    clientId,
    name: `Budget of ${clientId}`,
    amount: 1000,
    currency: "USD",
    period: "MONTHLY",
    filter: null,
    thresholds: [0.5, 1],
    createdAt: "2026-01-01T00:00:00.000Z",
    updatedAt: "2026-01-01T00:00:00.000Z",
    ...overrides,
  };
}

export function raisedAlert(
  budget: Budget,
  period: { start: string; end: string },
  threshold: number,
): BudgetAlert {
  return {
    key: budgetAlertKey(budget.id, period, "ACTUAL", threshold),
    clientId: budget.clientId,
    budgetId: budget.id,
    currency: budget.currency,
    kind: "ACTUAL",
    threshold,
    period,
    actual: budget.amount * threshold,
    forecast: budget.amount * threshold * 1.5,
    breachProbability: 0.7,
    at: `${period.start}T12:00:00.000Z`,
  };
}

export const budgetNodeId = (budget: Pick<Budget, "clientId" | "id">) =>
  nodeId({ kind: "Budget", clientId: budget.clientId, budgetId: budget.id });
