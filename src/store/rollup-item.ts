/**
 * Rollup items of the timeseries table. Amounts are flat top-level number attributes so one
 * UpdateItem can `ADD` a record's delta to each of them: `total`, `P#AWS` per provider and
 * `PC#AWS#Compute` per provider and service category. DynamoDB adds decimals exactly, and the
 * deltas are exact decimal differences (decimal.ts), so a month stays the sum of its days.
 * An amount that drops to 0 keeps its attribute (0 is a true value, e.g. usage cancelled by credits).
 */
import { NumberValue, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import type { CloudProvider } from "../domain/provider.js";
import type { RollupContribution } from "../domain/rollups.js";
import type { RollupGranularity, UnifiedTimeSeriesRecord } from "../domain/time-series.js";
import { exactSumDifference } from "./decimal.js";
import { itemFields } from "./item-fields.js";
import { keys } from "./keys.js";
import type { StoredItem } from "./query.js";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** What the store's day held before a write: nothing, counted as no contribution. */
export const NO_CONTRIBUTION: RollupContribution = {
  total: 0,
  byProvider: {},
  byProviderCategory: {},
  recordCount: 0,
};

const PROVIDER_PREFIX = "P#";
const CATEGORY_PREFIX = "PC#";

/** The flat attributes of a contribution: total, P#provider, PC#provider#category. */
function flatten(amounts: RollupContribution): Map<string, number> {
  const flat = new Map<string, number>([["total", amounts.total]]);
  for (const [provider, amount] of Object.entries(amounts.byProvider))
    flat.set(`${PROVIDER_PREFIX}${provider}`, amount);
  for (const [pair, amount] of Object.entries(amounts.byProviderCategory)) {
    flat.set(`${CATEGORY_PREFIX}${pair.replace("|", "#")}`, amount);
  }
  return flat;
}

export interface RollupTarget {
  table: string;
  clientId: string;
  granularity: RollupGranularity;
  /** "YYYY-MM-DD" for DAILY, "YYYY-MM" for MONTHLY. */
  period: string;
  currency: string;
  updatedAt: string;
}

/**
 * The transaction item that moves a rollup from the `previous` contributions to the `next` ones
 * (the providers' records of one day, or the changed days of a month at once): ADD of each flat
 * attribute's exact difference of sums (unchanged ones are left out) and of the record count's
 * (1 per new record). Null when nothing moves.
 */
export function rollupDeltaUpdate(
  target: RollupTarget,
  previous: readonly RollupContribution[],
  next: readonly RollupContribution[],
): TransactItem | null {
  const before = previous.map(flatten);
  const after = next.map(flatten);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const adds: string[] = [];
  let index = 0;
  const attributes = new Set([...after, ...before].flatMap((flat) => [...flat.keys()]));
  let moves = false;
  for (const name of attributes) {
    const difference = exactSumDifference(
      after.map((flat) => flat.get(name) ?? 0),
      before.map((flat) => flat.get(name) ?? 0),
    );
    // `total` is always added so the item and its attribute exist even for a zero first record.
    if (difference !== "0") moves = true;
    else if (name !== "total") continue;
    names[`#a${index}`] = name;
    values[`:a${index}`] = NumberValue.from(difference);
    adds.push(`#a${index} :a${index}`);
    index++;
  }
  const key =
    target.granularity === "DAILY"
      ? keys.dailyRollup(target.clientId, target.period)
      : keys.monthlyRollup(target.clientId, target.period);
  const index1 = keys.rollupIndex(target.granularity, target.period, target.clientId);
  const set = {
    GSI1PK: index1.GSI1PK,
    GSI1SK: index1.GSI1SK,
    entity: "ROLLUP",
    clientId: target.clientId,
    granularity: target.granularity,
    period: target.period,
    currency: target.currency,
    updatedAt: target.updatedAt,
  };
  for (const [name, value] of Object.entries(set)) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
  }
  names["#recordCount"] = "recordCount";
  const count = (contributions: readonly RollupContribution[]) =>
    contributions.reduce((sum, contribution) => sum + contribution.recordCount, 0);
  values[":recordCount"] = count(next) - count(previous);
  if (!moves && values[":recordCount"] === 0) return null;
  adds.push("#recordCount :recordCount");
  return {
    Update: {
      TableName: target.table,
      Key: key,
      UpdateExpression: `SET ${Object.keys(set)
        .map((name) => `#${name} = :${name}`)
        .join(", ")} ADD ${adds.join(", ")}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

export function timeSeriesFromItem(item: StoredItem): UnifiedTimeSeriesRecord {
  const fields = itemFields(item, `rollup ${String(item.PK)}/${String(item.SK)}`);
  const byProvider: Partial<Record<CloudProvider, number>> = {};
  const byProviderCategory: Record<string, number> = {};
  for (const name of fields.names()) {
    if (name.startsWith(CATEGORY_PREFIX)) {
      byProviderCategory[name.slice(CATEGORY_PREFIX.length).replace("#", "|")] = fields.number(name);
    } else if (name.startsWith(PROVIDER_PREFIX)) {
      byProvider[name.slice(PROVIDER_PREFIX.length) as CloudProvider] = fields.number(name);
    }
  }
  return {
    clientId: fields.string("clientId"),
    granularity: fields.string("granularity") as RollupGranularity,
    period: fields.string("period"),
    currency: fields.string("currency"),
    total: fields.number("total"),
    byProvider,
    byProviderCategory,
    recordCount: fields.number("recordCount"),
    updatedAt: fields.string("updatedAt"),
  };
}
