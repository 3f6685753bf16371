/**
 * One place that talks to Cost Explorer through the official client: builds the client for a
 * connection (access key, or a role assumed through STS), sends GetCostAndUsage with our retry
 * policy, a per-request timeout and the SDK's own retries off, counts every HTTP attempt, and maps
 * failures into the ProviderError taxonomy.
 */
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type CostExplorerClientConfig,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
} from "@aws-sdk/client-cost-explorer";
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import type { Logger } from "../../observability/logger.js";
import type { RetryPolicy } from "../../shared/retry.js";
import { DEFAULT_RETRY_POLICY, withProviderRetry, type RetryFailureListener } from "../provider-retry.js";
import { toAwsProviderError } from "./aws-errors.js";
import { foreignReplyError } from "../errors.js";
import { maskAwsCredentials, type AwsCredentials } from "./aws-credentials.js";

/** What the CostExplorerClient accepts as credentials: static keys or a provider of them. */
export type AwsIdentitySource = NonNullable<CostExplorerClientConfig["credentials"]>;

export interface CostExplorerCallerOptions {
  credentials: AwsCredentials;
  /** Custom endpoint (the sandbox simulator); it serves STS too, so roles are assumed there. */
  endpoint?: string;
  /** Per HTTP request; a request that takes longer is a TransientError (default 30 s). */
  requestTimeoutMs?: number;
  retryPolicy?: RetryPolicy;
  logger?: Logger;
  onRequestFailure?: RetryFailureListener;
  /**
   * The identity that assumes a tenant's role (method "assumeRole"). Default: the SDK's default
   * credential chain, i.e. this service's own IAM role in production.
   */
  sourceCredentials?: AwsIdentitySource;
}

/** Accumulates the HTTP requests spent on Cost Explorer (each page is billed at $0.01). */
export interface RequestCounter {
  requests: number;
}

const COST_EXPLORER_REGION = "us-east-1";
const OPERATION = "Cost Explorer GetCostAndUsage";
const ROLE_SESSION_NAME = "cost-analytics-bff";
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

function secretsOf(credentials: AwsCredentials): string[] {
  return credentials.method === "accessKey"
    ? [credentials.secretAccessKey, credentials.sessionToken ?? ""]
    : [credentials.externalId];
}

export class CostExplorerCaller {
  readonly summary: string;
  private readonly costExplorer: CostExplorerClient;
  private readonly secrets: string[];
  private readonly requestTimeoutMs: number;
  private readonly retryPolicy: RetryPolicy;
  private readonly logger: Logger | undefined;
  private readonly onRequestFailure: RetryFailureListener | undefined;

  constructor(options: CostExplorerCallerOptions) {
    this.summary = maskAwsCredentials(options.credentials);
    this.secrets = secretsOf(options.credentials);
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.retryPolicy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.logger = options.logger;
    this.onRequestFailure = options.onRequestFailure;
    const endpoint = options.endpoint === undefined ? {} : { endpoint: options.endpoint };
    this.costExplorer = new CostExplorerClient({
      region: COST_EXPLORER_REGION,
      // One retry policy decides (ours), so every HTTP attempt is counted and rate limits are shared.
      maxAttempts: 1,
      credentials: this.identity(options, endpoint),
      ...endpoint,
    });
  }

  private identity(options: CostExplorerCallerOptions, endpoint: { endpoint?: string }): AwsIdentitySource {
    const { credentials } = options;
    if (credentials.method === "accessKey") {
      const { accessKeyId, secretAccessKey, sessionToken } = credentials;
      return sessionToken === undefined
        ? { accessKeyId, secretAccessKey }
        : { accessKeyId, secretAccessKey, sessionToken };
    }
    const assumeRole = fromTemporaryCredentials({
      params: {
        RoleArn: credentials.roleArn,
        ExternalId: credentials.externalId,
        RoleSessionName: ROLE_SESSION_NAME,
      },
      ...(options.sourceCredentials === undefined ? {} : { masterCredentials: options.sourceCredentials }),
      clientConfig: { region: COST_EXPLORER_REGION, maxAttempts: 1, ...endpoint },
    });
    // Name STS failures as such: they surface from inside the Cost Explorer call otherwise.
    return async (properties) => {
      try {
        return await assumeRole(properties);
      } catch (error) {
        throw toAwsProviderError(error, { operation: "STS AssumeRole", secrets: this.secrets });
      }
    };
  }

  /** One GetCostAndUsage page, retried per the policy; every HTTP attempt is added to `counter`. */
  async getCostAndUsage(
    input: GetCostAndUsageCommandInput,
    counter: RequestCounter,
    signal?: AbortSignal,
  ): Promise<GetCostAndUsageCommandOutput> {
    return withProviderRetry((attempt) => this.sendOnce(input, counter, attempt, signal), {
      policy: this.retryPolicy,
      ...(signal === undefined ? {} : { signal }),
      onFailure: (failure) => {
        const { attempt, error, delayMs } = failure;
        this.onRequestFailure?.(failure);
        this.logger?.warn(
          {
            provider: "AWS",
            connection: this.summary,
            attempt,
            code: error.code,
            delayMs,
            error: error.message,
          },
          delayMs === undefined ? "cost explorer request failed" : "cost explorer request failed, retrying",
        );
      },
    });
  }

  private async sendOnce(
    input: GetCostAndUsageCommandInput,
    counter: RequestCounter,
    attempt: number,
    signal?: AbortSignal,
  ): Promise<GetCostAndUsageCommandOutput> {
    const command = new GetCostAndUsageCommand(input);
    // The deserialize step wraps the HTTP send itself, after signing: it runs once per request sent.
    command.middlewareStack.add(
      (next) => (args) => {
        counter.requests++;
        return next(args);
      },
      { step: "deserialize", name: `countCostExplorerRequest${attempt}` },
    );
    const timeout = AbortSignal.timeout(this.requestTimeoutMs);
    const abortSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let output: GetCostAndUsageCommandOutput;
    try {
      output = await this.costExplorer.send(command, { abortSignal });
    } catch (error) {
      const timedOut = timeout.aborted && !signal?.aborted;
      throw toAwsProviderError(error, {
        operation: OPERATION,
        secrets: this.secrets,
        ...(timedOut ? { timeoutMs: this.requestTimeoutMs } : {}),
      });
    }
    // Cost Explorer always lists ResultsByTime: JSON without it came from another server.
    if (!Array.isArray(output.ResultsByTime)) {
      throw foreignReplyError(`AWS ${OPERATION}`, output.$metadata.httpStatusCode ?? 200);
    }
    return output;
  }

  destroy(): void {
    this.costExplorer.destroy();
  }
}
