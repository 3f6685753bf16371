/**
 * An AWS Cost Explorer stand-in on loopback that @aws-sdk/client-cost-explorer cannot tell from the
 * real service: `POST /` with `x-amz-target: AWSInsightsIndexService.GetCostAndUsage` in
 * application/x-amz-json-1.1, errors as `{"__type", "Message"}`, signed NextPageToken paging. It also
 * answers STS AssumeRole (form-encoded POST /) so role connections work against it. The SigV4
 * signature is not verified; the access key id in it selects the caller's dataset.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { BillingDataset } from "../billing-dataset.js";
import { FaultPlan, type Fault } from "../faults.js";
import { answerCostAndUsage } from "./ce-answer.js";
import { AwsApiError, parseCostAndUsageRequest } from "./ce-request.js";
import { PageTokens, requestFingerprint } from "./page-token.js";
import { StsSessions } from "./sts-answer.js";

export const GET_COST_AND_USAGE_TARGET = "AWSInsightsIndexService.GetCostAndUsage";
const MAX_BODY_BYTES = 1_000_000;

export interface AwsSimulatorOptions {
  /**
   * One dataset for every caller, or one per identity: an access key id, or a role ARN for callers
   * that assumed that role through this simulator's STS.
   */
  datasets: BillingDataset | Record<string, BillingDataset>;
  port?: number;
  /** Groups per page before a NextPageToken is returned (default 500). */
  pageSize?: number;
  /** Role ARN -> the external id its trust policy requires (roles not listed accept any). */
  externalIds?: Record<string, string>;
}

export interface AwsSimulator {
  endpoint: string;
  /** Faults apply to Cost Explorer requests (STS only mints credentials). */
  faults: FaultPlan;
  /** HTTP requests received, faulted ones included; with an operation, only those of it. */
  requestCount(operation?: "GetCostAndUsage" | "AssumeRole"): number;
  /** Most requests that were in flight at the same moment since start. */
  maxConcurrentRequests(): number;
  stop(): Promise<void>;
}

function isDataset(value: BillingDataset | Record<string, BillingDataset>): value is BillingDataset {
  return typeof (value as BillingDataset).linesForDay === "function";
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES)
        reject(new AwsApiError("SerializationException", "Request body too large", 413));
      else chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function faultError(fault: Required<Fault>): AwsApiError | undefined {
  switch (fault.kind) {
    case "throttle":
      return new AwsApiError("LimitExceededException", "Rate exceeded");
    case "server-error":
      return new AwsApiError(
        "InternalFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
        500,
      );
    case "auth":
      return new AwsApiError(
        "ExpiredTokenException",
        "The security token included in the request is expired",
      );
    case "forbidden":
      return new AwsApiError(
        "AccessDeniedException",
        "User is not authorized to perform: ce:GetCostAndUsage because no identity-based policy allows the ce:GetCostAndUsage action",
      );
    default:
      return undefined;
  }
}

/** The access key id of a SigV4 Authorization header (`Credential=AKID/date/region/service/aws4_request`). */
function accessKeyIdOf(request: IncomingMessage): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? "")?.[1];
}

export async function startAwsSimulator(options: AwsSimulatorOptions): Promise<AwsSimulator> {
  const faults = new FaultPlan();
  const tokens = new PageTokens();
  const sts = new StsSessions(options.externalIds);
  const pageSize = options.pageSize ?? 500;
  const counts = { all: 0, GetCostAndUsage: 0, AssumeRole: 0 };
  let inFlight = 0;
  let maxInFlight = 0;

  function datasetFor(request: IncomingMessage): BillingDataset {
    const accessKeyId = accessKeyIdOf(request);
    if (!accessKeyId)
      throw new AwsApiError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
    const session = accessKeyId.startsWith("ASIA") ? sts.session(accessKeyId) : undefined;
    if (session && request.headers["x-amz-security-token"] !== session.sessionToken) {
      throw new AwsApiError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    }
    const dataset = isDataset(options.datasets)
      ? options.datasets
      : options.datasets[session ? session.roleArn : accessKeyId];
    if (!dataset)
      throw new AwsApiError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      );
    return dataset;
  }

  async function costExplorer(
    request: IncomingMessage,
    body: string,
    response: ServerResponse,
  ): Promise<void> {
    counts.GetCostAndUsage++;
    const fault = faults.next();
    if (fault?.kind === "drop") {
      request.socket.destroy();
      return;
    }
    if (fault?.kind === "slow") await sleep(fault.delayMs);
    const injected = fault && faultError(fault);
    if (injected) throw injected;
    const dataset = datasetFor(request);
    if (request.headers["x-amz-target"] !== GET_COST_AND_USAGE_TARGET) {
      throw new AwsApiError(
        "UnknownOperationException",
        "The requested operation is not supported by this endpoint.",
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new AwsApiError("SerializationException", "Start of structure or map found where not expected.");
    }
    const query = parseCostAndUsageRequest(parsed, dataset.today);
    const fingerprint = requestFingerprint(parsed as Record<string, unknown>);
    const offset = query.nextPageToken === undefined ? 0 : tokens.redeem(query.nextPageToken, fingerprint);
    const page = answerCostAndUsage(dataset, query, { offset, size: pageSize });
    if (page.nextOffset !== undefined) page.body.NextPageToken = tokens.issue(page.nextOffset, fingerprint);
    send(response, 200, "application/x-amz-json-1.1", JSON.stringify(page.body));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    counts.all++;
    try {
      if (request.method !== "POST" || (request.url ?? "/").split("?")[0] !== "/") {
        throw new AwsApiError("UnknownOperationException", "Only POST / is served", 404);
      }
      const body = await readBody(request);
      if ((request.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        counts.AssumeRole++;
        const reply = sts.answer(body);
        send(response, reply.status, "text/xml", reply.body);
        return;
      }
      await costExplorer(request, body, response);
    } catch (caught) {
      const error =
        caught instanceof AwsApiError
          ? caught
          : new AwsApiError(
              "InternalFailure",
              "The request processing has failed because of an unknown error.",
              500,
            );
      send(
        response,
        error.status,
        "application/x-amz-json-1.1",
        JSON.stringify({ __type: error.type, Message: error.message }),
      );
    }
  }

  function send(response: ServerResponse, status: number, contentType: string, body: string): void {
    if (response.headersSent || response.destroyed) return;
    response.writeHead(status, {
      "content-type": contentType,
      "content-length": Buffer.byteLength(body),
      "x-amzn-requestid": randomUUID(),
    });
    response.end(body);
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
    requestCount: (operation) => (operation ? counts[operation] : counts.all),
    maxConcurrentRequests: () => maxInFlight,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
