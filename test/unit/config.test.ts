import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

const JWT = "j".repeat(32);
const LOCAL_KEY = randomBytes(32).toString("base64");
const KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

describe("loadConfig", () => {
  it("refuses production without a token secret or any credentials key, naming both", () => {
    expect(() => loadConfig({}, "production")).toThrow(
      new ConfigError(
        "production mode refuses to start without AUTH_JWT_SECRET (HS256 key for bearer tokens, at least 32 characters) and CREDENTIALS_KMS_KEY_ID (the KMS key of provider secrets) or CREDENTIALS_ENCRYPTION_KEY (32 bytes, base64)",
      ),
    );
  });

  it("takes a KMS key alone in production: no local key then", () => {
    const config = loadConfig(
      {
        AUTH_JWT_SECRET: JWT,
        CREDENTIALS_KMS_KEY_ID: "alias/cost-analytics",
        AWS_ENDPOINT_URL_KMS: "https://kms.internal:8443",
      },
      "production",
    );
    expect(config.credentialsKeys).toEqual({
      kms: { keyId: "alias/cost-analytics", endpoint: "https://kms.internal:8443" },
    });
  });

  it("keeps the local key beside KMS so older secrets stay readable", () => {
    const config = loadConfig(
      { AUTH_JWT_SECRET: JWT, CREDENTIALS_KMS_KEY_ID: KEY_ARN, CREDENTIALS_ENCRYPTION_KEY: LOCAL_KEY },
      "production",
    );
    expect(config.credentialsKeys.kms).toEqual({ keyId: KEY_ARN });
    expect(config.credentialsKeys.local?.toString("base64")).toBe(LOCAL_KEY);
  });

  it.each([
    "arn:aws:kms:eu-west-1:123456789012:alias/costs",
    "1234abcd-12ab-34cd-56ef-1234567890ab",
    KEY_ARN,
  ])("accepts the KMS key form %s", (keyId) => {
    expect(loadConfig({ CREDENTIALS_KMS_KEY_ID: keyId }, "sandbox").credentialsKeys.kms?.keyId).toBe(keyId);
  });

  it("names a malformed KMS key id and endpoint", () => {
    expect(() =>
      loadConfig({ CREDENTIALS_KMS_KEY_ID: "my key", AWS_ENDPOINT_URL_KMS: "not a url" }, "sandbox"),
    ).toThrow(
      /CREDENTIALS_KMS_KEY_ID: must be a KMS key ARN, key id, alias name \(alias\/\.\.\.\) or alias ARN; AWS_ENDPOINT_URL_KMS: /,
    );
  });

  it("publishes alarm metrics by default in production, every minute, and not in the sandbox", () => {
    const production = loadConfig(
      { AUTH_JWT_SECRET: JWT, CREDENTIALS_ENCRYPTION_KEY: LOCAL_KEY },
      "production",
    );
    expect(production.cloudwatchMetrics).toEqual({ intervalMs: 60_000 });
    expect(loadConfig({}, "sandbox").cloudwatchMetrics).toBeUndefined();
    const off = loadConfig(
      { AUTH_JWT_SECRET: JWT, CREDENTIALS_ENCRYPTION_KEY: LOCAL_KEY, CLOUDWATCH_METRICS: "off" },
      "production",
    );
    expect(off.cloudwatchMetrics).toBeUndefined();
    const sandboxOn = loadConfig(
      {
        CLOUDWATCH_METRICS: "on",
        CLOUDWATCH_METRICS_INTERVAL_SECONDS: "15",
        AWS_ENDPOINT_URL_CLOUDWATCH: "http://127.0.0.1:4599",
      },
      "sandbox",
    );
    expect(sandboxOn.cloudwatchMetrics).toEqual({ intervalMs: 15_000, endpoint: "http://127.0.0.1:4599" });
  });

  it("names a bad metrics switch and interval", () => {
    expect(() =>
      loadConfig({ CLOUDWATCH_METRICS: "yes", CLOUDWATCH_METRICS_INTERVAL_SECONDS: "0" }, "sandbox"),
    ).toThrow(/CLOUDWATCH_METRICS: .*; CLOUDWATCH_METRICS_INTERVAL_SECONDS: /);
  });

  it("gives a sandbox without any key a throwaway local one", () => {
    const first = loadConfig({}, "sandbox").credentialsKeys;
    expect(first.kms).toBeUndefined();
    expect(first.local).toHaveLength(32);
    expect(loadConfig({}, "sandbox").credentialsKeys.local?.equals(first.local!)).toBe(false);
  });

  it("fans events out through Redis only when REDIS_URL names a Redis", () => {
    expect(loadConfig({}, "sandbox").redisUrl).toBeUndefined();
    expect(loadConfig({ REDIS_URL: "rediss://cache.internal:6380" }, "sandbox").redisUrl).toBe(
      "rediss://cache.internal:6380",
    );
    expect(() => loadConfig({ REDIS_URL: "http://cache.internal:6379" }, "sandbox")).toThrow(
      "invalid configuration: REDIS_URL: must be a redis:// or rediss:// URL",
    );
  });
});

