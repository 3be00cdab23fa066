import { NotAPromiseError } from '../util/errors.js';
import { cacheEvents, type CacheErrorEvent, type CacheEvents } from '../util/events.js';
import type { StoreKey } from '../keys/keys.js';
import { messages } from '../util/messages.js';
import type { CacheStore, LeaseRead, StoreEntry, StoreSetOptions, SyncStoreOps } from '../stores/contract.js';

/**
 * Per-call control, applied with {@link withCacheOptions}.
 *
 * @example
 * ```ts
 * await withCacheOptions({ useCache: false }, () => svc.getUser(42)); // no read, no write
 * await withCacheOptions({ refresh: true }, () => svc.getUser(42));   // reload and store
 * ```
 */
export interface CallOptions {
  /**
   * `false`: this call neither reads nor writes the cache; the method runs.
   *
   * @default true
   */
  readonly useCache?: boolean;
  /**
   * `true`: ignore any cached value, run the method and store its result.
   *
   * @default false
   */
  readonly refresh?: boolean;
}

/**
 * Figures of one cached method (summed over its bindings).
 *
 * @example
 * ```ts
 * const { hits, misses, hitRate } = cacheStats(svc.getUser);
 * ```
 */
export interface MethodStats {
  /** Calls answered from the cache. */
  readonly hits: number;
  /** Calls that found no entry (they started a load). */
  readonly misses: number;
  /** Times the original method ran to fill the cache (misses and refreshes). */
  readonly loads: number;
  /** Loads that rejected (never cached). */
  readonly loadErrors: number;
  /** Calls that joined a load already in flight for the same key. */
  readonly inflightJoins: number;
  /** Calls that skipped the cache with `useCache: false`. */
  readonly bypassed: number;
  /** Store operations that failed (the call still got its value). */
  readonly storeErrors: number;
  /** Entries evicted to make room. */
  readonly evictions: number;
  /** Entries currently cached. */
  readonly size: number;
  /** `hits / (hits + misses)`, 0 before any call. */
  readonly hitRate: number;
  /** Calls answered with an expired value because the reload threw (fail-safe). */
  readonly staleServed: number;
  /** Reads repeated because another process held the key's lease (`lease` option). */
  readonly leaseWaits: number;
  /** Calls that stopped waiting for another process's load after `lease.wait` and loaded themselves. */
  readonly leaseTimeouts: number;
  /**
   * Total milliseconds spent in successful loads. Exact for a binding's first
   * 100 successful loads; after that one load in 16 is timed (reading the
   * clock costs about as much as a fast load), and the figure is the mean of
   * the timed loads times the successful loads.
   */
  readonly loadTimeMs: number;
}

/** One load in flight for one key. Joined callers share `promise`. */
class Load {
  promise!: Promise<unknown>;
  /** Set when an invalidation overtook this load: its value must not be stored. */
  stale = false;
  constructor(readonly epoch: number) {}
}

/** A validated `lease` option, in milliseconds. @internal */
export interface LeaseSettings {
  /** How long a process may hold a key's lease before another may take it over. */
  readonly ttl: number;
  /** How long a call waits for another process's load before loading itself. */
  readonly wait: number;
}

/** What the engine needs to know about the method it caches. */
export interface EngineMethod {
  /** `Class.method`, named in errors. */
  readonly where: string;
  /** Unique name, the `source` of events. */
  readonly id: string;
  readonly original: (...args: unknown[]) => unknown;
  readonly ttl: number | undefined;
  /** Milliseconds an expired value may still be served when the reload throws. */
  readonly failSafe: number | undefined;
  readonly shouldCache: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  /** Tags of an entry, from the call's arguments. */
  readonly tags?: ((args: readonly unknown[]) => readonly string[]) | undefined;
  /** Cross-process single-flight on stores that support it (milliseconds). */
  readonly lease?: LeaseSettings | undefined;
  /**
   * `false`: a load's write to an asynchronous store (Redis, tiered) is sent
   * in the background and the call resolves without waiting for it.
   * Omitted or `true`: the call resolves once the store answered the write
   * (or failed it: a failure is counted and the call still gets its value).
   */
  readonly awaitWrite?: boolean | undefined;
  keyOf(self: unknown, args: readonly unknown[]): StoreKey;
}

