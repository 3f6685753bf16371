/**
 * Bearer JWT (HS256) -> the caller's identity (domain/identity.ts), and tokens for it. What the
 * identity may do is the application's business (application/authorization.ts).
 */
import { jwtVerify, SignJWT } from "jose";
import { ROLES, type Authentication, type Caller, type Role } from "../domain/identity.js";

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
