/**
 * Environment -> typed, validated configuration. Fails fast with one message naming every bad variable.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { IsoDay } from "./domain/cost-record.js";
import { isIsoDay } from "./domain/dates.js";
import type { TrustedDocumentsMode } from "./graphql/trusted-documents.js";
import type { IntrospectionMode } from "./graphql/introspection.js";
import { CLAIM_PATH } from "./security/claims.js";

export type Mode = "sandbox" | "production";

/**
 * The longest token lifetime accepted by default: 24 h in production; in the sandbox 30 days, the
 * lifetime of the admin and viewer tokens its banner prints (so a demo lasts a month).
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_HOURS: Record<Mode, number> = { production: 24, sandbox: 30 * 24 };

const flag = z
  .enum(["0", "1", "true", "false"])
  .optional()
  .transform((v) => v === "1" || v === "true");

/** 127.0.0.0/8, ::1 and localhost: the only hosts a JWKS may be fetched from over plain http. */
const isLoopback = (hostname: string) =>
  hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);

const claimPath = z
  .string()
  .regex(CLAIM_PATH, "must be a claim name or a dotted path (e.g. realm_access.roles)");

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).optional(),
  AUTH_JWT_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  AUTH_MAX_TOKEN_LIFETIME_HOURS: z.coerce.number().int().min(1).max(8760).optional(),
  INTROSPECTION: z.enum(["admins", "all"] satisfies IntrospectionMode[]).optional(),
  OIDC_ISSUER: z.url().optional(),
  OIDC_AUDIENCE: z.string().trim().min(1).optional(),
  OIDC_JWKS_URL: z
    .url()
    .refine((v) => {
      const url = new URL(v);
      return url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
    }, "must be an https:// URL (http:// only on a loopback host)")
    .optional(),
  OIDC_ROLES_CLAIM: claimPath.default("roles"),
  OIDC_CLIENT_IDS_CLAIM: claimPath.default("clientIds"),
  OIDC_DASHBOARD_CLIENT_ID: z.string().trim().min(1).optional(),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  DYNAMODB_ENDPOINT: z.url().optional(),
  DYNAMODB_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]*$/, "may only contain letters, digits, '_', '.', '-'")
    .default(""),
  CREDENTIALS_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, "base64").length === 32, "must be 32 bytes, base64-encoded")
    .optional(),
  CREDENTIALS_KMS_KEY_ID: z
    .string()
    .regex(
      /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
      "must be a KMS key ARN, key id, alias name (alias/...) or alias ARN",
    )
    .optional(),
  AWS_ENDPOINT_URL_KMS: z.url().optional(),
  CLOUDWATCH_METRICS: z.enum(["on", "off"]).optional(),
  CLOUDWATCH_METRICS_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  AWS_ENDPOINT_URL_CLOUDWATCH: z.url().optional(),
  ALLOW_CUSTOM_PROVIDER_ENDPOINTS: flag,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(730),
  MAX_QUERY_DEPTH: z.coerce.number().int().min(2).max(50).default(10),
  MAX_QUERY_COMPLEXITY: z.coerce.number().int().min(10).default(5000),
  TRUSTED_DOCUMENTS: z.enum(["off", "only"] satisfies TrustedDocumentsMode[]).default("off"),
  STREAM_CONSUMER: z.enum(["on", "off"]).default("on"),
  ANOMALY_DETECTION: z.enum(["on", "off"]).default("on"),
  REDIS_URL: z
    .url()
    .refine((v) => /^rediss?:\/\//.test(v), "must be a redis:// or rediss:// URL")
    .optional(),
  DATALOADER: z.enum(["on", "off"]).default("on"),
  READ_CACHE_MB: z.coerce.number().int().min(0).max(65_536).default(64),
  READ_CACHE_SETTLE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  SANDBOX_REFRESH_SECONDS: z.coerce.number().int().min(0).default(30),
  SANDBOX_DATA_DIR: z.string().min(1).default(".data"),
  SANDBOX_TODAY: z.string().refine(isIsoDay, "must be a calendar day (YYYY-MM-DD)").optional(),
});

