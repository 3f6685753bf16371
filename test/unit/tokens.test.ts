/**
 * The token verifier's rules without a network: claims read by configured paths, HS256 next to
 * RS256/ES256 from a local key set, and every refusal (alg, issuer, audience, time, keys) as a safe
 * reason. The real identity provider is in test/integration/oidc-tokens.test.ts.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from "jose";
import { claimAt, claimStrings, rolesIn } from "../../src/security/claims.js";
import { createTokenVerifier, issueToken, type OidcSettings } from "../../src/security/tokens.js";

const SECRET = "s".repeat(32);
const NOW = new Date("2027-03-01T12:00:00Z");
const clock = () => NOW;
const at = (offsetSeconds: number) => Math.floor(NOW.getTime() / 1000) + offsetSeconds;
const OIDC: OidcSettings = {
  issuer: "https://login.example.com/realms/finance",
  audience: "cost-analytics-api",
  jwksUrl: "https://login.example.com/jwks",
  rolesClaim: "realm_access.roles",
  clientIdsClaim: "https://costs.example.com/tenants",
};

describe("claims by path", () => {
  const payload = {
    roles: ["viewer"],
    realm_access: { roles: ["editor", "offline_access"] },
    "https://costs.example.com/tenants": ["acme"],
    "a.b": "exact",
    a: { b: "nested" },
    nested: { list: [{ x: 1 }] },
  };

  it("reads a top-level claim, a dotted path, and a claim whose name holds dots (exact name first)", () => {
    expect(claimAt(payload, "roles")).toEqual(["viewer"]);
    expect(claimAt(payload, "realm_access.roles")).toEqual(["editor", "offline_access"]);
    expect(claimAt(payload, "https://costs.example.com/tenants")).toEqual(["acme"]);
    expect(claimAt(payload, "a.b")).toBe("exact");
  });

  it("answers undefined for a missing part, a walk through an array or a scalar, and inherited names", () => {
    expect(claimAt(payload, "realm_access.groups")).toBeUndefined();
    expect(claimAt(payload, "nested.list.x")).toBeUndefined();
    expect(claimAt(payload, "roles.length")).toBeUndefined();
    expect(claimAt(payload, "constructor")).toBeUndefined();
    expect(claimAt(payload, "realm_access.toString")).toBeUndefined();
  });

  it("takes string arrays or a space-separated string; keeps known roles once, drops the rest", () => {
    expect(claimStrings("acme  globex")).toEqual(["acme", "globex"]);
    expect(claimStrings(["acme", 3, null, "", "globex"])).toEqual(["acme", "globex"]);
    expect(claimStrings({ acme: true })).toEqual([]);
    expect(rolesIn(["viewer", "Admin", "superuser", "viewer", "editor"])).toEqual(["viewer", "editor"]);
    expect(rolesIn("admin")).toEqual(["admin"]);
    expect(rolesIn(undefined)).toEqual([]);
  });
});

interface Keys {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function keyPair(alg: "RS256" | "ES256", kid: string): Promise<Keys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

function sign(keys: Keys, claims: JWTPayload, alg: "RS256" | "ES256" = keys.jwk.alg as "RS256") {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: keys.jwk.kid!, typ: "at+jwt" })
    .sign(keys.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("createTokenVerifier", async () => {
  const rsa = await keyPair("RS256", "rsa-1");
  const ec = await keyPair("ES256", "ec-1");
  const stranger = await keyPair("RS256", "rsa-1");
  const verifier = createTokenVerifier({
    secret: SECRET,
    oidc: OIDC,
    clock,
    keys: createLocalJWKSet({ keys: [rsa.jwk, ec.jwk] }),
  });
  const good: JWTPayload = {
    iss: OIDC.issuer,
    aud: ["account", OIDC.audience],
    sub: "u-1",
    iat: at(-60),
    nbf: at(-60),
    exp: at(600),
    realm_access: { roles: ["viewer", "uma_authorization"] },
    "https://costs.example.com/tenants": ["acme"],
  };
  const reasonOf = async (token: string) => {
    const auth = await verifier.authenticate(`Bearer ${token}`);
    return auth.caller ? "accepted" : auth.reason;
  };

  it("accepts RS256 and ES256 tokens of the provider, with roles and tenants from the configured claims", async () => {
    for (const keys of [rsa, ec]) {
      expect(await verifier.authenticate(`Bearer ${await sign(keys, good)}`)).toEqual({
        caller: { sub: "u-1", roles: ["viewer"], clientIds: ["acme"] },
        expiresAt: new Date(good.exp! * 1000),
      });
    }
  });

  it("still accepts HS256 tokens of the secret, with their own claims, and only those", async () => {
    const caller = { sub: "svc", roles: ["admin" as const], clientIds: [] };
    // issueToken stamps the real time; this verifier's clock is months later.
    const live = createTokenVerifier({ secret: SECRET, oidc: OIDC });
    expect(await live.authenticate(`Bearer ${await issueToken(caller, SECRET)}`)).toEqual({
      caller,
      expiresAt: expect.any(Date),
    });
    expect(await live.authenticate(`Bearer ${await issueToken(caller, "x".repeat(32))}`)).toEqual({
      caller: null,
      reason: "invalid or expired token",
    });
  });

  it("refuses another issuer, another audience, or none", async () => {
    expect(await reasonOf(await sign(rsa, { ...good, iss: "https://evil.example.com" }))).toBe(
      "token issuer or audience not accepted",
    );
    expect(await reasonOf(await sign(rsa, { ...good, aud: "account" }))).toBe(
      "token issuer or audience not accepted",
    );
    const { aud: _aud, ...noAudience } = good;
    expect(await reasonOf(await sign(rsa, noAudience))).not.toBe("accepted");
  });

  it("enforces exp and nbf with 5 s of leeway", async () => {
    expect(await reasonOf(await sign(rsa, { ...good, exp: at(-4) }))).toBe("accepted");
    expect(await reasonOf(await sign(rsa, { ...good, exp: at(-6) }))).toBe("invalid or expired token");
    expect(await reasonOf(await sign(rsa, { ...good, nbf: at(4) }))).toBe("accepted");
    expect(await reasonOf(await sign(rsa, { ...good, nbf: at(60) }))).toBe("invalid or expired token");
  });

  it("requires exp, and caps the lifetime from iat (or from now without one) at 24 h by default", async () => {
    const { exp: _exp, ...noExpiry } = good;
    expect(await reasonOf(await sign(rsa, noExpiry))).toBe("token has no exp (expiry)");
    const hmac = new TextEncoder().encode(SECRET);
    const hs256 = (claims: JWTPayload) =>
      new SignJWT({ roles: ["admin"], clientIds: [], ...claims })
        .setProtectedHeader({ alg: "HS256" })
        .setSubject("mallory")
        .sign(hmac);
    expect(await reasonOf(await hs256({}))).toBe("token has no exp (expiry)");
    const day = 24 * 3600;
    expect(await reasonOf(await sign(rsa, { ...good, iat: at(-60), exp: at(day - 60) }))).toBe("accepted");
    const tooLong = "token lifetime exceeds the 86400 s allowed";
    expect(await reasonOf(await sign(rsa, { ...good, iat: at(-60), exp: at(day) }))).toBe(tooLong);
    expect(await reasonOf(await hs256({ iat: at(0), exp: at(365 * day) }))).toBe(tooLong);
    // Without iat, or with one in the future, the lifetime counts from now.
    const { iat: _iat, ...noIssuedAt } = good;
    expect(await reasonOf(await sign(rsa, { ...noIssuedAt, exp: at(day) }))).toBe("accepted");
    expect(await reasonOf(await sign(rsa, { ...noIssuedAt, exp: at(day + 60) }))).toBe(tooLong);
    expect(await reasonOf(await sign(rsa, { ...good, iat: at(30 * day), exp: at(31 * day) }))).toBe(tooLong);
    const longer = createTokenVerifier({ secret: SECRET, clock, maxLifetimeSeconds: 30 * day });
    expect(
      (await longer.authenticate(`Bearer ${await hs256({ iat: at(0), exp: at(30 * day) })}`)).caller,
    ).toEqual({ sub: "mallory", roles: ["admin"], clientIds: [] });
  });

  it("refuses alg none, other algs, HS256 signed with a public key, and keys outside the set", async () => {
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(good)}.`;
    expect(await reasonOf(unsigned)).toBe("token algorithm not accepted");
    const rs256 = await sign(rsa, good);
    const [, body, signature] = rs256.split(".");
    expect(await reasonOf(`${b64({ alg: "PS256", kid: "rsa-1" })}.${body}.${signature}`)).toBe(
      "token algorithm not accepted",
    );
    // The classic confusion: an HS256 MAC keyed with the provider's public key is checked with the secret.
    const confused = await new SignJWT(good)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(JSON.stringify(rsa.jwk)));
    expect(await reasonOf(confused)).toBe("invalid or expired token");
    expect(await reasonOf(await sign(stranger, good))).toBe("invalid or expired token");
    expect(await reasonOf(await sign({ ...stranger, jwk: { ...stranger.jwk, kid: "rsa-9" } }, good))).toBe(
      "invalid or expired token",
    );
  });

  it("wants a subject and a known role", async () => {
    const { sub: _sub, ...noSubject } = good;
    expect(await reasonOf(await sign(rsa, noSubject))).toBe("token lacks sub or a known role");
    expect(await reasonOf(await sign(rsa, { ...good, realm_access: { roles: ["superuser"] } }))).toBe(
      "token lacks sub or a known role",
    );
    // The HS256 claim name means nothing in a provider's token configured otherwise.
    expect(await reasonOf(await sign(rsa, { ...good, realm_access: {}, roles: ["admin"] }))).toBe(
      "token lacks sub or a known role",
    );
  });

  it("refuses RS256 and ES256 when no provider is configured, and malformed headers, without echoing the token", async () => {
    const hsOnly = createTokenVerifier({ secret: SECRET, clock });
    const token = await sign(rsa, good);
    expect(await hsOnly.authenticate(`Bearer ${token}`)).toEqual({
      caller: null,
      reason: "token algorithm not accepted",
    });
    for (const header of [undefined, "", "Basic abc", "Bearer a b", "Bearer not-a-jwt", "Bearer ..."]) {
      const auth = await verifier.authenticate(header);
      expect(auth.caller).toBeNull();
    }
    expect(await verifier.authenticate("Bearer not-a-jwt")).toEqual({
      caller: null,
      reason: "invalid or expired token",
    });
  });

  it("answers 'not authenticated' when the JWKS cannot be fetched or is no key set, and says so once", async () => {
    const server = createServer((req, res) => {
      if (req.url === "/broken") res.writeHead(500).end("boom");
      else res.writeHead(200, { "content-type": "application/json" }).end('{"not":"a key set"}');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    try {
      const token = await sign(rsa, good);
      for (const jwksUrl of [`${base}/broken`, `${base}/invalid`, `http://127.0.0.1:${closedPort}/jwks`]) {
        const seen: unknown[] = [];
        const remote = createTokenVerifier({
          secret: SECRET,
          oidc: { ...OIDC, jwksUrl },
          clock,
          onKeysUnavailable: (error) => seen.push(error),
        });
        expect(await remote.authenticate(`Bearer ${token}`), jwksUrl).toEqual({
          caller: null,
          reason: "the identity provider's keys are unavailable",
        });
        expect(seen, jwksUrl).toHaveLength(1);
      }
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
