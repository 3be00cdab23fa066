import { LRUCache } from 'lru-cache';
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import type { NamespaceLimits, NamespaceNode, NamespaceTree } from '../namespace-tree.js';
import { assertTags, registerTagTarget, TagIndex } from '../tags.js';
import { InvalidationLog } from '../invalidation-log.js';
import type {
  CacheStore,
  Clock,
  NamespaceOptions,
  StoreEntry,
  StoreInspection,
  StoreSetOptions,
  StoreStats,
  SyncStoreOps,
} from '../contract.js';
import { entryOf, keepsBare, MemoryEntry, type Slot } from './memory-entry.js';

/** What every namespace of one memory store shares. */
export interface MemoryShared {
  /** The store's `max`: the entry bound of a namespace whose node has none (never, as the root has it). */
  readonly max: number;
  readonly perf: Clock | undefined;
  /** The clock given to the store, as given (see {@link CacheStore.clock}). */
  readonly clock: Clock | undefined;
  /** Created on the first tagged write or tag invalidation; shared by every namespace. */
  tags: TagIndex | undefined;
  /** The store's namespaces. */
  readonly tree: NamespaceTree<MemoryNamespace>;
}

/**
 * The per-write option lru-cache expects. lru-cache (11.x) writes a `status`
 * property into its get and set options (a diagnostics record, or `undefined`
 * without subscribers), so a reused one is reset before every call.
 */
interface LruSetOption {
  readonly ttl: number;
  status: undefined;
}

/**
 * Write TTLs must be positive and finite: lru-cache reads 0 and NaN as "never
 * expires", which would let an entry outlive every TTL. (`failSafe` may be 0.)
 */
function checkWriteTtl(options: StoreSetOptions | undefined): void {
  const ttl = options?.ttl;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
    throw new TypeError(messages.BAD_DURATION('MemoryStore.set', 'ttl', ttl));
  }
  const failSafe = options?.failSafe;
  if (failSafe !== undefined && !(Number.isFinite(failSafe) && failSafe >= 0)) {
    throw new TypeError(messages.BAD_DURATION('MemoryStore.set', 'failSafe', failSafe));
  }
}

/**
 * An entry's lifetime as lru-cache keeps it: its whole TTL, its start (the
 * write time, on the store's clock), and what follows from them; all
 * `undefined` for an entry that never expires (or is absent). Reads through
 * `has`, which neither moves the entry in the LRU order nor deletes it.
 */
function lifetimeOf(
  lru: LRUCache<StoreKey, NonNullable<unknown>>,
  key: StoreKey,
): { ttl?: number; start?: number; remaining?: number; age?: number } {
  const status: LRUCache.Status<StoreKey, NonNullable<unknown>> = {};
  lru.has(key, { status });
  const { ttl, start, now } = status;
  if (ttl === undefined || start === undefined || now === undefined) return {};
  return { ttl, start, remaining: ttl - (now - start), age: Math.max(0, now - start) };
}

/**
 * One bounded LRU + TTL bucket of a {@link MemoryStore}; the store is its
 * root one. Its limits are its node's in the store's namespace tree.
 *
 * @example
 * ```ts
 * const users = new MemoryStore().namespace('users', { maxSize: 500 });
 * ```
 */
export class MemoryNamespace implements CacheStore {
  /** Always `'memory'`. */
  readonly kind = 'memory';
  readonly name: string;
  readonly sync: SyncStoreOps;
  readonly #shared: MemoryShared;
  readonly #node: NamespaceNode;
  #lru: LRUCache<StoreKey, NonNullable<unknown>>;
  /** Replaces the LRU by one with new limits, keeping the entries (the least recent evicted beyond `maxSize`). */
  readonly #resize: (maxSize: number, ttl: number | undefined) => void;
  readonly #clock: Clock;
  /** The entry if it is fresh and none of its tags was invalidated (deleting it otherwise). */
  readonly #fresh: (key: StoreKey, entry: MemoryEntry | undefined) => MemoryEntry | undefined;
  #evictions = 0;
  #lastTtlOption: LruSetOption | undefined = undefined;
  /** Keys restored from a snapshot that did not record their age (version 1): age unknown until rewritten. */
  #ageUnknown: Set<StoreKey> | undefined = undefined;
  readonly #log = new InvalidationLog();
  readonly #evictListeners = new Set<(key: StoreKey) => void>();

