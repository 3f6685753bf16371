/** Grouping and ordering shared by record building, aggregation and rollups. */

/** Sums amounts per key, keeping the first item of each group (for its labels), in first-seen order. */
export function sumBy<T>(
  items: Iterable<T>,
  keyOf: (item: T) => string,
  amountOf: (item: T) => number,
): Map<string, { first: T; amount: number }> {
  const groups = new Map<string, { first: T; amount: number }>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.amount += amountOf(item);
    else groups.set(key, { first: item, amount: amountOf(item) });
  }
  return groups;
}

/** Largest amount first; equal amounts by name, so the order is stable across runs. */
export function sortByAmountThenName<T>(
  items: T[],
  amountOf: (item: T) => number,
  nameOf: (item: T) => string,
): T[] {
  return items.sort((a, b) => amountOf(b) - amountOf(a) || nameOf(a).localeCompare(nameOf(b)));
}
