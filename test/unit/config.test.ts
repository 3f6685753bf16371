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
