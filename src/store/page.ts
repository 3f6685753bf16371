/** A page of a listing, shaped for Relay connections: the resolver maps items to edges. */
export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  /** Pass as `after` to get the next page; null when the page is empty. */
  endCursor: string | null;
}

/**
 * Builds a page from up to `first + 1` items read: the extra one only tells that more exist.
 * `cursorOf` gives each item's cursor.
 */
export function pageOf<T>(read: T[], first: number, cursorOf: (item: T) => string): Page<T> {
  const items = read.slice(0, first);
  const last = items[items.length - 1];
  return { items, hasNextPage: read.length > first, endCursor: last === undefined ? null : cursorOf(last) };
}