export interface AppConfig {
  mode: Mode;
  port: number;
  host: string;
  /** maxTokenLifetimeSeconds: the longest `exp` - `iat` accepted, over HTTP and WebSocket alike. */
  auth: { jwtSecret: string; generatedSecret: boolean; maxTokenLifetimeSeconds: number };
  /**
   * The organisation's identity provider, when any OIDC_* variable is set: its RS256/ES256 tokens are
   * accepted next to HS256 ones if their `iss` is `issuer` and their `aud` holds `audience`, with the
   * keys of `jwksUrl`. Roles and client ids are read from the claims named by `rolesClaim` and
   * `clientIdsClaim` (dotted paths walk into objects). `dashboardClientId`: the public client the
   * dashboard signs in with (authorization code + PKCE); the API itself does not use it.
   */
  oidc?: {
    issuer: string;
    audience: string;
    jwksUrl: string;
    rolesClaim: string;
    clientIdsClaim: string;
    dashboardClientId?: string;
  };
  /** timeoutMs: how long a DynamoDB connection may stay silent before the attempt fails (and is retried). */
  dynamo: { region: string; endpoint?: string; tablePrefix: string; timeoutMs: number };
  /**
   * Master keys of the provider-secret envelopes. With KMS configured, KMS seals new secrets and the
   * local key (when also given) still opens the ones it sealed; without, the local key does both.
   */
  credentialsKeys: { local?: Buffer; kms?: { keyId: string; endpoint?: string } };
  /** Publishing the alarm metrics to CloudWatch; absent when off. */
  cloudwatchMetrics?: { intervalMs: number; endpoint?: string };
  allowCustomProviderEndpoints: boolean;
  logLevel: string;
  retentionDays: number;
  limits: { maxDepth: number; maxComplexity: number };
  /**
   * TRUSTED_DOCUMENTS=only: nothing runs but the operations of schema/operations (sent by document
   * id, or as their exact generated text), except for admins; `off` (default): any operation.
   */
  trustedDocuments: TrustedDocumentsMode;
  /** Who introspection answers: `admins` (production default) or `all` (the sandbox's default). */
  introspection: IntrospectionMode;
  streamConsumer: boolean;
  /** Judge every stored or restated day for anomalies (on the stream consumer's lease holder). */
  anomalyDetection: boolean;
  /** Set: live events fan out through Redis to every instance; unset: in-process (one instance). */
  redisUrl?: string;
  /**
   * DATALOADER=off: every read is its own DynamoDB call (no per-request batching or caching). Only
   * for measuring what batching saves (`npm run bench`); never turn it off in service.
   */
  batchReads: boolean;
  /**
   * The read cache across requests (application/read-cache.ts): `maxBytes` of values (READ_CACHE_MB,
   * 0 = off), not kept for `settleMs` after a client's change (eventually consistent reads). Only in
   * use when this instance follows the data changes: it runs the stream consumer, or gets its
   * changes through Redis from the instance that does.
   */
  readCache: { maxBytes: number; settleMs: number };
  /** `today`: the day the sandbox's clock starts on (default: the real date). */
  sandbox: { refreshSeconds: number; dataDir: string; today?: IsoDay };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function loadConfig(env: NodeJS.ProcessEnv, mode: Mode): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const e = parsed.data;
  const oidcSet = Object.keys(env).some((name) => name.startsWith("OIDC_") && env[name] !== undefined);
  if (oidcSet) {
    const missing = [
      !e.OIDC_ISSUER && "OIDC_ISSUER (the identity provider's exact `iss`)",
      !e.OIDC_AUDIENCE && "OIDC_AUDIENCE (the `aud` its tokens must carry for this API)",
      !e.OIDC_JWKS_URL && "OIDC_JWKS_URL (where its signing keys are published)",
    ].filter(Boolean);
    if (missing.length > 0) {
      throw new ConfigError(`signing in with an identity provider needs ${missing.join(" and ")}`);
    }
  }
  if (mode === "production") {
    const missing = [
      !e.AUTH_JWT_SECRET && "AUTH_JWT_SECRET (HS256 key for bearer tokens, at least 32 characters)",
      !e.CREDENTIALS_ENCRYPTION_KEY &&
        !e.CREDENTIALS_KMS_KEY_ID &&
        "CREDENTIALS_KMS_KEY_ID (the KMS key of provider secrets) or CREDENTIALS_ENCRYPTION_KEY (32 bytes, base64)",
    ].filter(Boolean);
    if (missing.length > 0)
      throw new ConfigError(`production mode refuses to start without ${missing.join(" and ")}`);
  }
  return {
    mode,
    port: e.PORT,
    host: e.HOST ?? (mode === "sandbox" ? "127.0.0.1" : "0.0.0.0"),
    auth: {
      jwtSecret: e.AUTH_JWT_SECRET ?? randomBytes(32).toString("base64url"),
      generatedSecret: !e.AUTH_JWT_SECRET,
      maxTokenLifetimeSeconds:
        (e.AUTH_MAX_TOKEN_LIFETIME_HOURS ?? DEFAULT_MAX_TOKEN_LIFETIME_HOURS[mode]) * 3600,
    },
    ...(e.OIDC_ISSUER && e.OIDC_AUDIENCE && e.OIDC_JWKS_URL
      ? {
          oidc: {
            issuer: e.OIDC_ISSUER,
            audience: e.OIDC_AUDIENCE,
            jwksUrl: e.OIDC_JWKS_URL,
            rolesClaim: e.OIDC_ROLES_CLAIM,
            clientIdsClaim: e.OIDC_CLIENT_IDS_CLAIM,
            ...(e.OIDC_DASHBOARD_CLIENT_ID ? { dashboardClientId: e.OIDC_DASHBOARD_CLIENT_ID } : {}),
          },
        }
      : {}),
    dynamo: {
      region: e.AWS_REGION,
      tablePrefix: e.TABLE_PREFIX,
      timeoutMs: e.DYNAMODB_TIMEOUT_MS,
      ...(e.DYNAMODB_ENDPOINT ? { endpoint: e.DYNAMODB_ENDPOINT } : {}),
    },
    credentialsKeys: {
      // A sandbox without any key gets a throwaway one (the sandbox keeps its own in its data dir).
      ...(e.CREDENTIALS_ENCRYPTION_KEY || !e.CREDENTIALS_KMS_KEY_ID
        ? {
            local: e.CREDENTIALS_ENCRYPTION_KEY
              ? Buffer.from(e.CREDENTIALS_ENCRYPTION_KEY, "base64")
              : randomBytes(32),
          }
        : {}),
      ...(e.CREDENTIALS_KMS_KEY_ID
        ? {
            kms: {
              keyId: e.CREDENTIALS_KMS_KEY_ID,
              ...(e.AWS_ENDPOINT_URL_KMS ? { endpoint: e.AWS_ENDPOINT_URL_KMS } : {}),
            },
          }
        : {}),
    },
    // On by default in production, where the stack's alarms read these metrics; the sandbox stays offline.
    ...((e.CLOUDWATCH_METRICS ?? (mode === "production" ? "on" : "off")) === "on"
      ? {
          cloudwatchMetrics: {
            intervalMs: e.CLOUDWATCH_METRICS_INTERVAL_SECONDS * 1000,
            ...(e.AWS_ENDPOINT_URL_CLOUDWATCH ? { endpoint: e.AWS_ENDPOINT_URL_CLOUDWATCH } : {}),
          },
        }
      : {}),
    // The sandbox's simulators are custom endpoints by definition.
    allowCustomProviderEndpoints: mode === "sandbox" || e.ALLOW_CUSTOM_PROVIDER_ENDPOINTS,
    logLevel: e.LOG_LEVEL,
    retentionDays: e.DATA_RETENTION_DAYS,
    limits: { maxDepth: e.MAX_QUERY_DEPTH, maxComplexity: e.MAX_QUERY_COMPLEXITY },
    trustedDocuments: e.TRUSTED_DOCUMENTS,
    introspection: e.INTROSPECTION ?? (mode === "sandbox" ? "all" : "admins"),
    streamConsumer: e.STREAM_CONSUMER === "on",
    anomalyDetection: e.ANOMALY_DETECTION === "on",
    ...(e.REDIS_URL ? { redisUrl: e.REDIS_URL } : {}),
    batchReads: e.DATALOADER === "on",
    readCache: { maxBytes: e.READ_CACHE_MB * 1024 * 1024, settleMs: e.READ_CACHE_SETTLE_MS },
    sandbox: {
      refreshSeconds: e.SANDBOX_REFRESH_SECONDS,
      dataDir: e.SANDBOX_DATA_DIR,
      ...(e.SANDBOX_TODAY === undefined ? {} : { today: e.SANDBOX_TODAY }),
    },
  };
}
