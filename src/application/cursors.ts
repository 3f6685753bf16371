/**
 * Relay connections, built one way for every list: opaque cursors, HMAC-signed and bound to the list
 * they came from, so a cursor cannot be forged, edited, or replayed against another list (e.g.
 * another tenant's jobs); `first` follows the one rule of domain/limits.ts.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { pageSizeOrDefault } from "../domain/limits.js";
import { ValidationError } from "../domain/validation.js";
import type { ListingWindow, Page } from "../store/page.js";

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** Counts the whole list, where counting is cheap; called only when a caller asks for it. */
  totalCount?: () => Promise<number>;
}

/** What a caller asks of a list: forward (`first`, `after`) or backward (`last`, `before`), unchecked. */
export interface PageRequest {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

const given = (value: unknown) => value !== null && value !== undefined;

export class CursorCodec {
  constructor(private readonly secret: string) {}

  private sign(body: string): Buffer {
    return createHmac("sha256", this.secret).update(body).digest().subarray(0, 16);
  }

  /** `scope` names the list, e.g. "jobs:acme"; `position` is the store's key of the last item. */
  encode(scope: string, position: string): string {
    const body = Buffer.from(JSON.stringify([scope, position])).toString("base64url");
    return `${body}.${this.sign(body).toString("base64url")}`;
  }

  decode(scope: string, cursor: string | null | undefined, field = "after"): string | undefined {
    if (cursor === null || cursor === undefined) return undefined;
    const invalid = () => new ValidationError(field, "is not a cursor issued for this list");
    const [body, signature, extra] = cursor.split(".");
    if (!body || !signature || extra !== undefined || cursor.length > 1024) throw invalid();
    const expected = this.sign(body);
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
    const parsed: unknown = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed[0] !== scope || typeof parsed[1] !== "string") throw invalid();
    return parsed[1];
  }

  /**
   * Reads one page of the list `scope`. `read(window)` gets the checked size, the direction and the
   * position to start from, and returns the items in list order and whether more lie beyond.
   * A page goes one way: `first`/`after` or `last`/`before`, never a mix (BAD_USER_INPUT naming
   * the field). Relay lets the far side stay unknown; here it is known from the cursor: a page
   * read after a cursor has items before it, and one read before a cursor has items after it.
   */
  async page<T>(
    scope: string,
    request: PageRequest,
    positionOf: (item: T) => string,
    read: (window: ListingWindow) => Promise<Page<T>>,
    count?: () => Promise<number>,
  ): Promise<Connection<T>> {
    const backward = given(request.last) || given(request.before);
    if (backward && given(request.first)) {
      throw new ValidationError("last", "page forward (first, after) or backward (last, before), not both");
    }
    if (backward && given(request.after)) {
      throw new ValidationError("after", "page forward (first, after) or backward (last, before), not both");
    }
    const size = backward ? pageSizeOrDefault(request.last, "last") : pageSizeOrDefault(request.first);
    const cursor = backward
      ? this.decode(scope, request.before, "before")
      : this.decode(scope, request.after, "after");
    const { items, hasMore } = await read({ size, backward, ...(cursor === undefined ? {} : { cursor }) });
    const edges = items.map((node) => ({ node, cursor: this.encode(scope, positionOf(node)) }));
    return {
      edges,
      pageInfo: {
        hasNextPage: backward ? cursor !== undefined : hasMore,
        hasPreviousPage: backward ? hasMore : cursor !== undefined,
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges.at(-1)?.cursor ?? null,
      },
      ...(count ? { totalCount: count } : {}),
    };
  }
}
