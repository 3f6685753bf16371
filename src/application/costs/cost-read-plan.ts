/**
 * Which stored items answer a cost question, decided without I/O:
 * - provider/category questions read rollups: whole months from MONTHLY items, the partial months
 *   at the edges from DAILY items, so a long range costs months, not days (DAILY and WEEKLY series
 *   need day resolution, so they read DAILY items throughout);
 * - service, account and region questions read the per-day record headers (marginal breakdowns);
 * - only a filter that crosses dimensions (e.g. accounts while breaking down by service) also reads
 *   the joint lines.
 */
import {
  needsJointLines,
  rollupsCanAnswer,
  type CostDimension,
  type CostFilter,
} from "../../domain/aggregation.js";
import type { IsoDay } from "../../domain/cost-record.js";
import { daysInRange, splitRangeByMonth, type DayRange } from "../../domain/dates.js";
import { CLOUD_PROVIDERS, type CloudProvider } from "../../domain/provider.js";
import type { RollupGranularity } from "../../domain/time-series.js";

export interface RollupKey {
  clientId: string;
  granularity: RollupGranularity;
  period: string;
}

export interface CostRecordKey {
  clientId: string;
  provider: CloudProvider;
  date: IsoDay;
}

export interface LinesKey {
  clientId: string;
  provider: CloudProvider;
  start: IsoDay;
  end: IsoDay;
}

export interface CostQuestion {
  clientId: string;
  period: DayRange;
  filter: CostFilter;
  /** The dimension the answer is broken down or grouped by. */
  by?: CostDimension;
  /** Day resolution needed (DAILY and WEEKLY series). */
  daily?: boolean;
}

export type CostReadPlan =
  | { source: "rollups"; rollups: RollupKey[] }
  | { source: "records"; headers: CostRecordKey[]; lines: LinesKey[] };

export const providersOf = (filter: CostFilter): CloudProvider[] =>
  filter.providers && filter.providers.length > 0 ? [...new Set(filter.providers)] : [...CLOUD_PROVIDERS];

export function planCostRead(question: CostQuestion): CostReadPlan {
  const { clientId, period, filter, by } = question;
  if (rollupsCanAnswer(filter, by)) {
    const split = question.daily
      ? { fullMonths: [], edgeDays: daysInRange(period.start, period.end) }
      : splitRangeByMonth(period.start, period.end);
    return {
      source: "rollups",
      rollups: [
        ...split.fullMonths.map((month) => ({ clientId, granularity: "MONTHLY" as const, period: month })),
        ...split.edgeDays.map((day) => ({ clientId, granularity: "DAILY" as const, period: day })),
      ],
    };
  }
  const providers = providersOf(filter);
  const days = daysInRange(period.start, period.end);
  return {
    source: "records",
    headers: providers.flatMap((provider) => days.map((date) => ({ clientId, provider, date }))),
    lines: needsJointLines(filter, by)
      ? providers.map((provider) => ({ clientId, provider, ...period }))
      : [],
  };
}
