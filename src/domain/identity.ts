/**
 * Who is asking, as every use case sees it: a signed-in caller with roles and tenants, or nobody
 * (with the reason a credential was refused, safe to show). The access rules live in
 * application/authorization.ts; how a caller is proven (JWT) is the edge's business.
 */
export const ROLES = ["admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export interface Caller {
  sub: string;
  roles: Role[];
  /** Tenants the caller may see; ignored for admins, who see all. */
  clientIds: string[];
}

/** `expiresAt`: when the credential stops being valid (a token's `exp`); absent for the service itself. */
export type Authentication = { caller: Caller; expiresAt?: Date } | { caller: null; reason: string };

/** The service acting on its own behalf (the sandbox's demo tenant, recovery): an admin. */
export const SYSTEM: Authentication = { caller: { sub: "system", roles: ["admin"], clientIds: [] } };
