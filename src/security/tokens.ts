/**
 * Bearer JWT -> the caller's identity (domain/identity.ts), and tokens for it. What the identity may
 * do is the application's business (application/authorization.ts).
 *
 * Two kinds of token are accepted, told apart by the header's `alg`: HS256, signed with
 * AUTH_JWT_SECRET (the service's own and the sandbox's tokens, claims `roles` and `clientIds`), and,
 * when OIDC is configured, RS256/ES256 from the organisation's identity provider, checked against its
 * JWKS and required to carry its issuer and our audience (claims as configured). Every other `alg`,
 * `none` included, is refused.
 */
import {
  createRemoteJWKSet,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  SignJWT,
  type JWTPayload,
  type JWTVerifyGetKey,
} from "jose";
import type { Authentication, Caller } from "../domain/identity.js";
import type { Clock } from "../shared/clock.js";
import { claimAt, claimStrings, rolesIn } from "./claims.js";

/** Algorithms of the identity provider's tokens (asymmetric, keys from its JWKS). */
export const OIDC_ALGORITHMS = ["RS256", "ES256"] as const;
/** Leeway on `exp` and `nbf` for clocks that disagree a little. */
export const CLOCK_TOLERANCE_SECONDS = 5;
/** The longest a token may live (`exp` - `iat`) unless configured otherwise: 24 h. */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 24 * 3600;
/** How long one JWKS fetch may take; keys are cached, and refetched at most every 30 s for a new `kid`. */
const JWKS_TIMEOUT_MS = 3_000;
const JWKS_COOLDOWN_MS = 30_000;
const JWKS_MAX_AGE_MS = 10 * 60_000;

/** What the verifier needs of the identity provider (config.ts `oidc`, OIDC_* variables). */
export interface OidcSettings {
  /** Exact `iss`. */
  issuer: string;
  /** Required in `aud`. */
  audience: string;
  jwksUrl: string;
  /** Claim names or dotted paths (claims.ts). */
  rolesClaim: string;
  clientIdsClaim: string;
}

export interface TokenVerifierOptions {
  /** AUTH_JWT_SECRET: the HS256 key. */
  secret: string;
  /** The identity provider; absent: only HS256 tokens are accepted. */
  oidc?: OidcSettings | undefined;
  /** What "now" is for `exp` and `nbf` (default: the system's time). */
  clock?: Clock;
  /** The longest lifetime accepted, `exp` - `iat` (default 24 h); see tokenLifetimeProblem. */
  maxLifetimeSeconds?: number;
  /** The provider's keys (default: its JWKS URL, fetched and cached); tests may hand a local set. */
  keys?: JWTVerifyGetKey;
  /** Told when the provider's keys could not be fetched (the caller only sees "not authenticated"). */
  onKeysUnavailable?: (error: unknown) => void;
}

export interface TokenVerifier {
  /** Never throws: a bad token is "not authenticated", with a reason safe to show. */
  authenticate(header: string | undefined): Promise<Authentication>;
}

const refused = (reason: string): Authentication => ({ caller: null, reason });
const INVALID = "invalid or expired token";

function secretKey(secret: string): Uint8Array {
  return new TextEncoder().encode(secret);
}

/** Why jose refused a token, in words safe to show (never the token, never the provider's reply). */
function reasonOf(error: unknown, onKeysUnavailable?: (error: unknown) => void): string {
  if (error instanceof errors.JWTClaimValidationFailed && (error.claim === "iss" || error.claim === "aud")) {
    return "token issuer or audience not accepted";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "token algorithm not accepted";
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError) ||
    error.code === errors.JOSEError.code
  ) {
    // Unreachable JWKS, a non-200 or malformed answer: the token may be fine, the keys are missing.
    onKeysUnavailable?.(error);
    return "the identity provider's keys are unavailable";
  }
  return INVALID;
}

/**
 * Why a verified token's lifetime is refused, or undefined when it is fine. `exp` is required (a token
 * without one would never expire). The lifetime is measured from `iat`, or from now when `iat` is
 * absent or in the future, so a token can never be good for longer than the maximum from now.
 */
export function tokenLifetimeProblem(
  payload: JWTPayload,
  nowSeconds: number,
  maxLifetimeSeconds: number,
): string | undefined {
  if (typeof payload.exp !== "number") return "token has no exp (expiry)";
  const issued = typeof payload.iat === "number" ? Math.min(payload.iat, nowSeconds) : nowSeconds;
  if (payload.exp - issued > maxLifetimeSeconds + CLOCK_TOLERANCE_SECONDS) {
    return `token lifetime exceeds the ${maxLifetimeSeconds} s allowed`;
  }
  return undefined;
}

/** Built once per process from the configuration; the JWKS is fetched lazily and cached. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { oidc } = options;
  const hmacKey = secretKey(options.secret);
  const keys =
    options.keys ??
    (oidc
      ? createRemoteJWKSet(new URL(oidc.jwksUrl), {
          timeoutDuration: JWKS_TIMEOUT_MS,
          cooldownDuration: JWKS_COOLDOWN_MS,
          cacheMaxAge: JWKS_MAX_AGE_MS,
        })
      : undefined);
  const now = () => (options.clock ? { currentDate: options.clock() } : {});
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;

  const callerOf = (payload: JWTPayload, rolesClaim: string, clientIdsClaim: string): Authentication => {
    const nowSeconds = Math.floor((options.clock?.() ?? new Date()).getTime() / 1000);
    const lifetime = tokenLifetimeProblem(payload, nowSeconds, maxLifetime);
    if (lifetime) return refused(lifetime);
    const roles = rolesIn(claimAt(payload, rolesClaim));
    const clientIds = claimStrings(claimAt(payload, clientIdsClaim));
    if (typeof payload.sub !== "string" || payload.sub === "" || roles.length === 0) {
      return refused("token lacks sub or a known role");
    }
    // tokenLifetimeProblem refused every token without a numeric exp.
    return { caller: { sub: payload.sub, roles, clientIds }, expiresAt: new Date(payload.exp! * 1000) };
  };

  return {
    async authenticate(header) {
      if (!header) return refused("missing bearer token");
      const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
      if (!match?.[1]) return refused("authorization must be 'Bearer <JWT>'");
      const token = match[1];
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        return refused(INVALID);
      }
      try {
        if (alg === "HS256") {
          const { payload } = await jwtVerify(token, hmacKey, {
            algorithms: ["HS256"],
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            ...now(),
          });
          return callerOf(payload, "roles", "clientIds");
        }
        if (oidc && keys && OIDC_ALGORITHMS.includes(alg as (typeof OIDC_ALGORITHMS)[number])) {
          const { payload } = await jwtVerify(token, keys, {
            algorithms: [...OIDC_ALGORITHMS],
            issuer: oidc.issuer,
            audience: oidc.audience,
            clockTolerance: CLOCK_TOLERANCE_SECONDS,
            ...now(),
          });
          return callerOf(payload, oidc.rolesClaim, oidc.clientIdsClaim);
        }
        return refused("token algorithm not accepted");
      } catch (error) {
        return refused(reasonOf(error, options.onKeysUnavailable));
      }
    },
  };
}

/** `expiresIn`: a jose time span ("12h", "86400s"); it must fit the verifier's maximum lifetime. */
export async function issueToken(caller: Caller, secret: string, expiresIn = "12h"): Promise<string> {
  return new SignJWT({ roles: caller.roles, clientIds: caller.clientIds })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(caller.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(secretKey(secret));
}
