import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LRUCache } from 'lru-cache';
import { defaultSerializer, type Serializer } from '../../codec/serialization.js';
import { parseDuration, type Duration } from '../../util/duration.js';
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import { assertKnownOptions, positiveInt } from '../../util/options.js';
import { assertTags, registerTagTarget, TagIndex } from '../tags.js';
import type {
  CacheStore,
  Clock,
  NamespaceOptions,
  StoreEntry,
  StoreSetOptions,
  StoreStats,
  SyncStoreOps,
} from '../contract.js';

/**
 * Options of a {@link MemoryStore}.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ max: 10_000, ttl: '5m' });
 * ```
 */
export interface MemoryStoreOptions {
  /**
   * Most entries per namespace when the namespace sets no `maxSize`. The
   * least recently used entry is evicted beyond it.
   *
   * @default 1000
   */
  max?: number;
  /**
   * Default time to live of entries written without one. Omitted: entries do
   * not expire unless a write gives a TTL.
   *
   * @default undefined (no expiry)
   */
  ttl?: Duration;
  /**
   * Where the store reads time. Inject a fake clock in tests instead of sleeping.
   *
   * @default performance
   */
  clock?: Clock;
  /**
   * Survive restarts without Redis: {@link MemoryStore.open} restores the
   * snapshot at `path` (expired entries dropped; a missing or corrupt file is
   * reported and ignored), and {@link MemoryStore.close} writes a new one.
   *
   * @default undefined (nothing is persisted)
   * @example
   * ```ts
   * const store = await MemoryStore.open({ persist: { path: '.cache/memokit.json' } });
   * ```
   */
  persist?: { readonly path: string };
}

const MEMORY_OPTIONS = ['max', 'ttl', 'clock', 'persist'] as const;

/** What {@link MemoryStore.restore} did. */
export interface RestoreResult {
  /** Entries loaded (they appear when their namespace is first used). */
  readonly restored: number;
  /** Entries left out: expired since the snapshot, or undecodable. */
  readonly dropped: number;
  /** Why nothing was restored (corrupt or unreadable file); the store starts empty. */
  readonly error?: Error;
}

/** One snapshotted entry: key, serialized value, remaining TTL and fresh time (ms, null: none), tags. */
type SnapshotEntry = [key: StoreKey, value: string, ttl: number | null, fresh: number | null, tags: string[] | null];

interface Snapshot {
  readonly format: 'memokit-memory-snapshot';
  readonly version: 1;
  readonly savedAt: number;
  readonly serializer: string;
  /** Namespace id (JSON path) → entries. Number keys are kept as JSON numbers; NaN/Infinity are not snapshotted. */
  readonly namespaces: Record<string, SnapshotEntry[]>;
}

const SNAPSHOT_FORMAT = 'memokit-memory-snapshot';

class MemoryEntry implements StoreEntry {
  promise: Promise<unknown> | undefined = undefined;
  constructor(
    readonly value: unknown,
    /** Clock reading after which the entry is stale (served to getStale only); 0: never stale. */
    readonly freshUntil: number,
    /** Tags of the entry, checked against the store's tag index on every read. */
    readonly tags: readonly string[] | undefined = undefined,
    /** Tag clock when the entry's load started. */
    readonly stamp = 0,
  ) {}
}

/**
 * What the LRU holds for a key: most entries (no tags, no fail-safe window)
 * are kept as the bare value, which saves a wrapper object per entry; the
 * others, `undefined` values and values that are themselves a MemoryEntry
 * as a MemoryEntry. A bare value becomes a MemoryEntry on its first read (see
 * `read`), so repeated hits find the settled promise the engine keeps on it.
 */
type Slot = MemoryEntry | NonNullable<unknown> | null;

/** Whether `value` may be kept bare (see {@link Slot}). */
const keepsBare = (value: unknown, freshUntil: number, tags: readonly string[] | undefined): boolean =>
  freshUntil === 0 && tags === undefined && value !== undefined && !(value instanceof MemoryEntry);

/** The entry a slot stands for, without storing it (peeks, which must not touch the LRU order). */
const entryOf = (slot: Slot | undefined): MemoryEntry | undefined =>
  slot === undefined || slot instanceof MemoryEntry ? slot : new MemoryEntry(slot, 0);

