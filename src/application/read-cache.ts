/**
 * The process's read cache: cost answers, the stored items they come from (rollups, record headers)
 * and client profiles, kept across requests under the client they belong to.
 *
 * Every entry is stamped with its client's data version, a counter this process moves forward when
 * the data table's stream says the client changed (data-versions.ts). A change drops the client's
 * entries at once, and a read that started before the change cannot store its (possibly old) result
 * afterwards: its stamp no longer matches. So nothing is served stale once a change's event is out.
 *
 * Bounded by memory (an estimate of each value's size), least recently used first out. It holds only
 * what the API may return to a reader of that client: no credentials, no other tenant's data.
 */

export interface ReadCacheMetrics {
  hit(kind: string): void;
  miss(kind: string): void;
  /** One client's entries dropped because its data changed. */
  invalidated(): void;
  size(bytes: number, entries: number): void;
}

export interface ReadCacheOptions {
  /** The memory the values may take, estimated; 0 turns the cache off. */
  maxBytes: number;
  /**
   * After a client changed, how long its reads are not kept: DynamoDB's eventually consistent reads
   * may still return the previous item for a moment after the stream showed the change.
   */
  settleMs?: number;
  /** Milliseconds, monotonic (default performance.now). */
  now?: () => number;
  metrics?: ReadCacheMetrics;
}

interface Entry {
  clientId: string;
  value: unknown;
  /** 0 while a computation is in flight: its size is counted once it settles. */
  bytes: number;
}

/** Per entry beyond its value: the key, the map slots and the entry object. */
const ENTRY_OVERHEAD_BYTES = 200;

/** An estimate of a value's heap size: two bytes per character of its JSON. */
export function estimatedBytes(value: unknown): number {
  return 2 * (JSON.stringify(value)?.length ?? 0);
}

/**
 * The key of a question: its kind, then its arguments as JSON with sorted keys and without
 * undefined (the same arguments give the same text).
 */
export function cacheKey(kind: string, question: unknown): string {
  const text = JSON.stringify(question, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
  return `${kind}|${text}`;
}

const kindOf = (key: string) => key.slice(0, key.indexOf("|") >>> 0);

export class ReadCache {
  /** In least recently used order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  private readonly keysByClient = new Map<string, Set<string>>();
  /** A client's version: the generation of its last change (or of the last gap in following). */
  private readonly versions = new Map<string, number>();
  private generation = 0;
  /** Every client's version is at least this: moved on whenever following stops or starts. */
  private floor = 0;
  /** When each client last changed (and, for every client, when following last resumed). */
  private readonly changedAt = new Map<string, number>();
  private floorAt = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  private bytes = 0;
  /** False until changes are followed, and while they may go unseen (the broker away): nothing is kept. */
  private following = false;

  constructor(private readonly options: ReadCacheOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.options.maxBytes > 0 && this.following;
  }

  /**
   * The stamp of a read begun now: the client's data version, or undefined while its last change may
   * not yet show in every read (what such a read finds is not kept).
   */
  version(clientId: string): number | undefined {
    const changed = Math.max(this.changedAt.get(clientId) ?? Number.NEGATIVE_INFINITY, this.floorAt);
    if (this.now() - changed < (this.options.settleMs ?? 0)) return undefined;
    return this.currentVersion(clientId);
  }

  private currentVersion(clientId: string): number {
    return Math.max(this.versions.get(clientId) ?? 0, this.floor);
  }

  /** The kept value of `key` (which starts with its kind, `kind|...`), or undefined. */
  get<T>(clientId: string, key: string): T | undefined {
    if (!this.enabled) return undefined;
    const id = entryId(clientId, key);
    const entry = this.entries.get(id);
    if (!entry) {
      this.options.metrics?.miss(kindOf(key));
      return undefined;
    }
    this.entries.delete(id);
    this.entries.set(id, entry);
    this.options.metrics?.hit(kindOf(key));
    return entry.value as T;
  }

  /** Keeps `value`, read when the client was at `version`; ignored when the client changed since. */
  set(
    clientId: string,
    key: string,
    value: unknown,
    version: number | undefined,
    bytes = estimatedBytes(value),
  ): void {
    if (!this.enabled || version === undefined || version !== this.currentVersion(clientId)) return;
    const id = entryId(clientId, key);
    this.remove(id);
    this.entries.set(id, { clientId, value, bytes: bytes + ENTRY_OVERHEAD_BYTES });
    this.bytes += bytes + ENTRY_OVERHEAD_BYTES;
    let keys = this.keysByClient.get(clientId);
    if (!keys) this.keysByClient.set(clientId, (keys = new Set()));
    keys.add(id);
    this.evict();
  }

  /**
   * The kept answer to `key`, or `compute()`'s, kept for later. Callers asking while it is being
   * computed share the one computation; a failure is not kept.
   */
  remember<T>(clientId: string, key: string, compute: () => Promise<T>): Promise<T> {
    const kept = this.get<Promise<T>>(clientId, key);
    if (kept) return kept;
    const version = this.version(clientId);
    // async: a synchronous throw (bad arguments) becomes a rejection like any other.
    const answer = (async () => compute())();
    if (!this.enabled) return answer;
    this.set(clientId, key, answer, version, 0);
    const id = entryId(clientId, key);
    answer.then(
      (value) => {
        const entry = this.entries.get(id);
        if (entry?.value !== answer) return;
        const bytes = estimatedBytes(value);
        entry.bytes += bytes;
        this.bytes += bytes;
        this.evict();
      },
      () => {
        if (this.entries.get(id)?.value === answer) this.remove(id);
      },
    );
    return answer;
  }

  /** The clients' data changed: their versions move on and their entries go. */
  invalidate(clientIds: Iterable<string>): void {
    for (const clientId of clientIds) {
      this.versions.set(clientId, ++this.generation);
      this.changedAt.set(clientId, this.now());
      for (const id of this.keysByClient.get(clientId) ?? []) this.remove(id);
      this.options.metrics?.invalidated();
    }
    this.reportSize();
  }

  /**
   * While changes cannot be followed nothing is kept or served; every version moves on when following
   * stops and again when it resumes, so no read begun in between can store what it found.
   */
  setFollowing(following: boolean): void {
    this.floor = ++this.generation;
    this.floorAt = this.now();
    for (const id of [...this.entries.keys()]) this.remove(id);
    this.following = following;
    this.reportSize();
  }

  stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private remove(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.bytes -= entry.bytes;
    const keys = this.keysByClient.get(entry.clientId);
    keys?.delete(id);
    if (keys?.size === 0) this.keysByClient.delete(entry.clientId);
  }

  private evict(): void {
    for (const id of this.entries.keys()) {
      if (this.bytes <= this.options.maxBytes) break;
      this.remove(id);
    }
    this.reportSize();
  }

  private reportSize(): void {
    this.options.metrics?.size(this.bytes, this.entries.size);
  }
}

const entryId = (clientId: string, key: string) => `${clientId}\u0000${key}`;
