import type { Logger } from "./observability/logger.js";

const SHUTDOWN_TIMEOUT_MS = 15_000;
const REPEAT_SIGNAL_GRACE_MS = 2_000;

/**
 * Stops on the first SIGINT/SIGTERM (a later second one, or a stop that hangs, exits at once) and on an
 * uncaught error, so every exit path runs `stop` — which is what releases the embedded database,
 * the stream lease and running jobs.
 */
export function runUntilSignal(logger: Logger, stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const shutdown = (reason: string, exitCode: number) => {
    if (stoppingSince !== undefined) {
      // Ctrl-C reaches both tsx and this process, and tsx relays it: one keypress, two signals.
      if (Date.now() - stoppingSince < REPEAT_SIGNAL_GRACE_MS) return;
      logger.warn({ reason }, "forced exit");
      process.exit(exitCode || 1);
    }
    stoppingSince = Date.now();
    logger.info({ reason }, "shutting down");
    const timer = setTimeout(() => {
      logger.error("shutdown timed out");
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    timer.unref();
    stop()
      .catch((error: unknown) => logger.error({ err: error }, "error during shutdown"))
      .finally(() => {
        clearTimeout(timer);
        process.exit(exitCode);
      });
  };
  process.on("SIGINT", () => shutdown("SIGINT", 0));
  process.on("SIGTERM", () => shutdown("SIGTERM", 0));
  process.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception");
    shutdown("uncaughtException", 1);
  });
  process.on("unhandledRejection", (error) => {
    logger.fatal({ err: error }, "unhandled rejection");
    shutdown("unhandledRejection", 1);
  });
}
