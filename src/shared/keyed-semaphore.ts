/**
 * Limits how many operations run at once per key, across every caller that shares the instance
 * (provider pulls key it by cloud, so two collection jobs do not hit one provider's rate limit
 * together). Waiters are served in arrival order; a waiter can give up through an AbortSignal.
 */
class Semaphore {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw signal.reason;
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
    } else {
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const index = this.waiters.indexOf(grant);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(signal?.reason);
        };
        const grant = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        this.waiters.push(grant);
        signal?.addEventListener("abort", onAbort, { once: true });
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.drain();
    };
  }

  /** Hands free slots to waiters; `active` is counted here so a woken waiter needs no re-check. */
  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.active++;
      this.waiters.shift()?.();
    }
  }
}

export class KeyedSemaphore<K> {
  private readonly semaphores = new Map<K, Semaphore>();

  /** Waits for a slot under `key` (at most `limit` holders); resolves to the release function. */
  acquire(key: K, limit: number, signal?: AbortSignal): Promise<() => void> {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError(`limit: must be a positive integer, got ${limit}`);
    let semaphore = this.semaphores.get(key);
    if (semaphore) semaphore.setLimit(limit);
    else this.semaphores.set(key, (semaphore = new Semaphore(limit)));
    return semaphore.acquire(signal);
  }
}
