import type { RetryPolicy } from "../../src/shared/retry.js";

/**
 * The retry policy of adapters under test: the simulators answer in milliseconds, so waits are
 * milliseconds too, and three attempts ride out the one or two injected faults a test retries
 * through. A test that needs another budget spreads it (`{ ...FAST_RETRY, maxAttempts: 6 }`).
 */
export const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 10_000 };
