/**
 * The dashboard (src/dashboard): a static bundle the service serves at `/` (src/app.ts). Built by
 * `npm run build` into dist/dashboard; the e2e test builds it once into a temporary directory
 * (`outDir` below can be overridden through Vite's API, as test/support/dashboard-build.ts does).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const repo = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));

export default defineConfig({
  root: repo("src/dashboard"),
  base: "/",
  // Nothing is copied from a public/ folder: every asset is bundled and hashed.
  publicDir: false,
  // Info: the build lists each file with its gzipped size (the tests' builds ask for errors only).
  logLevel: "info",
  build: {
    outDir: repo("dist/dashboard"),
    emptyOutDir: true,
    // Hashed file names under /assets/: the server gives them a year-long immutable cache.
    assetsDir: "assets",
    target: "es2022",
    sourcemap: false,
    // Small enough to inline nothing: every file is fetched from the same origin (CSP 'self').
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
});
