/**
 * Builds the dashboard (Vite, .config/vite.config.ts) into a temporary directory, once per test
 * file that needs it: what `npm run build` puts into dist/dashboard, without touching dist/.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

export interface DashboardBuild {
  dir: string;
  remove(): Promise<void>;
}

export async function buildDashboard(): Promise<DashboardBuild> {
  const dir = await mkdtemp(join(tmpdir(), "dashboard-build-"));
  await build({
    configFile: fileURLToPath(new URL("../../.config/vite.config.ts", import.meta.url)),
    build: { outDir: dir, emptyOutDir: true },
    logLevel: "error",
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