interface Shared {
  readonly max: number;
  readonly ttl: number | undefined;
  readonly perf: Clock | undefined;
  /** Created on the first tagged write or tag invalidation; shared by every namespace. */
  tags: TagIndex | undefined;
  /** Restored entries waiting for their namespace to be created, by namespace id. */
  readonly pending: Map<string, SnapshotEntry[]>;
  /** Namespaces by their path (a JSON array of names, so `a/b` and `a` → `b` differ). */
  readonly namespaces: Map<string, MemoryNamespace>;
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
 * expires", which would let an entry outlive every TTL. (`staleTtl` may be 0.)
 */
function checkWriteTtl(options: StoreSetOptions | undefined): void {
  const ttl = options?.ttl;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
    throw new TypeError(messages.BAD_DURATION('MemoryStore.set', 'ttl', ttl));
  }
  const staleTtl = options?.staleTtl;
  if (staleTtl !== undefined && !(Number.isFinite(staleTtl) && staleTtl >= 0)) {
    throw new TypeError(messages.BAD_DURATION('MemoryStore.set', 'staleTtl', staleTtl));
  }
}

/** One bounded LRU + TTL bucket; the root store is one too. */
class MemoryNamespace implements CacheStore {
  readonly kind = 'memory';
  readonly name: string;
  readonly sync: SyncStoreOps;
  readonly #shared: Shared;
  readonly #path: readonly string[];
  #maxSize: number;
  #ttl: number | undefined;
  /** Who stated the namespace's maxSize / ttl (undefined: not stated, a default that a stated one replaces). */
  #maxSizeBy: string | undefined = undefined;
  #ttlBy: string | undefined = undefined;
  #lru: LRUCache<StoreKey, NonNullable<unknown>>;
  /** Replaces the LRU by one with new limits, keeping the entries (the least recent evicted beyond `maxSize`). */
  readonly #resize: (maxSize: number, ttl: number | undefined) => void;
  readonly #clock: Clock;
  /** The entry if it is fresh and none of its tags was invalidated (deleting it otherwise). */
  readonly #fresh: (key: StoreKey, entry: MemoryEntry | undefined) => MemoryEntry | undefined;
  readonly #read: (key: StoreKey) => MemoryEntry | undefined;
  #evictions = 0;
  #lastTtlOption: LruSetOption | undefined = undefined;
  readonly #evictListeners = new Set<(key: StoreKey) => void>();

  constructor(shared: Shared, path: readonly string[], maxSize: number, ttl: number | undefined) {
    this.#shared = shared;
    this.#path = path;
    this.name = path.join('/');
    this.#maxSize = maxSize;
    this.#ttl = ttl;
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
    // `let`: a limit stated after the namespace was created replaces the LRU (rare; see namespace()).
    let lru = createLru(maxSize, ttl);
    this.#lru = lru;
    this.#resize = (max, defaultTtl) => {
      const old = lru;
      lru = createLru(max, defaultTtl);
      this.#lru = lru;
      // Least recent first, each with its own remaining lifetime (0: never expires, not the new default).
      for (const key of old.rkeys()) {
        const slot = old.peek(key);
        if (slot === undefined) continue;
        const remaining = old.getRemainingTTL(key);
        lru.set(key, slot, { ttl: Number.isFinite(remaining) ? Math.max(1, Math.ceil(remaining)) : 0 });
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
    this.#read = read;
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
    this.sync = {
      get: (key) => {
        const entry = fresh(read(key));
        return entry === undefined || entry.tags === undefined ? entry : untagged(key, entry);
      },
      getStale: (key) => untagged(key, read(key)),
      set: (key, value, options) => {
        checkWriteTtl(options);
        const tags = options?.tags;
        if (tags !== undefined) assertTags('MemoryStore.set', tags);
        const ttl = options?.ttl;
        const staleTtl = ttl === undefined ? undefined : options?.staleTtl;
        this.#put(key, value, ttl, staleTtl, tags, tags === undefined ? 0 : (options?.tagStamp ?? this.tagStamp()));
      },
      delete: (key) => lru.delete(key),
      clear: () => lru.clear(),
    };
  }

  /** Stores an entry; `ttl` 0 with a `staleTtl` writes an entry that is already stale (snapshot restore). */
  #put(
    key: StoreKey,
    value: unknown,
    ttl: number | undefined,
    staleTtl: number | undefined,
    tags: readonly string[] | undefined,
    stamp: number,
  ): void {
    const freshUntil = staleTtl === undefined || ttl === undefined ? 0 : this.#clock.now() + ttl;
    const slot = keepsBare(value, freshUntil, tags)
      ? (value as NonNullable<unknown>)
      : new MemoryEntry(value, freshUntil, tags, stamp);
    this.#lru.set(key, slot, this.#ttlOption(ttl, staleTtl));
  }

