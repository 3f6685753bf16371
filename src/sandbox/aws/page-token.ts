/**
 * NextPageToken as Cost Explorer treats it: opaque, signed, and bound to the request it came from.
 * A token that was not issued here is InvalidNextTokenException; a real token sent with a changed
 * request body is RequestChangedException.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { AwsApiError } from "./aws-json-server.js";

/** JSON with sorted keys, so the same request always hashes the same whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, entry]) => entry !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonicalJson(entry)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Hash of a request body without its NextPageToken: what a token is bound to. */
export function requestFingerprint(body: Record<string, unknown>): string {
  const { NextPageToken: _token, ...request } = body;
  return createHash("sha256").update(canonicalJson(request)).digest("base64url").slice(0, 22);
}

export class PageTokens {
  private readonly key = randomBytes(32);

  issue(offset: number, fingerprint: string): string {
    const payload = Buffer.from(JSON.stringify({ o: offset, f: fingerprint })).toString("base64url");
    return `${payload}.${this.sign(payload)}`;
  }

  /** The offset a token points at; throws the API's own error for a forged or re-bound token. */
  redeem(token: string, fingerprint: string): number {
    const [payload, signature, extra] = token.split(".");
    const expected = payload === undefined ? undefined : Buffer.from(this.sign(payload));
    const given = Buffer.from(signature ?? "");
    if (
      extra !== undefined ||
      !expected ||
      expected.length !== given.length ||
      !timingSafeEqual(expected, given)
    ) {
      throw new AwsApiError("InvalidNextTokenException", "The NextPageToken is invalid.");
    }
    const { o: offset, f: boundTo } = JSON.parse(Buffer.from(payload ?? "", "base64url").toString()) as {
      o: number;
      f: string;
    };
    if (boundTo !== fingerprint) {
      throw new AwsApiError(
        "RequestChangedException",
        "Your request parameters changed between pages. Try again with the old parameters or without a pagination token.",
      );
    }
    return offset;
  }

  private sign(payload: string): string {
    return createHmac("sha256", this.key).update(payload).digest("base64url");
  }
}
