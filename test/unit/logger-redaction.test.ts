import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, REDACTED_FIELDS, REDACTION_DEPTH } from "../../src/observability/logger.js";

/** A logger writing JSON lines into an array, and the lines parsed. */
function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  const logger = createLogger({ level: "debug", destination });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

const CENSORED = "[REDACTED]";

describe("log redaction", () => {
  it("censors an authorization header in a logged request, keeping the other headers", () => {
    const { logger, lines, parsed } = capture();
    logger.info(
      { req: { headers: { authorization: "Bearer eyJhbGciOi.SECRET-JWT.sig", "user-agent": "dashboard" } } },
      "request",
    );
    expect(lines.join()).not.toContain("SECRET-JWT");
    expect(parsed()[0]).toMatchObject({
      req: { headers: { authorization: CENSORED, "user-agent": "dashboard" } },
    });
  });

  it("censors provider secrets nested in connection objects, at every level down to the depth limit", () => {
    const { logger, lines, parsed } = capture();
    logger.warn(
      {
        aws: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "aws-SECRET-1", sessionToken: "aws-SECRET-2" },
        azure: { tenant: { app: { clientSecret: "azure-SECRET-3", clientId: "app-id" } } },
        gcp: {
          connection: {
            serviceAccountKey: { private_key: "-----BEGIN gcp-SECRET-4", client_email: "reader@example.iam" },
          },
        },
        token: "top-SECRET-5",
      },
      "connection failed",
    );
    const output = lines.join("\n");
    for (const secret of ["aws-SECRET-1", "aws-SECRET-2", "azure-SECRET-3", "gcp-SECRET-4", "top-SECRET-5"]) {
      expect(output).not.toContain(secret);
    }
    expect(parsed()[0]).toMatchObject({
      aws: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: CENSORED, sessionToken: CENSORED },
      azure: { tenant: { app: { clientSecret: CENSORED, clientId: "app-id" } } },
      gcp: {
        connection: { serviceAccountKey: { private_key: CENSORED, client_email: "reader@example.iam" } },
      },
      token: CENSORED,
    });
  });

  it("censors the request headers an SDK error carries (err.config.headers.Authorization)", () => {
    const { logger, lines, parsed } = capture();
    const error = Object.assign(new Error("request failed with status 401"), {
      config: {
        headers: { Authorization: "Bearer ya29.SECRET-ACCESS-TOKEN", "X-Amz-Security-Token": "STS-SECRET" },
      },
    });
    logger.error({ err: error }, "provider call failed");
    expect(lines.join()).not.toMatch(/SECRET-ACCESS-TOKEN|STS-SECRET/);
    expect(parsed()[0]).toMatchObject({
      err: {
        message: "request failed with status 401",
        config: { headers: { Authorization: CENSORED, "X-Amz-Security-Token": CENSORED } },
      },
    });
  });

  it("censors secrets inside arrays of objects and whole credential objects", () => {
    const { logger, lines, parsed } = capture();
    logger.info(
      {
        connections: [{ provider: "AZURE", credentials: { clientSecret: "array-SECRET-6", tenantId: "t" } }],
        access_token: "oauth-SECRET-7",
      },
      "connections",
    );
    expect(lines.join()).not.toMatch(/array-SECRET-6|oauth-SECRET-7/);
    expect(parsed()[0]).toMatchObject({
      connections: [{ provider: "AZURE", credentials: CENSORED }],
      access_token: CENSORED,
    });
  });

  it("applies to child loggers' bindings as well as to the logged object", () => {
    const { logger, lines, parsed } = capture();
    logger
      .child({ requestId: "r-1", auth: { token: "child-SECRET-8" } })
      .info({ operationName: "Overview" }, "x");
    expect(lines.join()).not.toContain("child-SECRET-8");
    expect(parsed()[0]).toMatchObject({
      requestId: "r-1",
      operationName: "Overview",
      auth: { token: CENSORED },
    });
  });

  it(`reaches ${REDACTION_DEPTH} levels deep and no deeper (pino has no recursive wildcard)`, () => {
    const { logger, parsed } = capture();
    const nested = (levels: number, leaf: object): object =>
      levels === 0 ? leaf : { next: nested(levels - 1, leaf) };
    // a.next.next.secret: the field is the REDACTION_DEPTH-th level.
    logger.info({ a: nested(REDACTION_DEPTH - 2, { secret: "reached" }) }, "at the limit");
    logger.info({ a: nested(REDACTION_DEPTH - 1, { secret: "beyond" }) }, "past the limit");
    const [atLimit, pastLimit] = parsed();
    expect(JSON.stringify(atLimit!.a)).toBe(
      JSON.stringify(nested(REDACTION_DEPTH - 2, { secret: CENSORED })),
    );
    // Documents the limit: code must keep secrets out of log objects rather than rely on this net.
    expect(JSON.stringify(pastLimit!.a)).toContain('"secret":"beyond"');
    expect(REDACTED_FIELDS).toContain("secret");
  });
});