describe("loadConfig: hardening switches", () => {
  const production = { AUTH_JWT_SECRET: JWT, CREDENTIALS_ENCRYPTION_KEY: LOCAL_KEY };

  it("caps token lifetimes at 24 h in production and 30 days (its printed tokens) in the sandbox", () => {
    expect(loadConfig(production, "production").auth.maxTokenLifetimeSeconds).toBe(24 * 3600);
    expect(loadConfig({}, "sandbox").auth.maxTokenLifetimeSeconds).toBe(30 * 24 * 3600);
    const short = loadConfig({ ...production, AUTH_MAX_TOKEN_LIFETIME_HOURS: "2" }, "production");
    expect(short.auth.maxTokenLifetimeSeconds).toBe(7200);
    expect(() => loadConfig({ ...production, AUTH_MAX_TOKEN_LIFETIME_HOURS: "0" }, "production")).toThrow(
      /AUTH_MAX_TOKEN_LIFETIME_HOURS/,
    );
  });

  it("answers introspection to admins only in production unless INTROSPECTION=all; the sandbox to all", () => {
    expect(loadConfig(production, "production").introspection).toBe("admins");
    expect(loadConfig({ ...production, INTROSPECTION: "all" }, "production").introspection).toBe("all");
    expect(loadConfig({}, "sandbox").introspection).toBe("all");
    expect(() => loadConfig({ ...production, INTROSPECTION: "everyone" }, "production")).toThrow(
      /INTROSPECTION/,
    );
  });
});

describe("loadConfig: the identity provider (OIDC_*)", () => {
  const PROD = { AUTH_JWT_SECRET: JWT, CREDENTIALS_ENCRYPTION_KEY: LOCAL_KEY };
  const OIDC = {
    OIDC_ISSUER: "https://login.example.com/realms/finance",
    OIDC_AUDIENCE: "cost-analytics-api",
    OIDC_JWKS_URL: "https://login.example.com/realms/finance/protocol/openid-connect/certs",
  };

  it("is off unless an OIDC_* variable is set", () => {
    expect(loadConfig(PROD, "production").oidc).toBeUndefined();
    expect(loadConfig({ ...PROD, OIDC_ISSUER: undefined }, "production").oidc).toBeUndefined();
  });

  it("takes issuer, audience and JWKS URL, with default claim names", () => {
    expect(loadConfig({ ...PROD, ...OIDC }, "production").oidc).toEqual({
      issuer: OIDC.OIDC_ISSUER,
      audience: OIDC.OIDC_AUDIENCE,
      jwksUrl: OIDC.OIDC_JWKS_URL,
      rolesClaim: "roles",
      clientIdsClaim: "clientIds",
    });
  });

  it("takes claim paths and the dashboard's public client id", () => {
    const config = loadConfig(
      {
        ...PROD,
        ...OIDC,
        OIDC_ROLES_CLAIM: "realm_access.roles",
        OIDC_CLIENT_IDS_CLAIM: "https://costs.example.com/tenants",
        OIDC_DASHBOARD_CLIENT_ID: "cost-dashboard",
      },
      "production",
    );
    expect(config.oidc).toMatchObject({
      rolesClaim: "realm_access.roles",
      clientIdsClaim: "https://costs.example.com/tenants",
      dashboardClientId: "cost-dashboard",
    });
  });

  it("names each missing required variable when only some are set", () => {
    expect(() => loadConfig({ ...PROD, OIDC_ISSUER: OIDC.OIDC_ISSUER }, "production")).toThrow(
      new ConfigError(
        "signing in with an identity provider needs OIDC_AUDIENCE (the `aud` its tokens must carry for this API) and OIDC_JWKS_URL (where its signing keys are published)",
      ),
    );
    expect(() => loadConfig({ OIDC_DASHBOARD_CLIENT_ID: "cost-dashboard" }, "sandbox")).toThrow(
      /needs OIDC_ISSUER .* and OIDC_AUDIENCE .* and OIDC_JWKS_URL /,
    );
    expect(() => loadConfig({ ...OIDC, OIDC_AUDIENCE: undefined }, "sandbox")).toThrow(
      /needs OIDC_AUDIENCE \(/,
    );
  });

  it("wants the JWKS over https, except from a loopback host", () => {
    for (const url of ["http://login.example.com/jwks", "http://10.0.0.5/jwks", "ftp://127.0.0.1/jwks"]) {
      expect(() => loadConfig({ ...OIDC, OIDC_JWKS_URL: url }, "sandbox")).toThrow(
        "invalid configuration: OIDC_JWKS_URL: must be an https:// URL (http:// only on a loopback host)",
      );
    }
    for (const url of ["http://127.0.0.1:9000/jwks", "http://localhost/jwks", "http://[::1]:9000/jwks"]) {
      expect(loadConfig({ ...PROD, ...OIDC, OIDC_JWKS_URL: url }, "production").oidc?.jwksUrl).toBe(url);
    }
  });

  it("names a malformed issuer, an empty audience and a bad claim path", () => {
    expect(() =>
      loadConfig(
        { ...OIDC, OIDC_ISSUER: "login", OIDC_AUDIENCE: " ", OIDC_ROLES_CLAIM: "realm_access..roles" },
        "sandbox",
      ),
    ).toThrow(
      /OIDC_ISSUER: .*; OIDC_AUDIENCE: .*; OIDC_ROLES_CLAIM: must be a claim name or a dotted path \(e\.g\. realm_access\.roles\)/,
    );
  });
});
