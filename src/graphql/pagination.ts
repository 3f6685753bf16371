/**
 * Relay cursors: opaque, HMAC-signed and bound to the list they came from, so a cursor cannot be
 * forged, edited, or replayed against another list (e.g. another tenant's jobs).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { DEFAULT_PAGE_SIZE, PAGE_SIZE, pageSizeOrDefault } from "../domain/list-limits.js";
import { ValidationError } from "../domain/validation.js";

/** The `first` argument's description, the same on every connection. */
export const FIRST_DESCRIPTION = `Page size: ${PAGE_SIZE.min} to ${PAGE_SIZE.max}, ${DEFAULT_PAGE_SIZE} when omitted; ${PAGE_SIZE.min} answers only pageInfo.`;

/** `first` of a connection (the rule and its message: domain/list-limits.ts). */
export function pageSize(first: number | null | undefined, field = "first"): number {
  return pageSizeOrDefault(first, field);
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
}
