/** `npm start`: the offline sandbox, nothing to configure. Ctrl-C stops it and its DynamoDB Local. */
import "reflect-metadata";
import { createLogger } from "../observability/logger.js";
import { runUntilSignal } from "../shutdown.js";
import { DEMO_CLIENT_ID, startSandbox } from "./sandbox.js";

// The AWS SDK's notice that its 2027 releases need Node 22 is for operators, not sandbox users
// (it is read when the first client is built, after this line).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const logger = createLogger();
try {
  const sandbox = await startSandbox({ env: process.env, logger });
  runUntilSignal(logger, () => sandbox.stop());
  const { url } = sandbox.runtime;
  process.stdout.write(
    [
      "",
      "Cost analytics sandbox is running (offline; simulated AWS, GCP and Azure billing APIs).",
      `  Playground:   ${url}  (open in a browser, paste the token in the bar at the top)`,
      `  Demo tenant:  ${DEMO_CLIENT_ID}  (backfill job ${sandbox.backfill.id}, about 13 months, running now)`,
      `  Admin token:  ${sandbox.adminToken}`,
      "",
      `  curl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${sandbox.adminToken}" \\`,
      `    -d '{"query":"{ client(id: \\"${DEMO_CLIENT_ID}\\") { name connections { provider health } } }"}'`,
      "",
      "Ctrl-C stops everything.",
      "",
    ].join("\n"),
  );
} catch (error) {
  logger.fatal({ err: error }, "sandbox failed to start");
  process.exitCode = 1;
}
