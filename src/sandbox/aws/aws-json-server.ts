/**
 * The wire of AWS's JSON RPC services on loopback, shared by the Cost Explorer, KMS and CloudWatch
 * simulators: `POST /` with `x-amz-target: <Service>.<Operation>` in application/x-amz-json-1.0 or
 * 1.1, a gzip-compressed body where the client compresses (CloudWatch PutMetricData), errors as
 * `{"__type", "message"}` with the query error code in `x-amzn-query-error` for services that are
 * awsQueryCompatible, `x-amzn-requestid` on every answer, and the fault plan of the simulators.
 * The SigV4 signature is not verified; its access key id names the caller.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { gunzipSync } from "node:zlib";
import { FaultPlan, type FaultKind } from "../faults.js";

/** The fault kinds a service answers with an error of its own. */
export type ErrorFault = Exclude<FaultKind, "slow" | "drop">;

const MAX_BODY_BYTES = 1_000_000;

/** An error answer; `queryCode` is the awsQuery error code of awsQueryCompatible services. */
export class AwsApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
    readonly queryCode?: string,
  ) {
    super(message);
  }
}

/** A reply that is not JSON RPC (STS answers form-encoded requests in XML). */
export interface RawReply {
  status: number;
  contentType: string;
  body: string;
}

export interface AwsJsonCall {
  operation: string;
  input: Record<string, unknown>;
  /** The access key id of the SigV4 Authorization header. */
  accessKeyId: string;
  request: IncomingMessage;
}

export interface AwsJsonServerOptions {
  jsonVersion: "1.0" | "1.1";
  /** The part of x-amz-target before the dot, e.g. "TrentService". */
  targetPrefix: string;
  operations: ReadonlySet<string>;
  /** The operation's output, or an AwsApiError. */
  answer(call: AwsJsonCall): unknown;
  /** The service's own answer to each injected fault that is an error (throttle, server-error, auth, forbidden). */
  faultErrors: Readonly<Record<ErrorFault, AwsApiError>>;
  /** The key of the error message in error bodies: Cost Explorer says "Message", newer services "message". */
  errorMessageKey?: "message" | "Message";
  /** Form-encoded requests (STS on the Cost Explorer endpoint); faults do not apply to them. */
  answerForm?(body: string): RawReply;
  port?: number;
}

export interface AwsJsonServer {
  endpoint: string;
  faults: FaultPlan;
  /** HTTP requests received, faulted ones included; with an operation, only those of it. */
  requestCount(operation?: string): number;
  /** Most requests that were in flight at the same moment since start. */
  maxConcurrentRequests(): number;
  stop(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        reject(new AwsApiError("SerializationException", "Request body too large", 413));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

function decodeBody(request: IncomingMessage, raw: Buffer): string {
  if (request.headers["content-encoding"] !== "gzip") return raw.toString("utf8");
  try {
    return gunzipSync(raw, { maxOutputLength: MAX_BODY_BYTES }).toString("utf8");
  } catch {
    throw new AwsApiError("SerializationException", "The request body is not valid gzip", 400);
  }
}

/** The access key id of a SigV4 Authorization header (`Credential=AKID/date/region/service/aws4_request`). */
function accessKeyIdOf(request: IncomingMessage): string {
  const accessKeyId = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? "")?.[1];
  if (!accessKeyId)
    throw new AwsApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
  return accessKeyId;
}

/** Refuses a caller whose access key id the simulated account does not know, as AWS does. */
export function requireKnownCaller(
  accessKeyId: string,
  known: ReadonlySet<string>,
  queryCompatible = false,
): void {
  if (!known.has(accessKeyId)) {
    throw new AwsApiError(
      "UnrecognizedClientException",
      "The security token included in the request is invalid.",
      queryCompatible ? 403 : 400,
      queryCompatible ? "InvalidClientTokenId" : undefined,
    );
  }
}

function parseInput(body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new AwsApiError("SerializationException", "Start of structure or map found where not expected.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new AwsApiError("SerializationException", "The request body must be a JSON object.");
  }
  return parsed as Record<string, unknown>;
}

export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const faults = new FaultPlan();
  const counts = new Map<string, number>();
  const count = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const contentType = `application/x-amz-json-${options.jsonVersion}`;
  const messageKey = options.errorMessageKey ?? "message";
  let inFlight = 0;
  let maxInFlight = 0;

  function send(response: ServerResponse, reply: RawReply, headers: Record<string, string> = {}): void {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(reply.status, {
      "content-type": reply.contentType,
      "content-length": Buffer.byteLength(reply.body),
      "x-amzn-requestid": randomUUID(),
      ...headers,
    });
    response.end(reply.body);
  }

  async function rpc(request: IncomingMessage, body: string, response: ServerResponse): Promise<void> {
    const target = String(request.headers["x-amz-target"] ?? "");
    const operation = target.startsWith(`${options.targetPrefix}.`)
      ? target.slice(options.targetPrefix.length + 1)
      : "";
    count(operation);
    const fault = faults.next();
    if (fault?.kind === "drop") {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") await sleep(fault.delayMs);
    if (fault && fault.kind !== "slow") throw options.faultErrors[fault.kind];
    const accessKeyId = accessKeyIdOf(request);
    if (!options.operations.has(operation)) {
      throw new AwsApiError(
        "UnknownOperationException",
        "The requested operation is not supported by this endpoint.",
      );
    }
    const output = options.answer({ operation, input: parseInput(body), accessKeyId, request });
    send(response, { status: 200, contentType, body: JSON.stringify(output ?? {}) });
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    count("");
    try {
      if (request.method !== "POST" || (request.url ?? "/").split("?")[0] !== "/") {
        throw new AwsApiError("UnknownOperationException", "Only POST / is served", 404);
      }
      const body = decodeBody(request, await readBody(request));
      const isForm = (request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded");
      if (isForm && options.answerForm) send(response, options.answerForm(body));
      else await rpc(request, body, response);
    } catch (caught) {
      const error =
        caught instanceof AwsApiError
          ? caught
          : new AwsApiError(
              "InternalFailure",
              "The request processing has failed because of an unknown error.",
              500,
            );
      const fault = error.status >= 500 ? "Receiver" : "Sender";
      send(
        response,
        {
          status: error.status,
          contentType,
          body: JSON.stringify({ __type: error.type, [messageKey]: error.message }),
        },
        error.queryCode ? { "x-amzn-query-error": `${error.queryCode};${fault}` } : {},
      );
    }
  }

  const server = createServer((request, response) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    response.on("close", () => inFlight--);
    void handle(request, response);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    faults,
    requestCount: (operation) => counts.get(operation ?? "") ?? 0,
    maxConcurrentRequests: () => maxInFlight,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
