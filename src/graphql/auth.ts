/**
 * Bearer JWT (HS256) -> the caller's identity, and the access rules of DESIGN.md:
 * viewers read, editors also collect and connect providers for their clients, admins do anything.
 */
import { jwtVerify, SignJWT } from "jose";
import { GraphQLError } from "graphql";

export const ROLES = ["admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  sub: string;
  roles: Role[];
  /** Tenants the caller may see; ignored for admins, who see all. */
  clientIds: string[];
}

export type Authentication = { caller: Caller } | { caller: null; reason: string };

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Never throws: a bad token is "not authenticated", with a reason safe to show. */
export async function authenticate(header: string | undefined, secret: string): Promise<Authentication> {
  if (!header) return { caller: null, reason: "missing bearer token" };
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match?.[1]) return { caller: null, reason: "authorization must be 'Bearer <JWT>'" };
  try {
    const { payload } = await jwtVerify(match[1], secretKey(secret), { algorithms: ["HS256"] });
    const roles = Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is Role => ROLES.includes(r as Role))
      : [];
    const clientIds = Array.isArray(payload.clientIds)
      ? payload.clientIds.filter((c): c is string => typeof c === "string")
      : [];
    if (typeof payload.sub !== "string" || roles.length === 0) {
      return { caller: null, reason: "token lacks sub or a known role" };
    }
    return { caller: { sub: payload.sub, roles, clientIds } };
  } catch {
    return { caller: null, reason: "invalid or expired token" };
  }
}

export async function issueToken(caller: Caller, secret: string, expiresIn = "12h"): Promise<string> {
  return new SignJWT({ roles: caller.roles, clientIds: caller.clientIds })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(caller.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secretKey(secret));
}

export const isAdmin = (caller: Caller): boolean => caller.roles.includes("admin");

export function canRead(caller: Caller, clientId: string): boolean {
  return isAdmin(caller) || caller.clientIds.includes(clientId);
}

export function canEdit(caller: Caller, clientId: string): boolean {
  return isAdmin(caller) || (caller.roles.includes("editor") && caller.clientIds.includes(clientId));
}

export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`not authenticated: ${reason}`, {
    extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
  });
}

export function forbidden(message = "not allowed for this client"): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "FORBIDDEN", http: { status: 403 } } });
}

export function requireCaller(auth: Authentication): Caller {
  if (!auth.caller) throw unauthenticated(auth.reason);
  return auth.caller;
}

export function requireRead(auth: Authentication, clientId: string): Caller {
  const caller = requireCaller(auth);
  if (!canRead(caller, clientId)) throw forbidden();
  return caller;
}

export function requireEdit(auth: Authentication, clientId: string): Caller {
  const caller = requireCaller(auth);
  if (!canEdit(caller, clientId)) throw forbidden("editor or admin role for this client required");
  return caller;
}

export function requireAdmin(auth: Authentication): Caller {
  const caller = requireCaller(auth);
  if (!isAdmin(caller)) throw forbidden("admin role required");
  return caller;
}
