/**
 * Reading roles and client ids out of a token's claims by a configured name: `roles`, a dotted path
 * into nested objects (`realm_access.roles`), or a claim whose own name holds dots
 * (`https://costs.example.com/roles`), which wins when present.
 */
import { ROLES, type Role } from "../domain/identity.js";

/** The value at `path`: the claim named exactly `path`, else the walk through its dot-separated parts. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || Array.isArray(value) || !Object.hasOwn(value, part)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Strings of a claim: an array's strings, or a space-separated string (as `scope` is); else none. */
export function claimStrings(value: unknown): string[] {
  if (typeof value === "string") return value.split(" ").filter((s) => s !== "");
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string" && v !== "");
  return [];
}

/** The known roles a claim names, each once; unknown ones are dropped. */
export function rolesIn(value: unknown): Role[] {
  return [...new Set(claimStrings(value).filter((r): r is Role => ROLES.includes(r as Role)))];
}

/** A claim path as configured: non-empty parts, no whitespace. */
export const CLAIM_PATH = /^[^.\s]+(\.[^.\s]+)*$/;