  /** The clock the store was given (`undefined`: the process's); see {@link CacheStore.clock}. */
  get clock(): Clock | undefined {
    return this.#shared.clock;
  }

  /** @internal Use {@link MemoryStore} and {@link MemoryNamespace.namespace}. */
  constructor(shared: MemoryShared, node: NamespaceNode) {
    this.#shared = shared;
    this.#node = node;
    this.name = node.name;
    const createLru = (max: number, defaultTtl: number | undefined) =>
      new LRUCache<StoreKey, NonNullable<unknown>>({
        max,
        // lru-cache wants a whole number of ms; durations such as '1.5ms' are valid.
        ...(defaultTtl === undefined ? {} : { ttl: Math.ceil(defaultTtl) }),
        ...(shared.perf === undefined ? {} : { perf: shared.perf, ttlResolution: 0 }),
        dispose: (_value, key, reason) => {
          if (reason !== 'evict') return;
          this.#evictions++;
          for (const listener of this.#evictListeners) listener(key);
        },
      });
    // `let`: a limit stated after the namespace was created replaces the LRU (rare; see resize()).
    let lru = createLru(node.maxSize ?? shared.max, node.ttl);
    this.#lru = lru;
    this.#resize = (max, defaultTtl) => {
      const old = lru;
      lru = createLru(max, defaultTtl);
      this.#lru = lru;
      // Least recent first, each with its own lifetime and write time (ttl 0: never expires, not the new default).
      for (const key of old.rkeys()) {
        const slot = old.peek(key);
        if (slot === undefined) continue;
        const { ttl, start } = lifetimeOf(old, key);
        lru.set(key, slot, ttl === undefined ? { ttl: 0 } : { ttl, start });
      }
    };
    // The entry for `key` (a get: it becomes the most recently used). A bare value is replaced by its entry
    // in place (same position, same expiry), once: later reads return that entry.
    // lru-cache allocates an options object for a get without one, then writes `status` into it: one reused here.
    const getOption: { status: undefined } = { status: undefined };
    const read = (key: StoreKey): MemoryEntry | undefined => {
      getOption.status = undefined;
      const slot = lru.get(key, getOption) as Slot | undefined;
      if (slot === undefined || slot instanceof MemoryEntry) return slot;
      const entry = new MemoryEntry(slot, 0);
      lru.set(key, entry, { noUpdateTTL: true, noDisposeOnSet: true });
      return entry;
    };
    const clock = shared.perf ?? performance;
    this.#clock = clock;
    // An entry whose tags were invalidated after its load started is gone for every reader.
    const untagged = (key: StoreKey, entry: MemoryEntry | undefined): MemoryEntry | undefined => {
      if (entry === undefined || entry.tags === undefined) return entry;
      if (shared.tags?.isValid(entry.tags, entry.stamp) !== false) return entry;
      lru.delete(key);
      return undefined;
    };
    const fresh = (entry: MemoryEntry | undefined): MemoryEntry | undefined =>
      entry === undefined || entry.freshUntil === 0 || entry.freshUntil > clock.now() ? entry : undefined;
    this.#fresh = (key, entry) => untagged(key, fresh(entry));
    // A stale entry is reported with how long ago it expired (a negative expiresIn); a fresh one as it is.
    const staleRead = (entry: MemoryEntry | undefined): StoreEntry | undefined => {
      if (entry === undefined || entry.freshUntil === 0) return entry;
      const left = entry.freshUntil - clock.now();
      return left > 0 ? entry : { value: entry.value, expiresIn: left };
    };
    this.sync = {
      get: (key) => {
        const entry = fresh(read(key));
        return entry === undefined || entry.tags === undefined ? entry : untagged(key, entry);
      },
      getFailSafe: (key) => staleRead(untagged(key, read(key))),
      expiresIn: (key) => {
        const slot = lru.peek(key) as Slot | undefined;
        if (slot === undefined) return undefined;
        const left =
          slot instanceof MemoryEntry && slot.freshUntil !== 0
            ? slot.freshUntil - clock.now()
            : lru.getRemainingTTL(key);
        return left > 0 && Number.isFinite(left) ? left : undefined;
      },
      set: (key, value, options) => {
        checkWriteTtl(options);
        const tags = options?.tags;
        if (tags !== undefined) assertTags('MemoryStore.set', tags);
        const ttl = options?.ttl;
        const failSafe = ttl === undefined ? undefined : options?.failSafe;
        this.#put(key, value, ttl, failSafe, tags, tags === undefined ? 0 : (options?.tagStamp ?? this.tagStamp()));
      },
      delete: (key) => {
        this.#log.deleted(key);
        this.#ageUnknown?.delete(key);
        return lru.delete(key);
      },
      clear: () => {
        this.#log.cleared();
        this.#ageUnknown = undefined;
        lru.clear();
      },
    };
  }

