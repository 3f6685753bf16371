/**
 * Faults a simulator can be told to inject into its next requests, so tests and the reliability
 * suite can reproduce throttling storms, server errors, slow answers and credential failures.
 */
export type FaultKind =
  /** The provider's own rate-limit answer (AWS LimitExceededException, GCP rateLimitExceeded, Azure 429 with its retry-after headers). */
  | "throttle"
  /** HTTP 500/503. */
  | "server-error"
  /** Answer normally but only after delayMs. */
  | "slow"
  /** Credentials rejected / token expired (401-class). */
  | "auth"
  /** Access denied (403-class). */
  | "forbidden"
  /** Accept the TCP connection and then destroy it without an answer. */
  | "drop";

export interface Fault {
  kind: FaultKind;
  /** How many consecutive requests it applies to (default 1). */
  times?: number;
  /** For "slow"; for "throttle" the retry-after the simulator advertises, in ms. */
  delayMs?: number;
  /** Only requests after this many further successful requests are affected (default 0: the next one). */
  afterRequests?: number;
}

/** A queue of pending faults, consumed request by request. */
export class FaultPlan {
  private pending: Required<Fault>[] = [];
  private passed = 0;

  inject(fault: Fault): void {
    this.pending.push({ times: 1, delayMs: 0, afterRequests: 0, ...fault });
  }

  clear(): void {
    this.pending = [];
    this.passed = 0;
  }

  /** Called once per incoming request: the fault to apply to it, if any. */
  next(): Required<Fault> | undefined {
    const head = this.pending[0];
    if (!head) return undefined;
    if (this.passed < head.afterRequests) {
      this.passed++;
      return undefined;
    }
    head.times--;
    if (head.times <= 0) {
      this.pending.shift();
      this.passed = 0;
    }
    return head;
  }
}
