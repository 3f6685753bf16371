import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const require = createRequire(import.meta.url);

// The AWS SDK's notice that its 2027 releases need Node 22 (we pin versions that support 20): off
// here for the global setup's clients, and below for the test workers.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";

export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  resolve: {
    // graphql ships CJS (main) and ESM (module) builds; Node loads the CJS one for type-graphql and
    // Apollo, so our code must get the same instance or instanceof checks on its types fail.
    alias: [{ find: /^graphql$/, replacement: require.resolve("graphql") }],
  },
  test: {
    include: ["test/**/*.test.ts"],
    // One DynamoDB Local for the whole run; each test file uses its own table prefix.
    globalSetup: ["test/support/global-setup.ts"],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 60_000,
    // expect.poll waits on pages and live events; on two busy cores one second (its default) is
    // sometimes too short for a request and a render. A wrong value still fails, only later.
    expect: { poll: { timeout: 10_000 } },
    hookTimeout: 120_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
