import { afterEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../../src/observability/logger.js";
import { formatLogLine, logFormatFor, prettyLogDestination } from "../../src/observability/pretty-log.js";

/** A logger formatting for a terminal into an array, without colours. */
function capture(level = "debug") {
  let output = "";
  const logger = createLogger({
    level,
    destination: prettyLogDestination({ write: (text: string) => (output += text) }, { colors: false }),
  });
  return { logger, output: () => output };
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("log lines for a terminal", () => {
  it("puts time, level and message first, then the fields, without what every line has", () => {
    const { logger, output } = capture();
    logger.warn(
      { clientId: "demo", provider: "AWS", attempt: 2, period: { start: "2026-01-01" }, note: "two words" },
      "provider call retried",
    );
    expect(output()).toMatch(
      /^\d\d:\d\d:\d\d WARN {2}provider call retried {2}clientId=demo provider=AWS attempt=2 period=\{"start":"2026-01-01"\} note="two words"\n$/,
    );
    expect(output()).not.toMatch(/service|cost-analytics-bff|level|time=/);
  });

  it("shows an error as type and message, and its stack only from level error up", () => {
    const { logger, output } = capture();
    const error = Object.assign(new TypeError("connect refused"), { code: "ECONNREFUSED" });
    logger.warn({ err: error }, "retrying");
    expect(output()).toContain(`retrying  err="TypeError: connect refused" err.code=ECONNREFUSED\n`);
    expect(output()).not.toContain("    at ");
    logger.error({ err: error }, "gave up");
    const lines = output().trimEnd().split("\n");
    expect(lines.findIndex((line) => line.includes("ERROR gave up"))).toBe(1);
    expect(lines.slice(2).length).toBeGreaterThan(0);
    expect(lines.slice(2).every((line) => line.startsWith("    at "))).toBe(true);
  });

  it("keeps the logger's redaction: no secret reaches the terminal", () => {
    const { logger, output } = capture();
    logger.info(
      {
        req: { headers: { authorization: "Bearer eyJ.SECRET-JWT.sig" } },
        aws: { secretAccessKey: "aws-SECRET" },
      },
      "request",
    );
    expect(output()).not.toMatch(/SECRET-JWT|aws-SECRET/);
    expect(output()).toContain(`req={"headers":{"authorization":"[REDACTED]"}}`);
  });

  it("colours the level when asked, and passes a line that is not JSON through", () => {
    const line = JSON.stringify({ level: 50, time: Date.now(), msg: "boom" });
    expect(formatLogLine(line, { colors: true })).toContain("\u001b[31mERROR\u001b[0m boom");
    expect(formatLogLine("plain text")).toBe("plain text\n");
  });
});

describe("the sandbox's log format and level", () => {
  it("is pretty on a terminal and JSON otherwise, unless LOG_FORMAT says", () => {
    expect(logFormatFor({}, { isTTY: true })).toBe("pretty");
    expect(logFormatFor({}, {})).toBe("json");
    expect(logFormatFor({ LOG_FORMAT: "json" }, { isTTY: true })).toBe("json");
    expect(logFormatFor({ LOG_FORMAT: "pretty" }, {})).toBe("pretty");
  });

  it("takes the default level only when LOG_LEVEL is unset", () => {
    vi.stubEnv("LOG_LEVEL", undefined);
    expect(createLogger({ defaultLevel: "warn" }).level).toBe("warn");
    expect(createLogger().level).toBe("info");
    vi.stubEnv("LOG_LEVEL", "debug");
    expect(createLogger({ defaultLevel: "warn" }).level).toBe("debug");
  });
});
