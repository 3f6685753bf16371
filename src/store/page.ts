/**
 * One window of a listing, read in either direction, shaped for Relay connections: forward is the
 * `size` items after `cursor` (or from the start), backward the `size` items just before `cursor`
 * (or at the end). Items always come in the listing's own order.
 */
export interface ListingWindow {
  size: number;
  /** A listing position the store returned (`after` forward, `before` backward); absent: from the edge. */
  cursor?: string;
  backward: boolean;
}

export interface Page<T> {
  items: T[];
  /** More items lie beyond the window, in the direction it was read. */
  hasMore: boolean;
}

/**
 * Builds a page from up to `size + 1` items read away from the cursor (the extra one only tells
 * that more exist); a backward read comes nearest-first and is put back in listing order.
 */
export function pageOf<T>(read: T[], window: ListingWindow): Page<T> {
  const items = read.slice(0, window.size);
  return { items: window.backward ? items.reverse() : items, hasMore: read.length > window.size };
}

/**
 * The key condition and scan direction that read a window of a sort-key range whose listing order is
 * `order`: `sk` names the sort key attribute, `start` is the encoded cursor position, if any.
 */
export function windowQuery(
  window: ListingWindow,
  order: "ascending" | "descending",
  sk: string,
  start: string | undefined,
): { condition: string; values: Record<string, string>; scanIndexForward: boolean } {
  // Reading toward larger keys: forward in an ascending listing, backward in a descending one.
  const upward = (order === "ascending") !== window.backward;
  return {
    condition: start === undefined ? "" : ` AND ${sk} ${upward ? ">" : "<"} :start`,
    values: start === undefined ? {} : { ":start": start },
    scanIndexForward: upward,
  };
}

/**
 * The candidates of a window over a listing held in memory (ascending `positionOf`), nearest to the
 * cursor first, as a store read would return them: read until `size + 1` are found, then pageOf.
 */
export function candidatesOf<T>(
  all: readonly T[],
  window: ListingWindow,
  positionOf: (item: T) => string,
): T[] {
  const { cursor } = window;
  if (!window.backward)
    return cursor === undefined ? [...all] : all.filter((item) => positionOf(item) > cursor);
  return (cursor === undefined ? [...all] : all.filter((item) => positionOf(item) < cursor)).reverse();
}
