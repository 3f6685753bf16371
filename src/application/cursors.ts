/**
 * Relay connections, built one way for every list: opaque cursors, HMAC-signed and bound to the list
 * they came from, so a cursor cannot be forged, edited, or replayed against another list (e.g.
 * another tenant's jobs); `first` follows the one rule of domain/limits.ts.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { pageSizeOrDefault } from "../domain/limits.js";
import { ValidationError } from "../domain/validation.js";

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/** What a caller asks of a list: `first` unchecked, `after` as the cursor it was given. */
export interface PageRequest {
  first?: number | null;
  after?: string | null;
}

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
   * Reads one page of the list `scope`: `read(size, after)` gets the checked page size and the
   * position after which to start, and returns the items and whether more follow.
   */
  async page<T>(
    scope: string,
    request: PageRequest,
    positionOf: (item: T) => string,
    read: (size: number, after: string | undefined) => Promise<{ items: T[]; hasNextPage: boolean }>,
  ): Promise<Connection<T>> {
    const size = pageSizeOrDefault(request.first);
    const { items, hasNextPage } = await read(size, this.decode(scope, request.after));
    const edges = items.map((node) => ({ node, cursor: this.encode(scope, positionOf(node)) }));
    return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  }
}
