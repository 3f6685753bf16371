/**
 * Azure Cost Management Query API on loopback HTTPS, close enough to the real service that
 * @azure/arm-costmanagement cannot tell: POST {scope}/providers/Microsoft.CostManagement/query,
 * bearer auth, Azure's error JSON, nextLink paging with $skiptoken, 204 for no data, and its 429s
 * whose retry-after lives only in x-ms-ratelimit headers.
 */
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { addMonths, firstDayOfMonth, monthOf } from "../../domain/dates.js";
import type { BillingDataset } from "../billing-dataset.js";
import { FaultPlan } from "../faults.js";
import { AzureApiError, answerQuery, parseQueryBody } from "./azure-query-engine.js";
import { errorReply, faultReply, throttled } from "./azure-error-replies.js";
import { createSelfSignedTls } from "./self-signed-tls.js";

/** The Query API looks back this many months, the current one included (Microsoft's guardrail). */
const HISTORY_MONTHS = 37;

export interface AzureRateLimit {
  /** Queries admitted per scope per window; the real service is reported to allow only ~4-5 quick ones. */
  requests: number;
  windowMs: number;
}

export interface AzureSimulatorOptions {
  /** One dataset for any scope, or datasets by scope ("subscriptions/<guid>", "providers/Microsoft.Billing/billingAccounts/<id>"). */
  datasets: BillingDataset | Record<string, BillingDataset>;
  port?: number;
  /** Rows per page before a nextLink (default 1000). */
  pageSize?: number;
  /** Off by default: throttle on its own, as the real service does, beyond this rate per scope. */
  rateLimit?: AzureRateLimit;
  /** "reversed" answers with the columns in reverse order (clients must map columns by name). */
  columnOrder?: "standard" | "reversed";
}

export interface ReceivedRequest {
  method: string;
  /** With repeated slashes collapsed, without the query string. */
  path: string;
  skipToken?: string;
  body: unknown;
  status: number;
}

export interface AzureSimulator {
  endpoint: string;
  /** PEM the client must trust (`tlsOptions: { ca }`). */
  ca: string;
  faults: FaultPlan;
  requestCount(): number;
  /** Every request so far, in arrival order. */
  received(): readonly ReceivedRequest[];
  stop(): Promise<void>;
}

const QUERY_PATH = /^\/(.+)\/providers\/microsoft\.costmanagement\/query$/i;
const SCOPE = /^(subscriptions\/[^/]+|providers\/microsoft\.billing\/billingaccounts\/[^/]+)$/i;
const API_VERSIONS = new Set([
  "2019-11-01",
  "2021-10-01",
  "2022-10-01",
  "2023-03-01",
  "2023-11-01",
  "2024-08-01",
  "2025-03-01",
]);
/** Thrown to cut the connection without an answer (the "drop" fault). */
class DroppedSocket extends Error {}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });

const encodeSkipToken = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString("base64url");
function decodeSkipToken(token: string): number {
  try {
    const { offset } = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { offset?: unknown };
    if (typeof offset === "number" && Number.isInteger(offset) && offset > 0) return offset;
  } catch {
    // falls through to the 400 below
  }
  throw errorReply(400, "BadRequest", "Invalid $skiptoken.");
}

