/**
 * The demo tenant's budgets, set once its backfill is in, from its own figures so they mean the
 * same on any date: one comfortably inside (all clouds), one forecast to breach (AWS), and one
 * already over (Storage), so a newcomer sees both kinds of alert.
 */
import { BUDGET_CONFIDENCE } from "../application/budgets.js";
import type { UseCases } from "../application/use-cases.js";
import type { CostFilter } from "../domain/aggregation.js";
import { budgetPeriodContaining, type Budget } from "../domain/budget.js";
import type { IsoDay } from "../domain/cost-record.js";
import { SYSTEM } from "../domain/identity.js";

const round = (amount: number) => Math.max(1, Math.round(amount));

export async function setDemoBudgets(useCases: UseCases, clientId: string, today: IsoDay): Promise<Budget[]> {
  const existing = await useCases.budgets.list(SYSTEM, clientId);
  if (existing.length > 0) return existing;
  const period = budgetPeriodContaining("MONTHLY", today);
  const forecast = (filter: CostFilter) =>
    useCases.forecasts.forecast(SYSTEM, clientId, { period, filter, confidence: BUDGET_CONFIDENCE });
  const [all, aws, storage] = await Promise.all([
    forecast({}),
    forecast({ providers: ["AWS"] }),
    forecast({ categories: ["Storage"] }),
  ]);
  const budget = (name: string, amount: number, filter: CostFilter | null) =>
    useCases.budgets.set(SYSTEM, { clientId, name, amount: round(amount), period: "MONTHLY", filter });
  return [
    await budget("All clouds", all.expected * 1.25, null),
    await budget("AWS", aws.expected * 0.9, { providers: ["AWS"] }),
    await budget("Storage", storage.actual * 0.9, { categories: ["Storage"] }),
  ];
}