const now = (): number => performance.now();

/** A read before a load: a hit, or a miss with the store's load token and maybe a lease. */
interface Read {
  readonly entry: StoreEntry | undefined;
  readonly token?: unknown;
  readonly lease?: unknown;
}

/** Milliseconds between reads while another process holds the lease: doubling from the first to the last. */
const LEASE_FIRST_PAUSE_MS = 5;
const LEASE_MAX_PAUSE_MS = 100;

/** Successful loads of one binding timed exactly; after them, one load in {@link SAMPLE_EVERY} is timed. */
const TIMED_LOADS = 100;
/** A power of two. */
const SAMPLE_EVERY = 16;

/**
 * Never removed from a binding's in-flight Map, so the Map never empties: V8
 * would otherwise shrink and regrow its table on every miss. Not a load: no
 * key equals it, and {@link CachedMethod.inflightCount} leaves it out.
 */
const SENTINEL_KEY = Symbol('memokit.inflight') as unknown as StoreKey;
const SENTINEL_LOAD = new Load(-1);

/** Key equality of the in-flight registry: a Map's SameValueZero (`NaN` equals `NaN`; keys are never `-0`). */
const sameKey = (a: StoreKey | undefined, b: StoreKey): boolean => a === b || (a !== a && b !== b);

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

/**
 * The memoization engine for one method bound to one store namespace:
 * single-flight per key, rejections shared but never cached, every resolved
 * value cached (`undefined` and `null` included) unless `shouldCache` says no,
 * and invalidations that overtake in-flight loads keep their values out.
 *
 * @example
 * ```ts
 * const engine = new CachedMethod(method, new MemoryStore().namespace('Svc.get'));
 * await engine.call(svc, [42], undefined);
 * ```
 */
export class CachedMethod {
  readonly #method: EngineMethod;
  readonly #store: CacheStore;
  /** Synchronous reads for the hit path (complete or partial tier). */
  readonly #sync: SyncStoreOps | undefined;
  /** Synchronous operations when they are the whole store (memory); undefined otherwise. */
  readonly #owned: SyncStoreOps | undefined;
  readonly #setOptions: StoreSetOptions | undefined;
  /** Loads write to an asynchronous store without waiting for it (`awaitWrite: false`). */
  readonly #backgroundWrite: boolean;
  readonly #events: CacheEvents;
  readonly #stopEvictEvents: (() => void) | undefined;
  readonly #stopRemote: (() => void) | undefined;
  /**
   * Loads in flight by key: one in {@link CachedMethod.#soloKey} and
   * {@link CachedMethod.#soloLoad} when those are free as it starts, the
   * others in {@link CachedMethod.#inflight}. Most methods have at most one
   * load in flight at a time, and for them a Map insert and delete per miss
   * cost more than the rest of the miss path together (docs/benchmarks.md).
   */
  readonly #inflight = new Map<StoreKey, Load>([[SENTINEL_KEY, SENTINEL_LOAD]]);
  #soloKey: StoreKey | undefined = undefined;
  #soloLoad: Load | undefined = undefined;
  /** Bumped by `clear()`: loads started before it must not store. */
  #epoch = 0;
  /** Keys with a mutation running (count per key): loads finishing meanwhile must not store. */
  readonly #mutating = new Map<StoreKey, number>();
  /** Clear-all mutations running: no load may store meanwhile. */
  #clearing = 0;

  #hits = 0;
  #misses = 0;
  #loads = 0;
  #loadErrors = 0;
  #joins = 0;
  #bypassed = 0;
  #storeErrors = 0;
  #staleServed = 0;
  #leaseWaits = 0;
  #leaseTimeouts = 0;
  /** Successful loads; the timed ones, and their total milliseconds (see {@link MethodStats.loadTimeMs}). */
  #loadsOk = 0;
  #timedLoads = 0;
  #timedMs = 0;

