/** `npx tsx test/support/install-test-tools.ts`: what the tests need besides Node (see test-tools.ts), for .ci/run. */
import { ensureTestTools } from "./test-tools.js";

ensureTestTools();
