/**
 * What every refused request's answer must look like, as a list of broken rules (empty when sound),
 * so a table of cases can report every failure at once: no 5xx, no stack trace, no
 * INTERNAL_SERVER_ERROR, an error code on every GraphQL error, the field named, no data.
 */

interface Answer {
  /** HTTP status; absent over WebSocket. */
  status?: number;
  body: string;
}

interface Expectation {
  /** The messages must match this (the field the error is about). */
  names?: RegExp | undefined;
  /** A GraphQL answer (200 with errors is fine); otherwise a transport-level refusal (4xx only). */
  graphql: boolean;
}

interface ErrorShape {
  message?: unknown;
  extensions?: { code?: unknown; stacktrace?: unknown };
}

/** Frames of a JavaScript stack or paths of the code: what a client must never see. */
const STACK_TRACE =
  /\bat (?:async )?\S+ \(\S+:\d+:\d+\)|\bat (?:file|node):|\.(?:ts|js|mjs|cjs):\d+:\d+|stacktrace/;

/** True when anything but null sits anywhere in the value. */
function hasValues(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value !== "object") return true;
  return Object.values(value).some(hasValues);
}

function parse(body: string): { errors?: ErrorShape[]; data?: unknown } | undefined {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

export function checkErrors(answer: Answer, expectation: Expectation): string[] {
  const problems: string[] = [];
  const { status, body } = answer;
  if (status !== undefined) {
    const fine = (status >= 400 && status < 500) || (expectation.graphql && status === 200);
    if (!fine) problems.push(`HTTP ${status}`);
  }
  if (STACK_TRACE.test(body)) problems.push(`a stack trace: ${body.slice(0, 200)}`);
  if (body.includes("INTERNAL_SERVER_ERROR")) problems.push(`INTERNAL_SERVER_ERROR: ${body.slice(0, 200)}`);
  const parsed = parse(body);
  const errors = Array.isArray(parsed?.errors) ? parsed.errors : [];
  if (expectation.graphql || parsed) {
    if (errors.length === 0) problems.push(`no errors in ${body.slice(0, 200)}`);
    for (const error of errors) {
      if (typeof error.extensions?.code !== "string") problems.push(`no code on "${String(error.message)}"`);
    }
    if (hasValues(parsed?.data))
      problems.push(`data came back: ${JSON.stringify(parsed?.data).slice(0, 200)}`);
  } else if (body.trim() === "") {
    problems.push("an empty answer");
  }
  const messages = parsed ? errors.map((error) => String(error.message)).join(" | ") : body;
  if (expectation.names && !expectation.names.test(messages)) {
    problems.push(`the message does not name ${expectation.names}: ${messages.slice(0, 300)}`);
  }
  return problems;
}

/** "case: problem" lines of every case that broke a rule. */
export function formatProblems(results: readonly (readonly [string, readonly string[]])[]): string[] {
  return results.flatMap(([name, problems]) => problems.map((problem) => `${name}: ${problem}`));
}
