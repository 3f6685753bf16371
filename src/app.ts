/**
 * Wires one http server: Express 5 routes (/graphql, /healthz, /readyz, /metrics), Apollo Server 5 on
 * POST/GET /graphql, the offline playground on GET /graphql from a browser, and graphql-ws on the same
 * path. Owns graceful shutdown of all of it.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import { existsSync } from "node:fs";
import { join } from "node:path";
import express, { type NextFunction, type Request, type Response } from "express";
import { ApolloServer, type ApolloServerPlugin } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { WebSocketServer } from "ws";
import { useServer } from "graphql-ws/use/ws";
import {
  getOperationAST,
  GraphQLError,
  parse,
  specifiedRules,
  validate,
  type ExecutionArgs,
  type GraphQLSchema,
} from "graphql";
import type { TokenVerifier } from "./security/tokens.js";
import { errorReportingPlugin, formatError, formatLiveResult, formatRefusal } from "./graphql/errors.js";
import {
  apolloProtection,
  limitValidationRules,
  MAX_BODY_BYTES,
  MAX_TOKENS,
  type QueryLimits,
} from "./graphql/limits.js";
import { renderPlayground } from "./graphql/playground.js";
import { refuseHttpSubscriptions } from "./graphql/http-subscriptions.js";
import {
  liveOperationText,
  TrustedDocuments,
  trustedDocumentsPlugin,
  type TrustedDocumentsMode,
} from "./graphql/trusted-documents.js";
import type { GraphQLContext } from "./graphql/context.js";
import {
  introspectionPlugin,
  introspectionRefusal,
  type IntrospectionMode,
} from "./graphql/introspection.js";
import type { Logger } from "./observability/logger.js";
import type { Metrics } from "./observability/metrics.js";
import { GraphQLOperationRecorder } from "./observability/graphql-operations.js";
import { graphqlRequestPlugin } from "./observability/graphql-request-plugin.js";
import { WsOperationTracker } from "./observability/ws-operations.js";
import type { ReadinessReport } from "./observability/readiness.js";
import { dayOfInstant } from "./domain/dates.js";
import type { Clock } from "./shared/clock.js";
import { closeWhenExpired } from "./graphql/socket-expiry.js";

export type { ReadinessReport };

export interface AppOptions {
  schema: GraphQLSchema;
  logger: Logger;
  metrics: Metrics;
  /** Bearer tokens -> callers (HS256, and the identity provider's when configured). */
  tokens: TokenVerifier;
  limits: QueryLimits;
  /** TRUSTED_DOCUMENTS: `only` runs nothing but the generated operations, except for admins. */
  trustedDocuments: TrustedDocumentsMode;
  /** INTROSPECTION: `admins` answers introspection to admins only, `all` to every caller. */
  introspection: IntrospectionMode;
  /** Builds a context for a caller; `live` contexts must not cache loader results across events. */
  createContext(input: {
    requestId: string;
    authorization: string | undefined;
    live: boolean;
  }): Promise<GraphQLContext>;
  readiness(): Promise<ReadinessReport>;
  /** What "today" is: the playground's example asks for the month before it. */
  clock: Clock;
  /** The built dashboard served at `/` (its directory), and the sign-in settings it is given. */
  dashboard?: DashboardOptions;
}

export interface DashboardOptions {
  /** Vite's output: index.html and assets/ (hashed names). */
  dir: string;
  /**
   * The identity provider the dashboard signs in with (code + PKCE), and the claim its tokens carry
   * roles in (OIDC_ROLES_CLAIM: the page shows editor controls by it); null: tokens come in the URL.
   */
  oidc: { issuer: string; clientId: string; audience: string; rolesClaim: string } | null;
}

export interface App {
  httpServer: Server;
  listen(port: number, host: string): Promise<number>;
  /** Closes subscriptions with 1001 going away, drains HTTP, stops Apollo. */
  stop(): Promise<void>;
}

/**
 * A browser asking for /graphql gets the playground, also with `?query=`: GraphiQL keeps the edited
 * operation in the URL, so a reload must not hand it to Apollo (which refuses browser GETs as CSRF).
 */
/** Longer than an AWS load balancer's default idle timeout (60 s). */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const wantsHtml = (req: Request) => req.method === "GET" && req.accepts(["json", "html"]) === "html";

