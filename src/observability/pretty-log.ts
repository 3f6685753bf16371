/**
 * Log lines for a person at a terminal (the sandbox, `npm start`): each JSON line pino writes,
 * already redacted, becomes one short line, `12:04:05 WARN  message  key=value ...`, with an
 * error's stack under it at error and fatal. A pino destination, not a transport: it formats in
 * the process, synchronously, so nothing is lost on exit and no worker thread or extra dependency
 * (pino-pretty) is needed. Production keeps pino's JSON lines.
 */
import type { DestinationStream } from "pino";

export type LogFormat = "json" | "pretty";

/** Fields every line has or that say nothing to a reader at a terminal. */
const OMITTED = new Set(["level", "time", "msg", "service", "pid", "hostname"]);

const LEVELS: Record<number, { label: string; color: string }> = {
  10: { label: "TRACE", color: "90" },
  20: { label: "DEBUG", color: "90" },
  30: { label: "INFO", color: "32" },
  40: { label: "WARN", color: "33" },
  50: { label: "ERROR", color: "31" },
  60: { label: "FATAL", color: "35" },
};
const ERROR_LEVEL = 50;

/** `LOG_FORMAT` when set (json or pretty); otherwise pretty when the output is a terminal. */
export function logFormatFor(env: NodeJS.ProcessEnv, output: { isTTY?: boolean }): LogFormat {
  if (env.LOG_FORMAT === "json" || env.LOG_FORMAT === "pretty") return env.LOG_FORMAT;
  return output.isTTY ? "pretty" : "json";
}

/** A pino destination writing formatted lines to `output`; colours when it is a terminal (and NO_COLOR is unset). */
export function prettyLogDestination(
  output: { write(text: string): unknown; isTTY?: boolean },
  options: { colors?: boolean } = {},
): DestinationStream {
  const colors = options.colors ?? (Boolean(output.isTTY) && !process.env.NO_COLOR);
  return {
    write: (line: string) => {
      output.write(formatLogLine(line, { colors }));
    },
  };
}

/** One pino JSON line as text for a person; a line that is not JSON passes through unchanged. */
export function formatLogLine(line: string, options: { colors?: boolean } = {}): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line.endsWith("\n") ? line : `${line}\n`;
  }
  const paint = (code: string, text: string) => (options.colors ? `\u001b[${code}m${text}\u001b[0m` : text);
  const level = typeof entry.level === "number" ? entry.level : 30;
  const { label, color } = LEVELS[level] ?? { label: String(entry.level), color: "0" };
  const time = typeof entry.time === "number" ? new Date(entry.time).toTimeString().slice(0, 8) : "";
  const message = typeof entry.msg === "string" ? entry.msg : "";

  const fields: string[] = [];
  let stack: string | undefined;
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED.has(key) || value === undefined) continue;
    if (key === "err" && isRecord(value)) {
      const { type, message: errorMessage, stack: errorStack, ...rest } = value;
      const summary = [type, errorMessage].filter((part) => typeof part === "string" && part).join(": ");
      fields.push(`err=${JSON.stringify(summary || "error")}`);
      for (const [detail, detailValue] of Object.entries(rest))
        fields.push(`err.${detail}=${show(detailValue)}`);
      if (level >= ERROR_LEVEL && typeof errorStack === "string") stack = errorStack;
      continue;
    }
    fields.push(`${key}=${show(value)}`);
  }

  const head = [time && paint("90", time), paint(color, label.padEnd(5)), message].filter(Boolean).join(" ");
  const text = fields.length > 0 ? `${head}  ${paint("90", fields.join(" "))}` : head;
  // The stack's first line repeats type and message, already on the line above.
  const stackLines =
    stack
      ?.split("\n")
      .slice(1)
      .map((frame) => `    ${frame.trim()}`) ?? [];
  return [text, ...stackLines].join("\n") + "\n";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Bare words stay bare; text with spaces or quotes, and objects, are shown as JSON. */
function show(value: unknown): string {
  if (typeof value === "string") return /^[\w.:/@+\-*…]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === "object" && value !== null) return JSON.stringify(value);
  return String(value);
}
