/**
 * An Amazon CloudWatch stand-in on loopback for @aws-sdk/client-cloudwatch's PutMetricData:
 * `GraniteServiceVersion20100801.PutMetricData` in application/x-amz-json-1.0 (awsQueryCompatible:
 * errors also carry `x-amzn-query-error: Code;Sender`), gzip bodies as the SDK compresses them, and
 * the service's validation (namespace, 1000 data per call, Value vs Values vs StatisticValues,
 * 150 values, counts matching values, units, timestamps within two weeks back and two hours ahead).
 * Accepted data is kept for tests to read back.
 */
import type { FaultPlan } from "../faults.js";
import { AwsApiError, requireKnownCaller, startAwsJsonServer, type ErrorFault } from "./aws-json-server.js";

const MAX_DATA_PER_CALL = 1000;
const MAX_VALUES = 150;
const MAX_DIMENSIONS = 30;
const PAST_LIMIT_MS = 14 * 24 * 3600 * 1000;
const FUTURE_LIMIT_MS = 2 * 3600 * 1000;
const UNITS = new Set([
  "Seconds",
  "Microseconds",
  "Milliseconds",
  "Bytes",
  "Kilobytes",
  "Megabytes",
  "Gigabytes",
  "Terabytes",
  "Bits",
  "Kilobits",
  "Megabits",
  "Gigabits",
  "Terabits",
  "Percent",
  "Count",
  "Bytes/Second",
  "Kilobytes/Second",
  "Megabytes/Second",
  "Gigabytes/Second",
  "Terabytes/Second",
  "Bits/Second",
  "Kilobits/Second",
  "Megabits/Second",
  "Gigabits/Second",
  "Terabits/Second",
  "Count/Second",
  "None",
]);

export interface CloudWatchSimulatorOptions {
  /** Access key ids allowed to call (others get InvalidClientTokenId). */
  accessKeyIds: readonly string[];
  port?: number;
}

/** One accepted datum, expanded: every observation as value x count, or a statistic set. */
export interface ReceivedDatum {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  timestamp: Date;
  unit?: string;
  samples?: { value: number; count: number }[];
  statistics?: { sampleCount: number; sum: number; minimum: number; maximum: number };
}

export interface CloudWatchSimulator {
  endpoint: string;
  faults: FaultPlan;
  requestCount(operation?: "PutMetricData"): number;
  /** PutMetricData requests whose body arrived gzip-compressed. */
  compressedRequests(): number;
  received(): ReceivedDatum[];
  stop(): Promise<void>;
}

/** What this service answers to an injected fault. */
const FAULT_ERRORS: Record<ErrorFault, AwsApiError> = {
  throttle: new AwsApiError("ThrottlingException", "Rate exceeded", 400, "Throttling"),
  "server-error": new AwsApiError(
    "InternalServiceFault",
    "Internal service error",
    500,
    "InternalServiceError",
  ),
  auth: new AwsApiError(
    "ExpiredTokenException",
    "The security token included in the request is expired",
    403,
    "ExpiredToken",
  ),
  forbidden: new AwsApiError(
    "AccessDeniedException",
    "User is not authorized to perform: cloudwatch:PutMetricData",
    403,
    "AccessDenied",
  ),
};

const invalidValue = (parameter: string, value: unknown) =>
  new AwsApiError(
    "InvalidParameterValueException",
    `The value ${String(value)} for parameter ${parameter} is invalid.`,
    400,
    "InvalidParameterValue",
  );
const missing = (parameter: string) =>
  new AwsApiError(
    "MissingRequiredParameterException",
    `The parameter ${parameter} is required.`,
    400,
    "MissingParameter",
  );
const combination = (a: string, b: string) =>
  new AwsApiError(
    "InvalidParameterCombinationException",
    `The parameters ${a} and ${b} are mutually exclusive and you have specified both.`,
    400,
    "InvalidParameterCombination",
  );

const isFiniteNumber = (value: unknown): value is number =>
  typeof value === "number" && Number.isFinite(value);

function text(value: unknown, parameter: string, max: number): string {
  if (value === undefined || value === null) throw missing(parameter);
  if (typeof value !== "string" || value.length < 1 || value.length > max)
    throw invalidValue(parameter, value);
  return value;
}

function parseDimensions(value: unknown, at: string): Record<string, string> {
  if (value === undefined) return {};
  if (!Array.isArray(value) || value.length > MAX_DIMENSIONS)
    throw invalidValue(`${at}.Dimensions`, "(list)");
  const dimensions: Record<string, string> = {};
  value.forEach((entry: { Name?: unknown; Value?: unknown }, index) => {
    const member = `${at}.Dimensions.member.${index + 1}`;
    dimensions[text(entry?.Name, `${member}.Name`, 255)] = text(entry?.Value, `${member}.Value`, 1024);
  });
  return dimensions;
}