export async function createApp(options: AppOptions): Promise<App> {
  const { logger } = options;
  const expressApp = express();
  expressApp.disable("x-powered-by");
  const httpServer = createServer(expressApp);
  // Node closes idle keep-alive connections after 5 s; a client (or load balancer, 60 s on an ALB)
  // that reuses one at that moment gets a reset. Idle connections must outlive the peer's.
  httpServer.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  httpServer.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  // The operations of schema/operations, by document id (graphql/trusted-documents.ts).
  const trusted = TrustedDocuments.generated();
  if (options.trustedDocuments === "only") {
    logger.info({ trustedDocuments: trusted.size }, "only trusted documents run, except for admins");
  }

  const operations = new GraphQLOperationRecorder(options.metrics);
  const wsOperations = new WsOperationTracker(operations, options.metrics.openSubscriptions);
  const wsServer = new WebSocketServer({ server: httpServer, path: "/graphql", maxPayload: MAX_BODY_BYTES });
  const wsRules = [...specifiedRules, ...limitValidationRules(options.limits)];
  const wsCleanup = useServer<Record<string, unknown>, { requestId: string; authorization?: string }>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof header === "string" ? header : undefined;
        const auth = await options.tokens.authenticate(authorization);
        // false closes the socket with 4403 Forbidden, as graphql-ws specifies.
        if (!auth.caller) return false;
        ctx.extra.authorization = authorization;
        if (auth.expiresAt) closeWhenExpired(ctx.extra.socket, auth.expiresAt, options.clock);
        return true;
      },
      onSubscribe: async (ctx, id, payload) => {
        const requestId = randomUUID();
        wsOperations.started(ctx, id, logger.child({ requestId }));
        const operationText = await liveOperationText(trusted, options.trustedDocuments, payload, () =>
          options.tokens.authenticate(ctx.extra.authorization),
        );
        if ("refusal" in operationText) {
          wsOperations.rejected(ctx, id, 1);
          return [operationText.refusal];
        }
        let document;
        try {
          document = parse(operationText.text, { maxTokens: MAX_TOKENS });
        } catch (error) {
          wsOperations.rejected(ctx, id, 1);
          const message = error instanceof GraphQLError ? error.message : "could not parse the operation";
          return [new GraphQLError(message, { extensions: { code: "GRAPHQL_PARSE_FAILED" } })];
        }
        const errors = [...validate(options.schema, document, wsRules)];
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) errors.push(new GraphQLError("Unable to identify the operation to run"));
        if (errors.length > 0 || !operation) {
          wsOperations.rejected(ctx, id, errors.length);
          return errors;
        }
        const contextValue = await options.createContext({
          requestId,
          authorization: ctx.extra.authorization,
          live: true,
        });
        const refusal = introspectionRefusal(
          options.schema,
          document,
          contextValue.auth,
          options.introspection,
        );
        if (refusal) {
          wsOperations.rejected(ctx, id, 1);
          return [refusal];
        }
        const operationName = operation.name?.value ?? null;
        contextValue.logger = contextValue.logger.child({ operationName });
        wsOperations.resolved(ctx, id, operationName, contextValue.logger);
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue,
        };
        return args;
      },
      onOperation: (ctx, id, _payload, _args, result) => {
        wsOperations.executed(ctx, id, result);
      },
      onComplete: (ctx, id) => {
        wsOperations.completed(ctx, id);
      },
      onClose: (ctx) => {
        wsOperations.closed(ctx);
      },
      onNext: (_ctx, _id, _payload, args, result) =>
        formatLiveResult(result, args.contextValue as GraphQLContext),
      onError: (_ctx, _id, _payload, errors) => {
        logger.debug({ errors: errors.map((e) => e.message) }, "subscription rejected");
        return formatRefusal(errors);
      },
    },
    wsServer,
  );

  const protection = apolloProtection(options.limits);
  const apollo = new ApolloServer<GraphQLContext>({
    schema: options.schema,
    allowBatchedHttpRequests: protection.allowBatchedHttpRequests,
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (shutdown.ts): Apollo must not race it with handlers of its own.
    stopOnTerminationSignals: false,
    validationRules: protection.validationRules,
    // Apollo's own parser enforces the token limit: a refusal is then a 400 like any syntax error.
    parseOptions: { maxTokens: MAX_TOKENS },
    // Document ids (APQ hashes too) name trusted documents only; clients cannot register others.
    persistedQueries: { cache: trusted.persistedQueryCache() },
    plugins: [
      // graphql-armor's typings name Apollo's CJS build; the objects are the same.
      ...(protection.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // The default cache-control plugin wraps every field resolver (willResolveField) to compute
      // HTTP cache hints nobody sets here: measurable CPU on large responses (npm run bench).
      ApolloServerPluginCacheControlDisabled(),
      graphqlRequestPlugin(operations),
      errorReportingPlugin(),
      refuseHttpSubscriptions<GraphQLContext>(),
      trustedDocumentsPlugin<GraphQLContext>(trusted, options.trustedDocuments),
      introspectionPlugin<GraphQLContext>(options.introspection),
    ],
    formatError,
  });
  await apollo.start();

  expressApp.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });
  expressApp.get("/readyz", async (_req, res) => {
    // The report is built to be safe to show; an unexpected failure's detail goes to the log only.
    const report = await options.readiness().catch((error: unknown): ReadinessReport => {
      logger.error({ err: error }, "readiness check failed");
      return { ready: false, checks: { readiness: { ok: false, detail: "the readiness check failed" } } };
    });
    res.status(report.ready ? 200 : 503).json(report);
  });
  expressApp.get("/metrics", async (_req, res) => {
    res.type(options.metrics.registry.contentType).send(await options.metrics.registry.metrics());
  });
  if (options.dashboard) serveDashboard(expressApp, options.dashboard);
  expressApp.get("/graphql", (req, res, next) => {
    if (!wantsHtml(req)) return next();
    res.type("html").send(renderPlayground("/graphql", dayOfInstant(options.clock())));
  });
  expressApp.use(
    "/graphql",
    express.json({ limit: MAX_BODY_BYTES }),
    expressMiddleware(apollo, {
      context: async ({ req }) =>
        options.createContext({
          requestId: randomUUID(),
          authorization: req.headers.authorization,
          live: false,
        }),
    }),
  );
  // Body parser failures (malformed JSON, oversized bodies) answer in GraphQL's error shape, never a stack.
  expressApp.use(
    (error: Error & { status?: number; type?: string }, _req: Request, res: Response, next: NextFunction) => {
      if (res.headersSent) return next(error);
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      if (status === 500) logger.error({ err: error }, "unhandled HTTP error");
      const message =
        error.type === "entity.too.large"
          ? `request body exceeds ${MAX_BODY_BYTES} bytes`
          : status === 500
            ? "Internal server error"
            : "malformed request body";
      res.status(status).json({
        errors: [{ message, extensions: { code: status === 500 ? "INTERNAL_SERVER_ERROR" : "BAD_REQUEST" } }],
      });
    },
  );

  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          resolve(typeof address === "object" && address ? address.port : port);
        });
      }),
    stop: async () => {
      for (const client of wsServer.clients) client.close(1001, "server going away");
      await wsCleanup.dispose();
      await apollo.stop();
      if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
    },
  };
}

