/**
 * `npm start`: the offline sandbox, nothing to configure. Ctrl-C stops it and its DynamoDB Local.
 *
 * What a newcomer needs stays on screen: the banner (playground URL, admin token), printed again
 * with the demo backfill's outcome when it ends. Logs are quiet by default (warn, unless LOG_LEVEL
 * says otherwise) and, on a terminal, one readable line each (pretty-log.ts); into a pipe or a file
 * they stay pino's JSON lines, as in production, for whatever reads them (LOG_FORMAT=json|pretty
 * chooses either way). A log file under .data/ was the other option; it would hide the warnings
 * and errors a newcomer needs to see (a provider that fails, a port in use) in a file they don't
 * know of.
 */
import "reflect-metadata";
import { createLogger } from "../observability/logger.js";
import { logFormatFor, prettyLogDestination } from "../observability/pretty-log.js";
import { runUntilSignal } from "../shutdown.js";
import type { CollectionJob } from "../domain/collection-job.js";
import { dayOfInstant } from "../domain/dates.js";
import { setDemoBudgets } from "./demo-budgets.js";
import { DEMO_CLIENT_ID, startSandbox, type Sandbox } from "./sandbox.js";

/** How often the job store is asked about a backfill this process does not run itself. */
const BACKFILL_POLL_MS = 2_000;

// The AWS SDK's notice that its 2027 releases need Node 22 is for operators, not sandbox users
// (it is read when the first client is built, after this line).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const logger = createLogger({
  defaultLevel: "warn",
  ...(logFormatFor(process.env, process.stdout) === "pretty"
    ? { destination: prettyLogDestination(process.stdout) }
    : {}),
});
try {
  const sandbox = await startSandbox({ env: process.env, logger });
  let stopping = false;
  runUntilSignal(logger, () => {
    stopping = true;
    return sandbox.stop();
  });
  printBanner(
    sandbox,
    "Cost analytics sandbox is running (offline; simulated AWS, GCP and Azure billing APIs).",
    "about 13 months, running now; this is printed again when it ends",
    [
      "",
      `  curl -s ${sandbox.runtime.url} -H 'content-type: application/json' -H "authorization: Bearer ${sandbox.adminToken}" \\`,
      `    -d '{"query":"{ client(id: \\"${DEMO_CLIENT_ID}\\") { name connections { provider health } } }"}'`,
      "",
      `Ctrl-C stops everything. ${logsNote(logger.level)}`,
    ],
  );
  void backfillEnd(sandbox, () => stopping).then(
    async (job) => {
      if (!job || stopping) return;
      await setDemoBudgets(sandbox.runtime.useCases(), DEMO_CLIENT_ID, dayOfInstant(sandbox.clock())).catch(
        (error: unknown) => logger.warn({ err: error }, "could not set the demo budgets"),
      );
      printBanner(sandbox, `Demo backfill ${describeEnd(job)}.`, outcome(job), [
        "",
        "Ctrl-C stops everything.",
      ]);
    },
    (error: unknown) => {
      if (!stopping) logger.warn({ err: error }, "could not follow the demo backfill");
    },
  );
} catch (error) {
  logger.fatal({ err: error }, "sandbox failed to start");
  process.exitCode = 1;
}

function logsNote(level: string): string {
  if (level === "warn") return "Logs: warnings and errors only (LOG_LEVEL=info shows more).";
  return level === "silent" ? "Logs: off (LOG_LEVEL=silent)." : `Logs: ${level} and above (LOG_LEVEL).`;
}

function printBanner(sandbox: Sandbox, headline: string, backfill: string, footer: string[]): void {
  const { url } = sandbox.runtime;
  process.stdout.write(
    [
      "",
      headline,
      `  Dashboard:    ${new URL("/", url).href}#token=${sandbox.viewerToken}  (the demo tenant, as a viewer)`,
      `  Playground:   ${url}  (open in a browser, paste the token in the bar at the top, press Use token)`,
      `  Demo tenant:  ${DEMO_CLIENT_ID}  (backfill job ${sandbox.backfill.id}, ${backfill})`,
      `  Admin token:  ${sandbox.adminToken}`,
      ...footer,
      "",
    ].join("\n"),
  );
}

/** The backfill's final state: awaited when this process runs it, else read from the job store until it ends. */
async function backfillEnd(sandbox: Sandbox, stopping: () => boolean): Promise<CollectionJob | null> {
  const { collections, stores } = sandbox.runtime.services;
  const ended = await collections.waitForJob(sandbox.backfill.id);
  if (ended) return ended;
  for (;;) {
    const job = await stores.jobs.get(sandbox.backfill.id);
    if (!job || !["QUEUED", "RUNNING"].includes(job.status) || stopping()) return job;
    await new Promise((resolve) => setTimeout(resolve, BACKFILL_POLL_MS).unref());
  }
}

function describeEnd(job: CollectionJob): string {
  const seconds = job.finishedAt
    ? Math.round((Date.parse(job.finishedAt) - Date.parse(job.createdAt)) / 1000)
    : NaN;
  const took = Number.isFinite(seconds) ? ` in ${seconds} s` : "";
  switch (job.status) {
    case "SUCCEEDED":
      return `finished${took}: the playground has about 13 months of demo data`;
    case "PARTIALLY_SUCCEEDED":
      return `finished${took} with some providers failed: the playground has what was collected`;
    default:
      return `ended ${job.status}${took}`;
  }
}

/** `SUCCEEDED: AWS 399, AZURE 400, GCP 400 days written`, with each failed provider's error. */
function outcome(job: CollectionJob): string {
  const written = job.providers.map((p) => `${p.provider} ${p.recordsWritten}`).join(", ");
  const failures = job.providers
    .filter((p) => p.error)
    .map((p) => `${p.provider} ${p.status}: ${p.error!.code}, ${p.error!.message}`);
  return [`${job.status}: ${written} days written`, ...failures].join("; ");
}