  /**
   * Stores an entry; `ttl` 0 with a `failSafe` writes an entry that is already
   * stale (snapshot restore), `age` one written that long ago (restore too).
   */
  #put(
    key: StoreKey,
    value: unknown,
    ttl: number | undefined,
    failSafe: number | undefined,
    tags: readonly string[] | undefined,
    stamp: number,
    age?: number,
  ): void {
    const freshUntil = failSafe === undefined || ttl === undefined ? 0 : this.#clock.now() + ttl;
    const slot = keepsBare(value, freshUntil, tags)
      ? (value as NonNullable<unknown>)
      : new MemoryEntry(value, freshUntil, tags, stamp);
    this.#ageUnknown?.delete(key);
    if (age === undefined || ttl === undefined) {
      this.#lru.set(key, slot, this.#ttlOption(ttl, failSafe));
      return;
    }
    // lru-cache counts an entry's TTL from its start: the write time.
    this.#lru.set(key, slot, { ttl: Math.ceil(ttl + (failSafe ?? 0) + age), start: this.#clock.now() - age });
  }

  /**
   * `ttl` (+ `failSafe`) in ms → lru-cache's per-write option (whole ms). The
   * last one is reused: a method writes every entry with the same TTL.
   */
  #ttlOption(ttl: number | undefined, failSafe: number | undefined): LruSetOption | undefined {
    if (ttl === undefined) return undefined;
    const whole = Math.ceil(ttl + (failSafe ?? 0));
    let option = this.#lastTtlOption;
    if (option === undefined || option.ttl !== whole) option = this.#lastTtlOption = { ttl: whole, status: undefined };
    else option.status = undefined;
    return option;
  }

  get(key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(this.sync.get(key));
  }

  getFailSafe(key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(this.sync.getFailSafe(key));
  }

  set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void> {
    try {
      this.sync.set(key, value, options);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  delete(key: StoreKey): Promise<boolean> {
    return Promise.resolve(this.sync.delete(key));
  }

  clear(): Promise<void> {
    this.sync.clear();
    return Promise.resolve();
  }

  has(key: StoreKey): Promise<boolean> {
    return Promise.resolve(this.#hasFresh(key));
  }

  #hasFresh(key: StoreKey): boolean {
    return this.#fresh(key, entryOf(this.#lru.peek(key))) !== undefined;
  }

  getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    return Promise.resolve(keys.map((key) => this.sync.get(key)));
  }

  async setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    checkWriteTtl(options);
    for (const [key, value] of entries) this.sync.set(key, value, options);
  }

  async setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    checkWriteTtl(options);
    if (this.#hasFresh(key)) return false;
    this.sync.set(key, value, options);
    return true;
  }

  async expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    if (ttl !== undefined && !Number.isFinite(ttl))
      throw new TypeError(messages.BAD_DURATION('MemoryStore.expireIn', 'ttl', ttl));
    const entry = this.#fresh(key, entryOf(this.#lru.peek(key)));
    if (entry === undefined) return false;
    // Like Redis PEXPIRE: a TTL of 0 or less expires the entry now.
    if (ttl !== undefined && ttl <= 0) return this.#lru.delete(key);
    // A plain TTL from now on (any fail-safe window is dropped); ttl 0 tells lru-cache "never expires".
    // Counted from the entry's write time (its start), so that its age stays true.
    const renewed = new MemoryEntry(entry.value, 0, entry.tags, entry.stamp);
    const { start, age } = lifetimeOf(this.#lru, key);
    const lifetime = ttl === undefined ? { ttl: 0 } : { ttl: Math.ceil(ttl + (age ?? 0)), start };
    this.#lru.set(key, renewed, { ...lifetime, noDisposeOnSet: true });
    return true;
  }

  /** A child namespace; the same name gives the same namespace (see {@link NamespaceOptions} for its limits). */
  namespace(name: string, options?: NamespaceOptions): MemoryNamespace {
    return this.#shared.tree.child(this.#node, name, options);
  }

  /**
   * Applies limits a later request stated (the tree checked them): a new
   * maxSize evicts the least recent entries beyond it, a new ttl applies to
   * later writes without one. @internal
   */
  resize(limits: NamespaceLimits): void {
    if (limits.maxSize === this.#node.maxSize && limits.ttl === this.#node.ttl) return;
    this.#resize(limits.maxSize ?? this.#shared.max, limits.ttl);
  }

  /**
   * Stores a restored entry: fresh for `ttl` ms (`undefined`: no expiry),
   * then kept `failSafe` ms more for fail-safe reads. @internal
   */
  putRestored(
    key: StoreKey,
    value: unknown,
    ttl: number | undefined,
    failSafe: number | undefined,
    tags: readonly string[] | undefined,
    age: number | undefined,
  ): void {
    this.#put(key, value, ttl, failSafe, tags, 0, age);
    if (age === undefined && ttl !== undefined) (this.#ageUnknown ??= new Set()).add(key);
  }

  /**
   * The entry for `key`, stale ones included, without touching its recency:
   * its freshness left, tags and age (expiring entries: lru-cache keeps each
   * one's start); and the last invalidation made through this namespace.
   */
  inspect(key: StoreKey): Promise<StoreInspection> {
    const entry = entryOf(this.#lru.peek(key) as Slot | undefined);
    const lastInvalidation = this.#log.lastFor(key);
    if (
      entry === undefined ||
      (entry.tags !== undefined && this.#shared.tags?.isValid(entry.tags, entry.stamp) === false)
    ) {
      return Promise.resolve({ entry: undefined, lastInvalidation });
    }
    const { remaining, age } = lifetimeOf(this.#lru, key);
    const ttlLeftMs = entry.freshUntil !== 0 ? entry.freshUntil - this.#clock.now() : remaining;
    const ageMs = age === undefined || this.#ageUnknown?.has(key) === true ? undefined : age;
    return Promise.resolve({ entry: { tier: 'memory', ttlLeftMs, ageMs, tags: entry.tags }, lastInvalidation });
  }

  /**
   * The live entries of this namespace with their remaining TTL in ms
   * (`Infinity`: none) and age (`undefined`: eternal, or unknown). @internal
   */
  *liveEntries(): Generator<[key: StoreKey, entry: MemoryEntry, remaining: number, age: number | undefined]> {
    for (const key of [...this.#lru.keys()]) {
      const entry = this.#fresh(key, entryOf(this.#lru.peek(key)));
      if (entry === undefined) continue;
      const { age } = lifetimeOf(this.#lru, key);
      yield [key, entry, this.#lru.getRemainingTTL(key), this.#ageUnknown?.has(key) === true ? undefined : age];
    }
  }

  stats(): StoreStats {
    return { size: this.#lru.size, evictions: this.#evictions, maxSize: this.#node.maxSize ?? this.#shared.max };
  }

  onEvict(listener: (key: StoreKey) => void): () => void {
    const own = (key: StoreKey) => listener(key);
    this.#evictListeners.add(own);
    return () => this.#evictListeners.delete(own);
  }

  #tagIndex(): TagIndex {
    let index = this.#shared.tags;
    if (index === undefined) {
      index = this.#shared.tags = new TagIndex();
      registerTagTarget(index);
    }
    return index;
  }

  invalidateTags(tags: readonly string[]): Promise<void> {
    return this.#tagIndex().invalidateTags(tags);
  }

  tagStamp(): number {
    return this.#tagIndex().stamp();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
