import { describe, expect, it } from "vitest";
import {
  AuthorizationError,
  RateLimitError,
  TransientError,
  type ProviderError,
} from "../../src/providers/errors.js";
import { withProviderRetry, type ProviderRetryFailure } from "../../src/providers/provider-retry.js";
import {
  backoffDelay,
  retryEveryFailure,
  withRetry,
  type RetryAttemptFailure,
  type RetryPolicy,
} from "../../src/shared/retry.js";

const POLICY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1_000, maxTotalMs: 60_000 };

/** A withProviderRetry harness that records waits instead of sleeping. */
function harness(failures: (ProviderError | Error)[], policy = POLICY, random = () => 0.5) {
  const waits: number[] = [];
  const reported: ProviderRetryFailure[] = [];
  let calls = 0;
  const run = withProviderRetry(
    async (attempt) => {
      calls++;
      const failure = failures[attempt - 1];
      if (failure) throw failure;
      return `ok after ${attempt}`;
    },
    {
      policy,
      random,
      sleep: async (ms) => {
        waits.push(ms);
      },
      onFailure: (failure) => reported.push(failure),
    },
  );
  return { run, waits, reported, calls: () => calls };
}

describe("backoffDelay", () => {
  it("stays within [0, min(cap, base * 2^(attempt-1))) with full jitter", () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const ceiling = Math.min(POLICY.maxDelayMs, POLICY.baseDelayMs * 2 ** (attempt - 1));
      expect(backoffDelay(attempt, POLICY, () => 0)).toBe(0);
      expect(backoffDelay(attempt, POLICY, () => 0.999999)).toBe(ceiling - 1);
      expect(backoffDelay(attempt, POLICY, () => 0.5)).toBe(Math.floor(ceiling / 2));
    }
    expect(backoffDelay(20, POLICY, () => 0.999999)).toBeLessThan(POLICY.maxDelayMs);
  });
});

describe("withProviderRetry", () => {
  it("retries retryable errors and returns the first success", async () => {
    const { run, waits, reported, calls } = harness([
      new TransientError("503"),
      new RateLimitError("slow down"),
    ]);
    await expect(run).resolves.toBe("ok after 3");
    expect(calls()).toBe(3);
    expect(waits).toEqual([50, 100]);
    expect(reported.map((failure) => [failure.attempt, failure.error.code, failure.delayMs])).toEqual([
      [1, "TRANSIENT", 50],
      [2, "RATE_LIMIT", 100],
    ]);
  });

  it("waits what the provider asked for, even beyond the backoff cap", async () => {
    const { run, waits } = harness([new RateLimitError("429", { retryAfterMs: 7_500 })]);
    await expect(run).resolves.toBe("ok after 2");
    expect(waits).toEqual([7_500]);
  });

  it("stops at once on a non-retryable error", async () => {
    const denied = new AuthorizationError("access denied");
    const { run, waits, reported, calls } = harness([denied, new TransientError("never reached")]);
    await expect(run).rejects.toBe(denied);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
    expect(reported).toEqual([{ attempt: 1, error: denied }]);
  });

  it("gives up after maxAttempts with the last error", async () => {
    const failures = Array.from({ length: 10 }, (_, index) => new TransientError(`failure ${index + 1}`));
    const { run, waits, calls } = harness(failures);
    await expect(run).rejects.toThrow("failure 5");
    expect(calls()).toBe(POLICY.maxAttempts);
    expect(waits).toHaveLength(POLICY.maxAttempts - 1);
  });

  it("gives up when the next wait would pass the time budget", async () => {
    const policy = { ...POLICY, maxTotalMs: 5_000 };
    const { run, waits, calls } = harness([new RateLimitError("429", { retryAfterMs: 6_000 })], policy);
    await expect(run).rejects.toBeInstanceOf(RateLimitError);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it("treats errors that are not ProviderErrors as transient", async () => {
    const { run, reported } = harness([new Error("socket hang up")]);
    await expect(run).resolves.toBe("ok after 2");
    expect(reported[0]?.error).toBeInstanceOf(TransientError);
    expect(reported[0]?.error.message).toBe("socket hang up");
  });

  it("does not retry once the caller has aborted", async () => {
    const controller = new AbortController();
    let calls = 0;
    const run = withProviderRetry(
      async () => {
        calls++;
        controller.abort();
        throw new TransientError("503");
      },
      { policy: POLICY, signal: controller.signal, sleep: async () => undefined },
    );
    await expect(run).rejects.toBeInstanceOf(TransientError);
    expect(calls).toBe(1);
  });

  it("sleeps for real with the default sleep, and the abort signal cuts the wait short", async () => {
    const controller = new AbortController();
    const policy = { ...POLICY, baseDelayMs: 60_000, maxDelayMs: 60_000, maxTotalMs: 120_000 };
    const run = withProviderRetry(
      async () => {
        throw new TransientError("503");
      },
      { policy, signal: controller.signal, random: () => 0.9 },
    );
    setTimeout(() => controller.abort(new Error("cancelled")), 20);
    await expect(run).rejects.toThrow("cancelled");
  });
});

describe("withRetry", () => {
  it("asks the caller's classifier what a failure means, and rethrows what it answers", async () => {
    const waits: number[] = [];
    const reported: RetryAttemptFailure<string>[] = [];
    const run = withRetry(
      async (attempt) => {
        throw new Error(attempt === 1 ? "busy" : "gone");
      },
      {
        policy: POLICY,
        random: () => 0.5,
        sleep: async (ms) => {
          waits.push(ms);
        },
        classify: (caught) => {
          const message = (caught as Error).message;
          return message === "busy"
            ? { error: message, retryable: true, retryAfterMs: 250 }
            : { error: message, retryable: false };
        },
        onFailure: (failure) => reported.push(failure),
      },
    );
    await expect(run).rejects.toBe("gone");
    expect(waits).toEqual([250]);
    expect(reported).toEqual([
      { attempt: 1, error: "busy", delayMs: 250 },
      { attempt: 2, error: "gone" },
    ]);
  });

  it("retries every failure with retryEveryFailure, rethrowing the last one unchanged", async () => {
    const last = new Error("still unreachable");
    let calls = 0;
    const run = withRetry(
      async () => {
        calls++;
        throw calls < POLICY.maxAttempts ? new Error("unreachable") : last;
      },
      { policy: POLICY, classify: retryEveryFailure, sleep: async () => undefined },
    );
    await expect(run).rejects.toBe(last);
    expect(calls).toBe(POLICY.maxAttempts);
  });
});