  constructor(
    method: EngineMethod,
    store: CacheStore,
    events: CacheEvents = cacheEvents,
    options: { readonly ownsNamespace?: boolean } = {},
  ) {
    this.#method = method;
    this.#store = store;
    this.#events = events;
    // In a bucket shared by several methods (a scope), an eviction cannot be attributed to one of them.
    if (options.ownsNamespace !== false && store.onEvict !== undefined) {
      this.#stopEvictEvents = store.onEvict((key) => {
        if (this.#events.active) this.#events.emit('evict', { source: this.#method.id, key });
      });
    }
    // Another process invalidated: a load in flight here may predate it, so later callers start afresh.
    this.#stopRemote = store.onInvalidate?.((key) => (key === undefined ? this.#abandonAll() : this.abandonLoad(key)));
    this.#sync = store.sync;
    // A partial synchronous tier (tiered L1) answers hits; misses, writes and deletes go through the async store.
    this.#owned = store.sync !== undefined && store.sync.complete !== false ? store.sync : undefined;
    this.#setOptions = method.ttl === undefined ? undefined : { ttl: method.ttl, staleTtl: method.failSafe };
    this.#backgroundWrite = method.awaitWrite === false;
  }

  /** The namespace this method's entries live in. */
  get store(): CacheStore {
    return this.#store;
  }

  /** Number of loads in flight (bounded by distinct keys being loaded). */
  get inflightCount(): number {
    return this.#inflight.size - 1 + (this.#soloLoad === undefined ? 0 : 1); // the sentinel
  }

  /** The load in flight for `key`, if any. */
  #running(key: StoreKey): Load | undefined {
    if (this.#soloLoad !== undefined && sameKey(this.#soloKey, key)) return this.#soloLoad;
    return this.#inflight.size === 1 ? undefined : this.#inflight.get(key);
  }

  /** Registers `load` as the load in flight for `key` (replacing any). */
  #register(key: StoreKey, load: Load): void {
    if (this.#soloLoad === undefined) {
      // A load it replaces (refresh) may be in the Map: it must not be found once this one is released.
      if (this.#inflight.size > 1) this.#inflight.delete(key);
      this.#soloKey = key;
      this.#soloLoad = load;
    } else if (sameKey(this.#soloKey, key)) {
      this.#soloLoad = load;
    } else {
      this.#inflight.set(key, load);
    }
  }

  /** Unregisters `load`, if it is still the load in flight for `key`. */
  #release(key: StoreKey, load: Load): void {
    if (this.#soloLoad === load) {
      this.#soloKey = undefined;
      this.#soloLoad = undefined;
    } else if (this.#inflight.size > 1 && this.#inflight.get(key) === load) {
      this.#inflight.delete(key);
    }
  }

  /**
   * Serves one call. A hit on an in-process store returns a settled promise
   * synchronously, without allocating.
   */
  call(self: unknown, args: unknown[], options: CallOptions | undefined): Promise<unknown> {
    let key: StoreKey;
    try {
      key = this.#method.keyOf(self, args);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.callWithKey(key, self, args, options, this.#setOptions);
  }

  /**
   * Serves one call whose key is already known (the manual `Cache` API uses
   * it with per-call write options).
   */
  callWithKey(
    key: StoreKey,
    self: unknown,
    args: unknown[],
    options: CallOptions | undefined,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    if (options === undefined) {
      const sync = this.#sync;
      if (sync !== undefined) {
        const entry = sync.get(key);
        if (entry !== undefined) {
          this.#hits++;
          if (this.#events.active) this.#events.emit('hit', { source: this.#method.id, key });
          return (entry.promise ??= Promise.resolve(entry.value));
        }
      }
      const running = this.#running(key);
      if (running !== undefined) {
        this.#joins++;
        return running.promise;
      }
      return this.#start(self, args, key, this.#owned === undefined, setOptions);
    }
    if (options.useCache === false) {
      this.#bypassed++;
      return this.#invoke(self, args);
    }
    // refresh: a load already running may predate what the caller knows; it must not overwrite ours.
    const running = this.#running(key);
    if (running !== undefined) running.stale = true;
    return this.#start(self, args, key, false, setOptions);
  }

  /**
   * Joins the load in flight for `key`, or starts one without reading the
   * store first (the caller already knows it is a miss).
   */
  loadMissing(
    key: StoreKey,
    self: unknown,
    args: unknown[],
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    const running = this.#running(key);
    if (running !== undefined) {
      this.#joins++;
      return running.promise;
    }
    return this.#start(self, args, key, false, setOptions);
  }

  /**
   * Adds the entry's tags and the store's tag clock read now, at load start:
   * an invalidation of those tags while the load runs makes its entry
   * unreachable. If the tags cannot be computed, the load will not store.
   */
  #withTags(load: Load, setOptions: StoreSetOptions | undefined, args: unknown[]): StoreSetOptions | undefined {
    try {
      const tags = setOptions?.tags ?? this.#method.tags?.(args);
      return { ...setOptions, tags, tagStamp: this.#store.tagStamp?.() };
    } catch (error) {
      load.stale = true;
      this.#storeFailed('set', undefined, error);
      return setOptions;
    }
  }

  /** A value for `key` is being written directly: a load in flight for it must not overwrite it. */
  abandonLoad(key: StoreKey): void {
    const running = this.#running(key);
    if (running !== undefined) {
      running.stale = true;
      this.#release(key, running);
    }
  }

  #start(
    self: unknown,
    args: unknown[],
    key: StoreKey,
    readStore: boolean,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    const load = new Load(this.#epoch);
    this.#register(key, load);
    const tagged = this.#method.tags !== undefined || setOptions?.tags !== undefined;
    const options = tagged ? this.#withTags(load, setOptions, args) : setOptions;
    load.promise =
      !readStore &&
      this.#owned !== undefined &&
      this.#store.loadToken === undefined &&
      this.#method.failSafe === undefined
        ? this.#runOwned(load, self, args, key, options)
        : readStore
          ? this.#readThenRun(load, self, args, key, options)
          : this.#run(load, self, args, key, undefined, options);
    return load.promise;
  }

  /**
   * {@link CachedMethod.#run} for an in-process store that is not read first
   * and no fail-safe: the same steps in the same microtasks, settled with
   * `then` instead of an async function (no async frame per miss).
   */
  #runOwned(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    const owned = this.#owned!;
    this.#misses++;
    if (this.#events.active) this.#events.emit('miss', { source: this.#method.id, key });
    this.#loads++;
    const started = this.#startTimer();
    return this.#invoke(self, args).then(
      (value) => {
        try {
          this.#loaded(started);
          if (this.#mayStore(load, key) && this.#shouldCache(value, args)) {
            owned.set(key, value, setOptions);
            if (this.#events.active) this.#events.emit('set', { source: this.#method.id, key });
          }
          return value;
        } finally {
          this.#release(key, load);
        }
      },
      (error: unknown) => {
        this.#loadErrors++;
        this.#report('load', key, error);
        this.#release(key, load);
        throw error;
      },
    );
  }

  /** A clock reading for a load starting now, or -1 when this load is not timed. */
  #startTimer(): number {
    // Timed while fewer than TIMED_LOADS succeeded, so the first successful load is always timed.
    return this.#loadsOk < TIMED_LOADS || (this.#loads & (SAMPLE_EVERY - 1)) === 0 ? now() : -1;
  }

  /** Counts a successful load and, if it was timed, its duration. */
  #loaded(started: number): void {
    this.#loadsOk++;
    if (started >= 0) {
      this.#timedLoads++;
      this.#timedMs += now() - started;
    }
  }

  /** Reads the store first: a hit settles the load, a miss runs it with the read's load token. */
  #readThenRun(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    const settle = (read: Read): unknown => {
      if (read.entry === undefined) return this.#run(load, self, args, key, read, setOptions);
      try {
        this.#hits++;
        if (this.#events.active) this.#events.emit('hit', { source: this.#method.id, key });
        return read.entry.value;
      } finally {
        this.#release(key, load);
      }
    };
    const lease = this.#method.lease;
    if (lease !== undefined && this.#store.getOrLease !== undefined) {
      return this.#readWithLease(key, lease).then(settle);
    }
    // The hit path: one promise from the store, settled here (a failed read is a miss).
    let reading: Promise<Read>;
    try {
      reading = this.#readStore(key);
    } catch (error) {
      return Promise.resolve(this.#readFailed(key, error)).then(settle);
    }
    return reading.then(settle, (error: unknown) => settle(this.#readFailed(key, error)));
  }

  /**
   * Reads for a load under a cross-process lease: a hit; or a miss with the
   * lease taken (this process loads); while another process holds the lease,
   * reads again with growing pauses, and past `wait` reads once more without
   * a lease (this process then loads too).
   */
  async #readWithLease(key: StoreKey, lease: LeaseSettings): Promise<Read> {
    const store = this.#store as CacheStore & Required<Pick<CacheStore, 'getOrLease'>>;
    const deadline = now() + lease.wait;
    let pause = LEASE_FIRST_PAUSE_MS;
    for (;;) {
      let read: LeaseRead;
      try {
        read = await store.getOrLease(key, lease.ttl);
      } catch (error) {
        this.#storeFailed('get', key, error);
        return { entry: undefined };
      }
      if (read.entry !== undefined || read.held !== true) return read;
      const left = deadline - now();
      if (left <= 0) {
        this.#leaseTimeouts++;
        return this.#readForLoad(key);
      }
      this.#leaseWaits++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, LEASE_MAX_PAUSE_MS);
    }
  }

  /** Gives up this process's lease on `key` (a failure is reported; the lease then ends by its TTL). */
  #releaseLease(key: StoreKey, lease: unknown): void {
    if (lease === undefined) return;
    try {
      this.#store.releaseLease?.(key, lease).catch((error: unknown) => this.#storeFailed('set', key, error));
    } catch (error) {
      this.#storeFailed('set', key, error);
    }
  }

  /** Runs a load; `read`: the miss that preceded it (its token, its lease), `undefined`: the store was not read. */
  async #run(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    read: Read | undefined,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    let releaseNow = true;
    const lease = read?.lease;
    try {
      let token: unknown;
      if (read !== undefined) token = read.token;
      else if (this.#store.loadToken !== undefined) token = await this.#loadToken(load, key);
      if (token !== undefined) setOptions = { ...setOptions, loadToken: token };
      this.#misses++;
      if (this.#events.active) this.#events.emit('miss', { source: this.#method.id, key });
      this.#loads++;
      const started = this.#startTimer();
      let value: unknown;
      try {
        value = await this.#invoke(self, args);
      } catch (error) {
        this.#loadErrors++;
        this.#report('load', key, error);
        const stale = this.#method.failSafe === undefined ? undefined : await this.#readStale(key);
        if (stale === undefined) throw error;
        this.#staleServed++;
        return stale.value;
      }
      this.#loaded(started);
      if (this.#mayStore(load, key) && this.#shouldCache(value, args)) {
        if (this.#owned !== undefined) {
          this.#owned.set(key, value, setOptions);
          if (this.#events.active) this.#events.emit('set', { source: this.#method.id, key });
        } else if (this.#backgroundWrite) {
          // Keep the load registered until the write lands, so callers arriving meanwhile join it.
          releaseNow = false;
          this.#writeInBackground(load, key, value, setOptions, lease);
        } else {
          // Read-your-writes: this call and the callers that joined it resolve once the store
          // answered, so any process asked next finds the value. A failed or timed-out write
          // (the store bounds it) is counted; the callers still get their value.
          await this.#write(key, value, setOptions);
        }
      }
      return value;
    } finally {
      if (releaseNow) {
        this.#release(key, load);
        this.#releaseLease(key, lease);
      }
    }
  }

  /** Writes a loaded value to the asynchronous store; never rejects (a failure is counted and reported). */
  async #write(key: StoreKey, value: unknown, setOptions: StoreSetOptions | undefined): Promise<void> {
    try {
      await this.#store.set(key, value, setOptions);
    } catch (error) {
      this.#storeFailed('set', key, error);
      return;
    }
    if (this.#events.active) this.#events.emit('set', { source: this.#method.id, key });
  }

  /**
   * `awaitWrite: false`: writes a loaded value without holding up its
   * callers; the load stays registered (callers arriving meanwhile join it)
   * until the write settled.
   */
  #writeInBackground(
    load: Load,
    key: StoreKey,
    value: unknown,
    setOptions: StoreSetOptions | undefined,
    lease: unknown,
  ): void {
    void this.#write(key, value, setOptions).finally(() => {
      this.#release(key, load);
      this.#releaseLease(key, lease);
    });
  }

  /** Reads before a load: the entry, or a miss with the store's load token (one round trip). */
  #readForLoad(key: StoreKey): Promise<Read> {
    try {
      return this.#readStore(key).catch((error: unknown) => this.#readFailed(key, error));
    } catch (error) {
      return Promise.resolve(this.#readFailed(key, error));
    }
  }

  /** The store's read for a load (may throw or reject). */
  #readStore(key: StoreKey): Promise<Read> {
    const store = this.#store;
    return store.getForLoad !== undefined ? store.getForLoad(key) : store.get(key).then((entry): Read => ({ entry }));
  }

  /** A read that failed: reported, and a miss without a token. */
  #readFailed(key: StoreKey, error: unknown): Read {
    this.#storeFailed('get', key, error);
    return { entry: undefined };
  }

  /** A load token for a load that does not read first; without one, the load must not store. */
  async #loadToken(load: Load, key: StoreKey): Promise<unknown> {
    try {
      return await this.#store.loadToken?.(key);
    } catch (error) {
      load.stale = true;
      this.#storeFailed('get', key, error);
      return undefined;
    }
  }

  /** Counts a store failure (the call goes on without the cache) and reports it. */
  #storeFailed(operation: CacheErrorEvent['operation'], key: StoreKey | undefined, error: unknown): void {
    this.#storeErrors++;
    this.#report(operation, key, error);
  }

  #report(operation: CacheErrorEvent['operation'], key: StoreKey | undefined, error: unknown): void {
    if (this.#events.active) this.#events.emit('error', { source: this.#method.id, operation, key, error });
  }

  /** The expired-but-within-fail-safe entry for `key`, if any. */
  async #readStale(key: StoreKey): Promise<{ value: unknown } | undefined> {
    try {
      return this.#owned !== undefined ? this.#owned.getStale(key) : await this.#store.getStale(key);
    } catch (error) {
      this.#storeFailed('get', key, error);
      return undefined;
    }
  }

  #mayStore(load: Load, key: StoreKey): boolean {
    return (
      !load.stale &&
      load.epoch === this.#epoch &&
      this.#clearing === 0 &&
      (this.#mutating.size === 0 || !this.#mutating.has(key))
    );
  }

  #shouldCache(value: unknown, args: readonly unknown[]): boolean {
    const predicate = this.#method.shouldCache;
    if (predicate === undefined) return true;
    try {
      return predicate(value, args) === true;
    } catch (error) {
      this.#storeFailed('shouldCache', undefined, error);
      return false;
    }
  }

  /** Runs the original method; a non-promise result is an error naming the method. */
  #invoke(self: unknown, args: unknown[]): Promise<unknown> {
    let result: unknown;
    try {
      result = this.#method.original.apply(self, args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (!isThenable(result)) {
      return Promise.reject(
        new NotAPromiseError(this.#method.where, messages.NOT_A_PROMISE(this.#method.where, result)),
      );
    }
    return Promise.resolve(result);
  }

  /**
   * Removes the entry for `key`. A load in flight for it keeps serving its own
   * callers but will not store; the next caller starts a fresh load.
   */
  invalidateKey(key: StoreKey): Promise<boolean> {
    this.abandonLoad(key);
    if (this.#events.active) this.#events.emit('invalidate', { source: this.#method.id, key, all: false });
    if (this.#owned !== undefined) return Promise.resolve(this.#owned.delete(key));
    return this.#store.delete(key).catch((error: unknown) => {
      this.#storeFailed('delete', key, error);
      return false;
    });
  }

  /** Removes the entry for these call arguments. */
  invalidateArgs(self: unknown, args: unknown[]): Promise<boolean> {
    let key: StoreKey;
    try {
      key = this.#method.keyOf(self, args);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.invalidateKey(key);
  }

  /** Loads in flight keep serving their callers but will not store; later callers start new ones. */
  #abandonAll(): void {
    this.#epoch++;
    this.#soloKey = undefined;
    this.#soloLoad = undefined;
    this.#inflight.clear();
    this.#inflight.set(SENTINEL_KEY, SENTINEL_LOAD);
  }

  /** Removes every entry; loads in flight will not store. */
  clear(): Promise<void> {
    this.#abandonAll();
    if (this.#events.active) this.#events.emit('invalidate', { source: this.#method.id, all: true });
    if (this.#owned !== undefined) {
      this.#owned.clear();
      return Promise.resolve();
    }
    return this.#store.clear().catch((error: unknown) => this.#storeFailed('clear', undefined, error));
  }

  /**
   * Opens a mutation window on `key`: evicts it now, and until the matching
   * {@link CachedMethod.endMutation} no load of that key stores its value.
   */
  beginMutation(key: StoreKey): Promise<boolean> {
    this.#mutating.set(key, (this.#mutating.get(key) ?? 0) + 1);
    return this.invalidateKey(key);
  }

  /** Closes a mutation window on `key` and evicts it again (loads still in flight will not store). */
  endMutation(key: StoreKey): Promise<boolean> {
    const open = (this.#mutating.get(key) ?? 1) - 1;
    if (open <= 0) this.#mutating.delete(key);
    else this.#mutating.set(key, open);
    return this.invalidateKey(key);
  }

  /** Opens a clear-all mutation window: clears now, and no load stores until it ends. */
  beginClearAll(): Promise<void> {
    this.#clearing++;
    return this.clear();
  }

  /** Closes a clear-all window and clears again. */
  endClearAll(): Promise<void> {
    if (this.#clearing > 0) this.#clearing--;
    return this.clear();
  }

  /** Stops listening to the store (the binding's app shut down). */
  dispose(): void {
    this.#stopEvictEvents?.();
    this.#stopRemote?.();
  }

  /** A snapshot of this binding's figures. */
  stats(): MethodStats {
    const { size, evictions } = this.#store.stats();
    const lookups = this.#hits + this.#misses;
    return {
      hits: this.#hits,
      misses: this.#misses,
      loads: this.#loads,
      loadErrors: this.#loadErrors,
      inflightJoins: this.#joins,
      bypassed: this.#bypassed,
      storeErrors: this.#storeErrors,
      evictions,
      size,
      hitRate: lookups === 0 ? 0 : this.#hits / lookups,
      staleServed: this.#staleServed,
      leaseWaits: this.#leaseWaits,
      leaseTimeouts: this.#leaseTimeouts,
      loadTimeMs:
        this.#timedLoads === this.#loadsOk ? this.#timedMs : (this.#timedMs / this.#timedLoads) * this.#loadsOk,
    };
  }
}

/** The figures {@link sumStats} adds up (`hitRate` is derived from the sums). */
const SUMMED_STATS = [
  'hits',
  'misses',
  'loads',
  'loadErrors',
  'inflightJoins',
  'bypassed',
  'storeErrors',
  'evictions',
  'size',
  'staleServed',
  'leaseWaits',
  'leaseTimeouts',
  'loadTimeMs',
] as const satisfies readonly Exclude<keyof MethodStats, 'hitRate'>[];

// Every figure but hitRate is summed: a new field of MethodStats missing above is a compile error here.
const _allSummed: [Exclude<keyof MethodStats, 'hitRate' | (typeof SUMMED_STATS)[number]>] extends [never]
  ? true
  : never = true;

/** Sums the figures of several bindings of one method. */
export function sumStats(all: readonly MethodStats[]): MethodStats {
  const total = { hitRate: 0 } as Record<keyof MethodStats, number>;
  for (const key of SUMMED_STATS) total[key] = 0;
  for (const s of all) for (const key of SUMMED_STATS) total[key] += s[key];
  const lookups = total.hits + total.misses;
  total.hitRate = lookups === 0 ? 0 : total.hits / lookups;
  return total;
}