function parseSamples(values: unknown, counts: unknown, at: string): { value: number; count: number }[] {
  if (!Array.isArray(values) || values.length > MAX_VALUES || !values.every(isFiniteNumber)) {
    throw invalidValue(`${at}.Values`, "(list)");
  }
  if (counts !== undefined && (!Array.isArray(counts) || counts.length !== values.length)) {
    throw new AwsApiError(
      "InvalidParameterValueException",
      `The parameters ${at}.Values and ${at}.Counts must be of the same size.`,
      400,
      "InvalidParameterValue",
    );
  }
  const countList = (counts ?? values.map(() => 1)) as unknown[];
  return values.map((value, index) => {
    const count = countList[index];
    if (!isFiniteNumber(count) || count < 0) throw invalidValue(`${at}.Counts.member.${index + 1}`, count);
    return { value, count };
  });
}

function parseStatistics(value: unknown, at: string): ReceivedDatum["statistics"] {
  const set = value as Record<string, unknown>;
  const fields = ["SampleCount", "Sum", "Minimum", "Maximum"] as const;
  for (const field of fields) {
    if (!isFiniteNumber(set?.[field])) throw missing(`${at}.StatisticValues.${field}`);
  }
  const [sampleCount, sum, minimum, maximum] = fields.map((field) => set[field] as number) as [
    number,
    number,
    number,
    number,
  ];
  if (sampleCount <= 0 || minimum > maximum) throw invalidValue(`${at}.StatisticValues`, "(set)");
  return { sampleCount, sum, minimum, maximum };
}

function parseDatum(
  namespace: string,
  raw: Record<string, unknown>,
  index: number,
  now: number,
): ReceivedDatum {
  const at = `MetricData.member.${index + 1}`;
  const { Value, Values, StatisticValues } = raw;
  if (Value !== undefined && Values !== undefined) throw combination(`${at}.Value`, `${at}.Values`);
  if (Value !== undefined && StatisticValues !== undefined)
    throw combination(`${at}.Value`, `${at}.StatisticValues`);
  if (Values !== undefined && StatisticValues !== undefined)
    throw combination(`${at}.Values`, `${at}.StatisticValues`);
  const datum: ReceivedDatum = {
    namespace,
    metricName: text(raw.MetricName, `${at}.MetricName`, 255),
    dimensions: parseDimensions(raw.Dimensions, at),
    timestamp: new Date(now),
  };
  if (raw.Timestamp !== undefined) {
    if (!isFiniteNumber(raw.Timestamp)) throw invalidValue(`${at}.Timestamp`, raw.Timestamp);
    const ms = raw.Timestamp * 1000;
    if (ms < now - PAST_LIMIT_MS || ms > now + FUTURE_LIMIT_MS) {
      throw invalidValue(`${at}.Timestamp`, new Date(ms).toISOString());
    }
    datum.timestamp = new Date(ms);
  }
  if (raw.Unit !== undefined) {
    if (typeof raw.Unit !== "string" || !UNITS.has(raw.Unit)) throw invalidValue(`${at}.Unit`, raw.Unit);
    datum.unit = raw.Unit;
  }
  if (raw.StorageResolution !== undefined && raw.StorageResolution !== 1 && raw.StorageResolution !== 60) {
    throw invalidValue(`${at}.StorageResolution`, raw.StorageResolution);
  }
  if (StatisticValues !== undefined) {
    const statistics = parseStatistics(StatisticValues, at);
    if (statistics) datum.statistics = statistics;
  } else if (Values !== undefined) datum.samples = parseSamples(Values, raw.Counts, at);
  else if (isFiniteNumber(Value)) datum.samples = [{ value: Value, count: 1 }];
  else throw missing(`${at}.Value`);
  return datum;
}

export async function startCloudWatchSimulator(
  options: CloudWatchSimulatorOptions,
): Promise<CloudWatchSimulator> {
  const callers = new Set(options.accessKeyIds);
  const received: ReceivedDatum[] = [];
  let compressed = 0;

  const server = await startAwsJsonServer({
    jsonVersion: "1.0",
    targetPrefix: "GraniteServiceVersion20100801",
    operations: new Set(["PutMetricData"]),
    faultErrors: FAULT_ERRORS,
    answer: ({ input, accessKeyId, request }) => {
      requireKnownCaller(accessKeyId, callers, true);
      if (request.headers["content-encoding"] === "gzip") compressed++;
      const namespace = text(input.Namespace, "Namespace", 255);
      if (namespace.startsWith("AWS/")) throw invalidValue("Namespace", namespace);
      const data = input.MetricData;
      if (data === undefined) throw missing("MetricData");
      if (!Array.isArray(data) || data.length < 1 || data.length > MAX_DATA_PER_CALL) {
        throw invalidValue("MetricData", `(${Array.isArray(data) ? data.length : typeof data} members)`);
      }
      const now = Date.now();
      // All or nothing: one bad datum rejects the whole call, as CloudWatch does.
      const accepted = data.map((raw: Record<string, unknown>, index) =>
        parseDatum(namespace, raw ?? {}, index, now),
      );
      received.push(...accepted);
      return {};
    },
    ...(options.port === undefined ? {} : { port: options.port }),
  });

  return {
    endpoint: server.endpoint,
    faults: server.faults,
    requestCount: server.requestCount,
    compressedRequests: () => compressed,
    received: () => [...received],
    stop: server.stop,
  };
}