/**
 * The dashboard: GET / is its index.html (never cached, so a deploy shows at once), /assets/ its
 * hashed files (cached for a year), /dashboard/config.json its sign-in settings. The page may talk to
 * this origin only, and to the identity provider when one is configured.
 */
function serveDashboard(expressApp: express.Express, dashboard: DashboardOptions): void {
  const issuerOrigin = dashboard.oidc ? new URL(dashboard.oidc.issuer).origin : "";
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self'${issuerOrigin ? ` ${issuerOrigin}` : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join("; ");
  expressApp.get("/dashboard/config.json", (_req, res) => {
    res.set("cache-control", "no-store").json({ oidc: dashboard.oidc });
  });
  expressApp.use(
    "/assets",
    express.static(join(dashboard.dir, "assets"), { index: false, immutable: true, maxAge: "365d" }),
  );
  expressApp.get("/", (_req, res) => {
    if (!existsSync(join(dashboard.dir, "index.html"))) {
      res.status(404).type("text").send("The dashboard is not built: npm run build (npm start builds it).\n");
      return;
    }
    res.set({
      "cache-control": "no-cache",
      "content-security-policy": csp,
      "referrer-policy": "no-referrer",
      "x-content-type-options": "nosniff",
    });
    res.sendFile("index.html", { root: dashboard.dir });
  });
}
