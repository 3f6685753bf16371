/**
 * Production entry: configuration from the environment, then the runtime; stops cleanly on
 * SIGINT/SIGTERM (subscriptions closed with 1001, HTTP drained, jobs marked, consumer lease released).
 */
import "reflect-metadata";
import { loadConfig, ConfigError } from "./config.js";
import { createLogger } from "./observability/logger.js";
import { startRuntime } from "./runtime.js";
import { runUntilSignal } from "./shutdown.js";

const logger = createLogger();
try {
  const config = loadConfig(process.env, "production");
  const runtime = await startRuntime(config, { logger, ensureTables: Boolean(config.dynamo.endpoint) });
  runUntilSignal(logger, () => runtime.stop());
} catch (error) {
  if (error instanceof ConfigError) {
    logger.fatal(error.message);
  } else {
    logger.fatal({ err: error }, "failed to start");
  }
  process.exitCode = 1;
}
