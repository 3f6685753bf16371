/**
 * Tokens of a real OpenID provider (oidc-provider) next to HS256 ones, over HTTP and graphql-ws.
 * The provider issues JWT access tokens by the client_credentials grant with a resource indicator
 * (RS256 or ES256 per resource, our audience or another's), with roles and tenants in claims named
 * like a real IdP's (`realm_access.roles`, a URL-named tenants claim). Tokens it cannot be made to
 * issue (expired, not yet valid, alg none, unknown keys) are made from its tokens or with its keys.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from "jose";
import { startTestServer, type TestServer } from "../support/server.js";
import { bearer, connectLive, type LiveConnection } from "../support/live-client.js";
import { CreateClientDocument } from "../e2e/generated/graphql.js";

const AUDIENCE = "cost-analytics-api";
const ROLES_CLAIM = "realm_access.roles";
const TENANTS_CLAIM = "https://costs.example.com/tenants";
const ACME = "acme";
const GLOBEX = "globex";
const TENANT = "query Tenant($id: ID!) { client(id: $id) { id name } }";

/** What each provider client is, as its tokens say (roles under realm_access, like Keycloak). */
const IDENTITIES: Record<string, { roles: string[]; tenants: string[] }> = {
  "cost-admin": { roles: ["admin", "offline_access"], tenants: [] },
  "acme-viewer": { roles: ["viewer", "uma_authorization"], tenants: [ACME] },
  auditor: { roles: ["auditor"], tenants: [ACME] },
};
const RESOURCES = {
  rs256: "https://api.costs.test/rs256",
  es256: "https://api.costs.test/es256",
  otherAudience: "https://reports.costs.test/",
} as const;

interface ProviderInstance {
  issuer: string;
  token(clientId: string, resource: string): Promise<string>;
  close(): Promise<void>;
}

/** oidc-provider ships no type declarations; this is the part the test uses. */
interface ProviderClass {
  new (
    issuer: string,
    configuration: Record<string, unknown>,
  ): { callback(): (req: unknown, res: unknown) => void };
}
// A specifier TypeScript does not resolve (no declarations to find); Node loads the ESM package.
const OIDC_PROVIDER: string = "oidc-provider";

