/**
 * Relay cursors: opaque, HMAC-signed and bound to the list they came from, so a cursor cannot be
 * forged, edited, or replayed against another list (e.g. another tenant's jobs).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../domain/validation.js";

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export function pageSize(first: number | null | undefined, field = "first"): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw new ValidationError(field, `${first} is out of range: use 0 to ${MAX_PAGE_SIZE}`);
  }
  return first;
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