export async function startAzureSimulator(options: AzureSimulatorOptions): Promise<AzureSimulator> {
  const tls = await createSelfSignedTls();
  const faults = new FaultPlan();
  const pageSize = options.pageSize ?? 1000;
  const received: ReceivedRequest[] = [];
  const windows = new Map<string, { startedAt: number; admitted: number }>();
  const byScope = isDataset(options.datasets)
    ? undefined
    : new Map(
        Object.entries(options.datasets).map(([scope, dataset]) => [
          normalizeScope(scope).toLowerCase(),
          dataset,
        ]),
      );

  function datasetFor(scope: string): BillingDataset {
    const dataset = byScope ? byScope.get(scope.toLowerCase()) : (options.datasets as BillingDataset);
    if (!dataset) {
      throw errorReply(
        403,
        "AuthorizationFailed",
        `The client does not have authorization to perform action 'Microsoft.CostManagement/query/action' over scope '/${scope}'.`,
      );
    }
    return dataset;
  }

  function admit(scope: string): void {
    const limit = options.rateLimit;
    if (!limit) return;
    const now = Date.now();
    const key = scope.toLowerCase();
    let window = windows.get(key);
    if (!window || now - window.startedAt >= limit.windowMs)
      windows.set(key, (window = { startedAt: now, admitted: 0 }));
    if (window.admitted >= limit.requests) {
      throw throttled({ entity: Math.max(1, Math.ceil((window.startedAt + limit.windowMs - now) / 1000)) });
    }
    window.admitted++;
  }

  async function answer(
    req: IncomingMessage,
    entry: ReceivedRequest,
  ): Promise<{ status: number; body?: unknown }> {
    const fault = faults.next();
    if (fault?.kind === "drop") throw new DroppedSocket();
    if (fault?.kind === "slow") await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    const injected = fault && faultReply(fault);
    if (injected) throw injected;

    const authorization = req.headers.authorization;
    if (!authorization)
      throw errorReply(
        401,
        "AuthenticationFailed",
        "Authentication failed. The 'Authorization' header is missing.",
      );
    if (!/^Bearer \S+$/.test(authorization))
      throw errorReply(401, "InvalidAuthenticationToken", "The access token is invalid.");

    const route = QUERY_PATH.exec(entry.path);
    if (!route?.[1] || req.method !== "POST")
      throw errorReply(404, "NotFound", `No route for ${req.method} ${entry.path}.`);
    const params = new URLSearchParams((req.url ?? "").split("?")[1] ?? "");
    const apiVersion = params.get("api-version");
    if (!apiVersion) {
      throw errorReply(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
      );
    }
    if (!API_VERSIONS.has(apiVersion))
      throw errorReply(400, "InvalidApiVersionParameter", `The api-version '${apiVersion}' is invalid.`);
    const scope = route[1];
    if (!SCOPE.test(scope)) throw errorReply(400, "BadRequest", `Invalid scope '/${scope}'.`);
    const dataset = datasetFor(scope);
    admit(scope);

    if (entry.body === undefined) throw errorReply(400, "BadRequest", "The request body is not valid JSON.");
    const skipToken = params.get("$skiptoken") ?? undefined;
    if (skipToken !== undefined) entry.skipToken = skipToken;
    const offset = skipToken === undefined ? 0 : decodeSkipToken(skipToken);
    const query = parseQueryBody(entry.body);
    const earliest = firstDayOfMonth(addMonths(monthOf(dataset.today), 1 - HISTORY_MONTHS));
    if (query.from < earliest) {
      throw errorReply(
        400,
        "BadRequest",
        `Invalid query definition: data is available for the last ${HISTORY_MONTHS} months only; timePeriod.from must not be before ${earliest}.`,
      );
    }
    const result = answerQuery(dataset, query);
    if (result.rows.length === 0) return { status: 204 };

    const rows = result.rows.slice(offset, offset + pageSize);
    const more = offset + pageSize < result.rows.length;
    params.set("$skiptoken", encodeSkipToken(offset + pageSize));
    const nextLink = more
      ? `https://${req.headers.host}/${scope}/providers/Microsoft.CostManagement/query?${params.toString()}`
      : null;
    const reversed = options.columnOrder === "reversed";
    const queryId = randomUUID();
    return {
      status: 200,
      body: {
        id: `/${scope}/providers/Microsoft.CostManagement/query/${queryId}`,
        name: queryId,
        type: "Microsoft.CostManagement/query",
        location: null,
        sku: null,
        eTag: null,
        properties: {
          nextLink,
          columns: reversed ? [...result.columns].reverse() : result.columns,
          rows: reversed ? rows.map((row) => [...row].reverse()) : rows,
        },
      },
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const entry: ReceivedRequest = {
      method: req.method ?? "",
      path: (req.url ?? "").split("?")[0]!.replace(/\/{2,}/g, "/"),
      body: undefined,
      status: 0,
    };
    received.push(entry);
    try {
      entry.body = JSON.parse(await readBody(req));
    } catch {
      entry.body = undefined;
    }
    const headers: Record<string, string> = {
      "x-ms-request-id": randomUUID(),
      "x-ms-correlation-request-id": randomUUID(),
    };
    let reply: { status: number; body?: unknown };
    try {
      reply = await answer(req, entry);
    } catch (caught) {
      if (caught instanceof DroppedSocket) {
        req.socket.destroy();
        return;
      }
      const error =
        caught instanceof AzureApiError
          ? caught
          : errorReply(500, "InternalServerError", "An unexpected error occurred.");
      Object.assign(headers, error.headers);
      reply = { status: error.status, body: { error: { code: error.code, message: error.message } } };
    }
    entry.status = reply.status;
    if (reply.body === undefined) {
      res.writeHead(reply.status, headers).end();
      return;
    }
    res
      .writeHead(reply.status, { ...headers, "content-type": "application/json; charset=utf-8" })
      .end(JSON.stringify(reply.body));
  }

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    // A client that went away mid-request leaves nothing to answer.
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `https://127.0.0.1:${port}`,
    ca: tls.cert,
    faults,
    requestCount: () => received.length,
    received: () => received,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function isDataset(value: BillingDataset | Record<string, BillingDataset>): value is BillingDataset {
  return typeof (value as BillingDataset).linesForDay === "function";
}

function normalizeScope(scope: string): string {
  return scope.replace(/\/{2,}/g, "/").replace(/^\/|\/$/g, "");
}
