/**
 * An AWS Cost Explorer stand-in on loopback that @aws-sdk/client-cost-explorer cannot tell from the
 * real service: `POST /` with `x-amz-target: AWSInsightsIndexService.GetCostAndUsage` in
 * application/x-amz-json-1.1, errors as `{"__type", "Message"}`, signed NextPageToken paging. It also
 * answers STS AssumeRole (form-encoded POST /) so role connections work against it. The SigV4
 * signature is not verified; the access key id in it selects the caller's dataset.
 */
import type { IncomingMessage } from "node:http";
import type { BillingDataset } from "../billing-dataset.js";
import type { FaultPlan } from "../faults.js";
import { answerCostAndUsage } from "./ce-answer.js";
import { parseCostAndUsageRequest } from "./ce-request.js";
import { AwsApiError, startAwsJsonServer, type ErrorFault } from "./aws-json-server.js";
import { PageTokens, requestFingerprint } from "./page-token.js";
import { StsSessions } from "./sts-answer.js";

export const GET_COST_AND_USAGE_TARGET = "AWSInsightsIndexService.GetCostAndUsage";

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

/** What this service answers to an injected fault. */
const FAULT_ERRORS: Record<ErrorFault, AwsApiError> = {
  throttle: new AwsApiError("LimitExceededException", "Rate exceeded"),
  "server-error": new AwsApiError(
    "InternalFailure",
    "The request processing has failed because of an unknown error, exception or failure.",
    500,
  ),
  auth: new AwsApiError("ExpiredTokenException", "The security token included in the request is expired"),
  forbidden: new AwsApiError(
    "AccessDeniedException",
    "User is not authorized to perform: ce:GetCostAndUsage because no identity-based policy allows the ce:GetCostAndUsage action",
  ),
};

export async function startAwsSimulator(options: AwsSimulatorOptions): Promise<AwsSimulator> {
  const tokens = new PageTokens();
  const sts = new StsSessions(options.externalIds);
  const pageSize = options.pageSize ?? 500;
  let assumeRoleRequests = 0;

  function datasetFor(request: IncomingMessage, accessKeyId: string): BillingDataset {
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

  const server = await startAwsJsonServer({
    jsonVersion: "1.1",
    targetPrefix: GET_COST_AND_USAGE_TARGET.split(".")[0] ?? "",
    operations: new Set(["GetCostAndUsage"]),
    errorMessageKey: "Message",
    faultErrors: FAULT_ERRORS,
    answer: ({ input, accessKeyId, request }) => {
      const dataset = datasetFor(request, accessKeyId);
      const query = parseCostAndUsageRequest(input, dataset.today);
      const fingerprint = requestFingerprint(input);
      const offset = query.nextPageToken === undefined ? 0 : tokens.redeem(query.nextPageToken, fingerprint);
      const page = answerCostAndUsage(dataset, query, { offset, size: pageSize });
      if (page.nextOffset !== undefined) page.body.NextPageToken = tokens.issue(page.nextOffset, fingerprint);
      return page.body;
    },
    answerForm: (body) => {
      assumeRoleRequests++;
      return { ...sts.answer(body), contentType: "text/xml" };
    },
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  return {
    endpoint: server.endpoint,
    faults: server.faults,
    requestCount: (operation) =>
      operation === "AssumeRole" ? assumeRoleRequests : server.requestCount(operation),
    maxConcurrentRequests: server.maxConcurrentRequests,
    stop: server.stop,
  };
}
