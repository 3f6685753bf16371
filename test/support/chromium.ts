/**
 * Debian's headless Chromium as the browser tests drive it: its own profile directory (removed on
 * stop), and flags that keep it offline and quiet, so every request it makes is the page's own.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

const CHROMIUM = "/usr/bin/chromium";

export interface TestBrowser {
  context: BrowserContext;
  stop(): Promise<void>;
}

export async function launchChromium(
  name: string,
  options: { viewport?: { width: number; height: number } } = {},
): Promise<TestBrowser> {
  const userDataDir = await mkdtemp(join(tmpdir(), `${name}-chromium-`));
  // launchPersistentContext is Playwright's way to give Chromium its own --user-data-dir.
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    ...(options.viewport ? { viewport: options.viewport } : {}),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-quic",
      "--no-first-run",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    context,
    stop: async () => {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}
