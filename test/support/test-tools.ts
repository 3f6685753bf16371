/**
 * The programs the tests run besides Node, in one place: Java 17+ for DynamoDB Local, Debian's
 * headless Chromium at /usr/bin/chromium for the playground test, and redis-server for the Redis
 * fan-out tests. The global set-up and .ci/run both call ensureTestTools(), so `npm ci && npm test`
 * works on a fresh machine: as root with apt-get it installs what is missing (Debian's packages),
 * otherwise it stops at once with the one command to run. No test is skipped for a missing tool.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

interface TestTool {
  /** What the tests run, as the error names it. */
  name: string;
  /** The Debian package that provides it. */
  aptPackage: string;
  present(): boolean;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .some((dir) => dir !== "" && isExecutable(join(dir, command)));
}

/** Where the playground test launches Chromium from (Debian's chromium package installs it here). */
export const CHROMIUM_PATH = "/usr/bin/chromium";

const TEST_TOOLS: readonly TestTool[] = [
  { name: "java", aptPackage: "openjdk-17-jre-headless", present: () => onPath("java") },
  { name: CHROMIUM_PATH, aptPackage: "chromium", present: () => isExecutable(CHROMIUM_PATH) },
  { name: "redis-server", aptPackage: "redis-server", present: () => onPath("redis-server") },
];

/** Waits for another apt-get or dpkg (say a second test run doing the same) instead of failing. */
const APT_LOCK_WAIT = ["-o", "DPkg::Lock::Timeout=600"];

function missingTools(): TestTool[] {
  return TEST_TOOLS.filter((tool) => !tool.present());
}

function installCommand(missing: readonly TestTool[]): string {
  return `sudo apt-get install -y ${missing.map((tool) => tool.aptPackage).join(" ")}`;
}

function runApt(args: string[]): void {
  const result = spawnSync("apt-get", [...APT_LOCK_WAIT, ...args], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  if (result.error) throw new Error(`test set-up: apt-get ${args.join(" ")} failed: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`test set-up: apt-get ${args.join(" ")} exited with ${result.status ?? result.signal}`);
  }
}

/**
 * Makes sure java, /usr/bin/chromium and redis-server are there. Installs the missing ones with
 * apt-get when running as root on a machine that has it (printing what it installs; apt's progress
 * shows on this process's terminal); otherwise throws with the command that installs them.
 */
export function ensureTestTools(): void {
  const missing = missingTools();
  if (missing.length === 0) return;
  const packages = missing.map((tool) => tool.aptPackage);
  const canInstall = process.getuid?.() === 0 && onPath("apt-get");
  if (!canInstall) {
    throw new Error(
      `the tests need ${missing.map((tool) => tool.name).join(", ")}, missing on this machine; ` +
        `install with: ${installCommand(missing)}`,
    );
  }
  console.log(`test set-up: installing ${packages.join(" ")} with apt-get (missing on this machine)`);
  try {
    runApt(["update", "-qq"]);
    runApt(["install", "-y", "-qq", ...packages]);
  } catch (error) {
    // Another run may have installed them meanwhile; only what is still missing is an error.
    const stillMissing = missingTools();
    if (stillMissing.length === 0) return;
    throw new Error(`${(error as Error).message}; install with: ${installCommand(stillMissing)}`);
  }
  const stillMissing = missingTools();
  if (stillMissing.length > 0) {
    throw new Error(
      `test set-up: apt-get installed ${packages.join(" ")} but ${stillMissing.map((tool) => tool.name).join(", ")} ` +
        "is still missing",
    );
  }
}
