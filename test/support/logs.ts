import { Writable } from "node:stream";
import { createLogger, type Logger } from "../../src/observability/logger.js";

/** Collects a logger's lines, so tests can search every line the code under test wrote. */
export function capturedLogger(): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(...chunk.toString("utf8").split("\n").filter(Boolean));
      done();
    },
  });
  return { logger: createLogger({ level: "debug", destination }), logs };
}