  /**
   * `ttl` (+ `staleTtl`) in ms → lru-cache's per-write option (whole ms). The
   * last one is reused: a method writes every entry with the same TTL.
   */
  #ttlOption(ttl: number | undefined, staleTtl: number | undefined): LruSetOption | undefined {
    if (ttl === undefined) return undefined;
    const whole = Math.ceil(ttl + (staleTtl ?? 0));
    let option = this.#lastTtlOption;
    if (option === undefined || option.ttl !== whole) option = this.#lastTtlOption = { ttl: whole, status: undefined };
    else option.status = undefined;
    return option;
  }

  get(key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(this.sync.get(key));
  }

  getStale(key: StoreKey): Promise<StoreEntry | undefined> {
    return Promise.resolve(this.#read(key));
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
    return Promise.resolve(this.#lru.delete(key));
  }

  clear(): Promise<void> {
    this.#lru.clear();
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
    const renewed = new MemoryEntry(entry.value, 0, entry.tags, entry.stamp);
    this.#lru.set(key, renewed, { ttl: ttl === undefined ? 0 : Math.ceil(ttl), noDisposeOnSet: true });
    return true;
  }

  namespace(name: string, options: NamespaceOptions = {}): CacheStore {
    const where = `MemoryStore.namespace(${JSON.stringify(name)})`;
    if (typeof name !== 'string' || name === '') throw new TypeError(messages.BAD_STRING_OPTION(where, 'name', name));
    const path = [...this.#path, name];
    const id = JSON.stringify(path);
    const checkSize = (value: number | undefined, option: string) => {
      if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
        throw new TypeError(messages.BAD_POSITIVE_INT(where, option, value));
      }
      return value;
    };
    const maxSize = checkSize(options.maxSize, 'maxSize');
    const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
    const user = options.user ?? where;
    const existing = this.#shared.namespaces.get(id);
    if (existing !== undefined) {
      existing.#state(user, maxSize, ttl);
      return existing;
    }
    const { defaults } = options;
    const created = new MemoryNamespace(
      this.#shared,
      path,
      maxSize ?? checkSize(defaults?.maxSize, 'defaults.maxSize') ?? this.#maxSize,
      ttl ?? (defaults?.ttl === undefined ? this.#ttl : parseDuration(defaults.ttl, where, 'defaults.ttl')),
    );
    if (maxSize !== undefined) created.#maxSizeBy = user;
    if (ttl !== undefined) created.#ttlBy = user;
    this.#shared.namespaces.set(id, created);
    created.adoptPendingEntries();
    return created;
  }

  /** Loads restored entries of this namespace, if a snapshot had any. @internal */
  adoptPendingEntries(): void {
    const id = JSON.stringify(this.#path);
    const entries = this.#shared.pending.get(id);
    if (entries === undefined) return;
    this.#shared.pending.delete(id);
    for (const [key, value, ttl, fresh, tags] of entries) {
      const t = tags ?? undefined;
      if (ttl === null) this.#put(key, value, undefined, undefined, t, 0);
      else if (fresh === null) this.#put(key, value, ttl, undefined, t, 0);
      else this.#put(key, value, fresh, ttl - fresh, t, 0);
    }
  }

  /** Live entries of this namespace, serialized, with remaining TTL and fresh time. @internal */
  dumpEntries(serializer: Serializer, now: number): { entries: SnapshotEntry[]; skipped: number } {
    const entries: SnapshotEntry[] = [];
    let skipped = 0;
    for (const key of [...this.#lru.keys()]) {
      const entry = this.#fresh(key, entryOf(this.#lru.peek(key)));
      if (entry === undefined || (typeof key === 'number' && !Number.isFinite(key))) continue;
      const remaining = this.#lru.getRemainingTTL(key);
      try {
        entries.push([
          key,
          serializer.serialize(entry.value),
          Number.isFinite(remaining) ? remaining : null,
          entry.freshUntil === 0 ? null : Math.max(0, entry.freshUntil - now),
          entry.tags === undefined ? null : [...entry.tags],
        ]);
      } catch {
        skipped++;
      }
    }
    return { entries, skipped };
  }

  /** @internal */
  get id(): string {
    return JSON.stringify(this.#path);
  }

  /**
   * `user` asks for this existing namespace, stating `maxSize` and/or `ttl`
   * (undefined: not stated). The first stated value of a limit applies (a
   * default the namespace was created with gives way, entries beyond a
   * smaller maxSize are evicted); a different stated value is a conflict.
   */
  #state(user: string, maxSize: number | undefined, ttl: number | undefined): void {
    const conflict = (option: string, by: string, current: unknown, requested: unknown) =>
      new TypeError(messages.NAMESPACE_LIMIT_CONFLICT(this.name, option, by, current, user, requested));
    if (maxSize !== undefined && this.#maxSizeBy !== undefined && maxSize !== this.#maxSize) {
      throw conflict('maxSize', this.#maxSizeBy, this.#maxSize, maxSize);
    }
    if (ttl !== undefined && this.#ttlBy !== undefined && ttl !== this.#ttl) {
      throw conflict('ttl', this.#ttlBy, this.#ttl, ttl);
    }
    if (maxSize !== undefined) this.#maxSizeBy ??= user;
    if (ttl !== undefined) this.#ttlBy ??= user;
    const nextMax = maxSize ?? this.#maxSize;
    const nextTtl = ttl ?? this.#ttl;
    if (nextMax === this.#maxSize && nextTtl === this.#ttl) return;
    this.#maxSize = nextMax;
    this.#ttl = nextTtl;
    this.#resize(nextMax, nextTtl);
  }

  stats(): StoreStats {
    return { size: this.#lru.size, evictions: this.#evictions, maxSize: this.#maxSize };
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

/**
 * An in-process LRU + TTL store with O(1) operations. Each namespace (a
 * decorated method's bucket or a scope) is bounded by its own `maxSize`.
 * Values are kept by reference: callers share the cached object.
 *
 * @example
 * ```ts
 * let now = 0;
 * const store = new MemoryStore({ max: 500, ttl: '30s', clock: { now: () => now } });
 * await store.set('a', 1);
 * now += 30_001;
 * await store.get('a'); // undefined: expired
 * ```
 */
export class MemoryStore extends MemoryNamespace {
  readonly #shared: Shared;
  readonly #persistPath: string | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    const shared = parseOptions(options);
    super(shared, [], shared.max, shared.ttl);
    this.#shared = shared;
    this.#persistPath = options.persist?.path;
    shared.namespaces.set(this.id, this);
  }

  /**
   * Creates a store and, with `persist`, restores its snapshot first.
   * Startup never fails because of the file: a corrupt one is reported with
   * a process warning and ignored.
   *
   * @example
   * ```ts
   * const store = await MemoryStore.open({ max: 10_000, persist: { path: '.cache/snapshot.json' } });
   * ```
   */
  static async open(options: MemoryStoreOptions = {}): Promise<MemoryStore> {
    const store = new MemoryStore(options);
    if (options.persist !== undefined) await store.restore(options.persist.path);
    return store;
  }

  /**
   * Writes every live entry (values through the lossless envelope) to
   * `path`, atomically (temporary file, then rename). Values the envelope
   * cannot encode are skipped and counted.
   *
   * @example
   * ```ts
   * const { saved } = await store.snapshot('.cache/snapshot.json');
   * ```
   */
  async snapshot(
    path: string,
    serializer: Serializer = defaultSerializer,
  ): Promise<{ saved: number; skipped: number }> {
    const now = (this.#shared.perf ?? performance).now();
    const namespaces: Record<string, SnapshotEntry[]> = {};
    let saved = 0;
    let skipped = 0;
    for (const [id, namespace] of this.#shared.namespaces) {
      const dump = namespace.dumpEntries(serializer, now);
      skipped += dump.skipped;
      if (dump.entries.length === 0) continue;
      namespaces[id] = dump.entries;
      saved += dump.entries.length;
    }
    // Entries restored but never claimed by a namespace are kept for the next run.
    for (const [id, entries] of this.#shared.pending) {
      namespaces[id] = [
        ...(namespaces[id] ?? []),
        ...entries.map(([k, v, t, f, g]): SnapshotEntry => [k, serializer.serialize(v), t, f, g]),
      ];
      saved += entries.length;
    }
    const snapshot: Snapshot = {
      format: SNAPSHOT_FORMAT,
      version: 1,
      savedAt: Date.now(),
      serializer: serializer.format,
      namespaces,
    };
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(snapshot));
    await rename(temporary, path);
    return { saved, skipped };
  }

  /**
   * Loads a snapshot written by {@link MemoryStore.snapshot}: entries that
   * expired since are dropped; the rest appear in their namespace when it is
   * first used. A missing file restores nothing; a corrupt one is reported
   * (process warning `MEMOKIT_SNAPSHOT_CORRUPT` and `error` in the result),
   * never thrown.
   *
   * @example
   * ```ts
   * const { restored, dropped } = await store.restore('.cache/snapshot.json');
   * ```
   */
  async restore(path: string, serializer: Serializer = defaultSerializer): Promise<RestoreResult> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { restored: 0, dropped: 0 };
      return this.#reportCorrupt(path, error);
    }
    let snapshot: Snapshot;
    try {
      snapshot = parseSnapshot(text, serializer.format);
    } catch (error) {
      return this.#reportCorrupt(path, error);
    }
    const elapsed = Math.max(0, Date.now() - snapshot.savedAt);
    let restored = 0;
    let dropped = 0;
    for (const [id, entries] of Object.entries(snapshot.namespaces)) {
      const kept: SnapshotEntry[] = [];
      for (const [key, text, ttl, fresh, tags] of entries) {
        if (ttl !== null && ttl - elapsed <= 0) {
          dropped++;
          continue;
        }
        try {
          const value = serializer.deserialize(text) as string;
          kept.push([
            key,
            value,
            ttl === null ? null : ttl - elapsed,
            fresh === null ? null : Math.max(fresh - elapsed, 0),
            tags,
          ]);
        } catch {
          dropped++;
        }
      }
      restored += kept.length;
      this.#shared.pending.set(id, [...(this.#shared.pending.get(id) ?? []), ...kept]);
      this.#shared.namespaces.get(id)?.adoptPendingEntries();
    }
    return { restored, dropped };
  }

  #reportCorrupt(path: string, error: unknown): RestoreResult {
    const reported = new Error(messages.SNAPSHOT_CORRUPT(path, error), { cause: error });
    process.emitWarning(reported.message, { code: 'MEMOKIT_SNAPSHOT_CORRUPT' });
    return { restored: 0, dropped: 0, error: reported };
  }

  /** With `persist`, writes the snapshot; otherwise nothing to release. */
  override async close(): Promise<void> {
    if (this.#persistPath !== undefined) await this.snapshot(this.#persistPath);
  }
}

function parseSnapshot(text: string, format: string): Snapshot {
  const parsed = JSON.parse(text) as Partial<Snapshot> | null;
  if (parsed === null || typeof parsed !== 'object' || parsed.format !== SNAPSHOT_FORMAT || parsed.version !== 1) {
    throw new Error('not a memokit memory snapshot (version 1)');
  }
  if (parsed.serializer !== format)
    throw new Error(`written with serializer "${String(parsed.serializer)}", not "${format}"`);
  if (typeof parsed.savedAt !== 'number' || typeof parsed.namespaces !== 'object' || parsed.namespaces === null) {
    throw new Error('missing savedAt or namespaces');
  }
  for (const entries of Object.values(parsed.namespaces)) {
    const ok =
      Array.isArray(entries) &&
      entries.every(
        (e) =>
          Array.isArray(e) &&
          e.length === 5 &&
          (typeof e[0] === 'string' || typeof e[0] === 'number') &&
          typeof e[1] === 'string' &&
          (e[2] === null || typeof e[2] === 'number') &&
          (e[3] === null || typeof e[3] === 'number') &&
          (e[4] === null || (Array.isArray(e[4]) && e[4].every((t) => typeof t === 'string'))),
      );
    if (!ok) throw new Error('malformed entry');
  }
  return parsed as Snapshot;
}

function parseOptions(options: MemoryStoreOptions): Shared {
  const where = 'new MemoryStore()';
  assertKnownOptions(where, options, MEMORY_OPTIONS);
  const max = positiveInt(where, 'max', options.max, 1000);
  const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
  const clock = options.clock;
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new TypeError(messages.BAD_FUNCTION_OPTION(where, 'clock.now', clock));
  }
  const persist = options.persist;
  if (
    persist !== undefined &&
    (typeof persist !== 'object' || typeof persist?.path !== 'string' || persist.path === '')
  ) {
    throw new TypeError(messages.BAD_STRING_OPTION(where, 'persist.path', persist?.path));
  }
  return { max, ttl, perf: clock && offsetClock(clock), tags: undefined, namespaces: new Map(), pending: new Map() };
}

/**
 * lru-cache treats a start time of 0 as "no TTL", so a fake clock starting at
 * 0 would make nothing expire. Shift readings so the first one is 1.
 */
function offsetClock(clock: Clock): Clock {
  const base = clock.now() - 1;
  return { now: () => clock.now() - base };
}