async function startProvider(jwks: { keys: JWK[] }): Promise<ProviderInstance> {
  const { default: Provider } = (await import(OIDC_PROVIDER)) as { default: ProviderClass };
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const secrets = Object.fromEntries(
    Object.keys(IDENTITIES).map((id) => [id, randomBytes(24).toString("hex")]),
  );
  const provider = new Provider(issuer, {
    jwks,
    clients: Object.keys(IDENTITIES).map((clientId) => ({
      client_id: clientId,
      client_secret: secrets[clientId],
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
    })),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          const alg = indicator === RESOURCES.es256 ? "ES256" : "RS256";
          return {
            scope: "costs:read",
            audience: indicator === RESOURCES.otherAudience ? "reports-api" : AUDIENCE,
            accessTokenFormat: "jwt",
            accessTokenTTL: 600,
            jwt: { sign: { alg } },
          };
        },
      },
    },
    extraTokenClaims: (_ctx: unknown, token: { clientId: string }) => {
      const identity = IDENTITIES[token.clientId]!;
      return { realm_access: { roles: identity.roles }, [TENANTS_CLAIM]: identity.tenants };
    },
  });
  server.on("request", provider.callback());
  return {
    issuer,
    token: async (clientId, resource) => {
      const response = await fetch(`${issuer}/token`, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          authorization: `Basic ${Buffer.from(`${clientId}:${secrets[clientId]}`).toString("base64")}`,
        },
        body: new URLSearchParams({ grant_type: "client_credentials", resource, scope: "costs:read" }),
      });
      const body = (await response.json()) as { access_token?: string; error?: string };
      if (!body.access_token) throw new Error(`the provider issued no token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const decode = (part: string) =>
  JSON.parse(Buffer.from(part, "base64url").toString()) as Record<string, unknown>;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function privateJwk(alg: "RS256" | "ES256", kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: "sig" };
}

let provider: ProviderInstance;
let impostor: ProviderInstance;
let server: TestServer;
let rsaKey: JWK;
const connections: LiveConnection[] = [];

beforeAll(async () => {
  rsaKey = await privateJwk("RS256", "provider-rsa");
  const jwks = { keys: [rsaKey, await privateJwk("ES256", "provider-ec")] };
  provider = await startProvider(jwks);
  // Same keys, another issuer: only `iss` tells its tokens apart.
  impostor = await startProvider(jwks);
  server = await startTestServer({
    env: {
      OIDC_ISSUER: provider.issuer,
      OIDC_AUDIENCE: AUDIENCE,
      OIDC_JWKS_URL: `${provider.issuer}/jwks`,
      OIDC_ROLES_CLAIM: ROLES_CLAIM,
      OIDC_CLIENT_IDS_CLAIM: TENANTS_CLAIM,
    },
  });
  const admin = await server.token({ roles: ["admin"] });
  for (const [id, name] of [
    [ACME, "Acme"],
    [GLOBEX, "Globex"],
  ] as const) {
    const created = await server.graphql(
      CreateClientDocument,
      { input: { id, name, reportingCurrency: "USD" } },
      admin,
    );
    expect(created.body.errors).toBeUndefined();
  }
}, 120_000);

afterAll(async () => {
  await Promise.all(connections.map((connection) => connection.close()));
  await server?.stop();
  await provider?.close();
  await impostor?.close();
});

async function readOverHttp(token: string, id = ACME) {
  const { status, body } = await server.graphql<{ client: { id: string; name: string } | null }>(
    TENANT,
    { id },
    token,
  );
  return { status, data: body.data ?? null, codes: (body.errors ?? []).map((e) => e.extensions?.code) };
}

function connect(token: string): LiveConnection {
  const connection = connectLive(server.wsUrl, bearer(token));
  connections.push(connection);
  return connection;
}

async function readOverWs(token: string, id = ACME) {
  const connection = connect(token);
  await connection.acknowledged;
  const subscription = connection.subscribe<{ client: { id: string; name: string } | null }, { id: string }>(
    TENANT,
    {
      id,
    },
  );
  expect(await subscription.ended()).toEqual({ completed: true });
  const [result] = subscription.results;
  return { data: result?.data ?? null, codes: (result?.errors ?? []).map((e) => e.extensions?.code) };
}

async function expectRefused(token: string, reason: RegExp) {
  const { status, body } = await server.graphql(TENANT, { id: ACME }, token);
  expect(status).toBe(401);
  expect(body.data?.client ?? null).toBeNull();
  expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["UNAUTHENTICATED"]);
  expect(body.errors?.[0]?.message).toMatch(reason);
  expect(body.errors?.[0]?.message).not.toContain(token);
  const connection = connect(token);
  await expect(connection.acknowledged).rejects.toThrow(/4403/);
  expect((await connection.closed).code).toBe(4403);
}

/** A token with the provider's RSA key and `kid`, for claims the provider will not issue. */
async function signedWithProviderKey(claims: JWTPayload): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: rsaKey.kid!, typ: "at+jwt" })
    .sign(await importJWK(rsaKey, "RS256"));
}

const now = () => Math.floor(Date.now() / 1000);
const validClaims = (): JWTPayload => ({
  iss: provider.issuer,
  aud: AUDIENCE,
  sub: "acme-viewer",
  iat: now(),
  exp: now() + 300,
  realm_access: { roles: ["viewer"] },
  [TENANTS_CLAIM]: [ACME],
});

describe("tokens of the identity provider", () => {
  it("issues RS256 and ES256 JWT access tokens for our audience (what the rest of this file relies on)", async () => {
    for (const [resource, alg] of [
      [RESOURCES.rs256, "RS256"],
      [RESOURCES.es256, "ES256"],
    ] as const) {
      const [header, payload] = (await provider.token("acme-viewer", resource)).split(".");
      expect(decode(header!)).toMatchObject({ alg, typ: "at+jwt" });
      expect(decode(payload!)).toMatchObject({
        iss: provider.issuer,
        aud: AUDIENCE,
        sub: "acme-viewer",
        realm_access: { roles: ["viewer", "uma_authorization"] },
        [TENANTS_CLAIM]: [ACME],
      });
    }
  });

  it.each([RESOURCES.rs256, RESOURCES.es256])(
    "reads the tenant over HTTP and graphql-ws with a token for %s",
    async (resource) => {
      const token = await provider.token("acme-viewer", resource);
      expect(await readOverHttp(token)).toEqual({
        status: 200,
        data: { client: { id: ACME, name: "Acme" } },
        codes: [],
      });
      expect(await readOverWs(token)).toEqual({ data: { client: { id: ACME, name: "Acme" } }, codes: [] });
    },
  );

  it("honours the configured claims: a viewer of acme is FORBIDDEN globex, an admin reads both", async () => {
    const viewer = await provider.token("acme-viewer", RESOURCES.es256);
    expect(await readOverHttp(viewer, GLOBEX)).toMatchObject({
      data: { client: null },
      codes: ["FORBIDDEN"],
    });
    expect(await readOverWs(viewer, GLOBEX)).toMatchObject({ codes: ["FORBIDDEN"] });
    const admin = await provider.token("cost-admin", RESOURCES.rs256);
    expect((await readOverHttp(admin, GLOBEX)).data).toEqual({ client: { id: GLOBEX, name: "Globex" } });
    expect((await readOverWs(admin, GLOBEX)).data).toEqual({ client: { id: GLOBEX, name: "Globex" } });
  });

  it("refuses a token without a known role", async () => {
    await expectRefused(await provider.token("auditor", RESOURCES.rs256), /lacks sub or a known role/);
  });

  it("refuses another issuer (same keys) and another audience", async () => {
    await expectRefused(
      await impostor.token("cost-admin", RESOURCES.rs256),
      /issuer or audience not accepted/,
    );
    await expectRefused(
      await provider.token("cost-admin", RESOURCES.otherAudience),
      /issuer or audience not accepted/,
    );
  });

  it("refuses alg none, made from a genuine token", async () => {
    const [header, payload] = (await provider.token("cost-admin", RESOURCES.rs256)).split(".");
    const unsigned = `${b64({ ...decode(header!), alg: "none" })}.${payload}.`;
    await expectRefused(unsigned, /algorithm not accepted/);
  });

  it("refuses expired tokens and tokens not valid yet, signed with the provider's own key", async () => {
    // The control: the same key and claims pass, so the refusals below are about time.
    expect((await readOverHttp(await signedWithProviderKey(validClaims()))).status).toBe(200);
    await expectRefused(
      await signedWithProviderKey({ ...validClaims(), iat: now() - 600, exp: now() - 60 }),
      /invalid or expired token/,
    );
    await expectRefused(
      await signedWithProviderKey({ ...validClaims(), nbf: now() + 120 }),
      /invalid or expired token/,
    );
  });

  it("refuses a provider-key token without exp, or good for longer than 24 h, over HTTP and graphql-ws", async () => {
    const { exp: _exp, ...noExpiry } = validClaims();
    await expectRefused(await signedWithProviderKey(noExpiry), /no exp/);
    await expectRefused(
      await signedWithProviderKey({ ...validClaims(), exp: now() + 25 * 3600 }),
      /lifetime exceeds/,
    );
    const { iat: _iat, ...noIssuedAt } = validClaims();
    await expectRefused(
      await signedWithProviderKey({ ...noIssuedAt, exp: now() + 48 * 3600 }),
      /lifetime exceeds/,
    );
  });

  it("refuses tokens signed with a key outside the provider's JWKS, under a new kid or a published one", async () => {
    for (const kid of ["not-published", rsaKey.kid!]) {
      const stranger = await privateJwk("RS256", kid);
      const token = await new SignJWT(validClaims())
        .setProtectedHeader({ alg: "RS256", kid })
        .sign(await importJWK(stranger, "RS256"));
      await expectRefused(token, /invalid or expired token/);
    }
  });

  it("still accepts HS256 tokens of AUTH_JWT_SECRET, with their own claims", async () => {
    const token = await server.token({ roles: ["viewer"], clientIds: [GLOBEX] });
    expect(await readOverHttp(token, GLOBEX)).toMatchObject({
      status: 200,
      data: { client: { id: GLOBEX } },
    });
    expect(await readOverWs(token, GLOBEX)).toMatchObject({ data: { client: { id: GLOBEX } } });
    expect(await readOverHttp(token, ACME)).toMatchObject({ codes: ["FORBIDDEN"] });
  });
});

describe("an identity provider that cannot be reached", () => {
  it("answers 401 UNAUTHENTICATED (never a 500) while HS256 tokens keep working", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const cut = await startTestServer({
      sharedStore: server.store,
      env: {
        AUTH_JWT_SECRET: server.secret,
        OIDC_ISSUER: provider.issuer,
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
        OIDC_ROLES_CLAIM: ROLES_CLAIM,
        OIDC_CLIENT_IDS_CLAIM: TENANTS_CLAIM,
      },
    });
    try {
      const { status, body } = await cut.graphql(
        TENANT,
        { id: ACME },
        await provider.token("cost-admin", RESOURCES.rs256),
      );
      expect(status).toBe(401);
      expect(body.errors?.map((e) => [e.extensions?.code, e.message])).toEqual([
        ["UNAUTHENTICATED", "not authenticated: the identity provider's keys are unavailable"],
      ]);
      expect(cut.logs.some((line) => line.includes("JWKS could not be fetched"))).toBe(true);
      const hs256 = await cut.graphql(TENANT, { id: ACME }, await server.token({ roles: ["admin"] }));
      expect(hs256.body.data).toEqual({ client: { id: ACME, name: "Acme" } });
    } finally {
      await cut.stop();
    }
  });
});
