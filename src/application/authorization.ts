/**
 * The access rules (README, "API"), checked inside every use case: viewers read their tenants, editors
 * also collect and connect providers for them, admins do anything. Resolvers never decide access.
 */
import type { Authentication, Caller } from "../domain/identity.js";
import { ForbiddenError, UnauthenticatedError } from "../domain/errors.js";

export const isAdmin = (caller: Caller): boolean => caller.roles.includes("admin");

/** An authenticated admin (for checks made before any use case runs: trusted documents, introspection). */
export const authIsAdmin = (auth: Authentication): boolean => auth.caller !== null && isAdmin(auth.caller);

export const canRead = (caller: Caller, clientId: string): boolean =>
  isAdmin(caller) || caller.clientIds.includes(clientId);

const canEdit = (caller: Caller, clientId: string): boolean =>
  isAdmin(caller) || (caller.roles.includes("editor") && caller.clientIds.includes(clientId));

export function requireCaller(auth: Authentication): Caller {
  if (!auth.caller) throw new UnauthenticatedError(`not authenticated: ${auth.reason}`);
  return auth.caller;
}

export function requireRead(auth: Authentication, clientId: string): Caller {
  const caller = requireCaller(auth);
  if (!canRead(caller, clientId)) throw new ForbiddenError("not allowed for this client");
  return caller;
}

export function requireEdit(auth: Authentication, clientId: string): Caller {
  const caller = requireCaller(auth);
  if (!canEdit(caller, clientId)) throw new ForbiddenError("editor or admin role for this client required");
  return caller;
}

export function requireAdmin(auth: Authentication): Caller {
  const caller = requireCaller(auth);
  if (!isAdmin(caller)) throw new ForbiddenError("admin role required");
  return caller;
}
