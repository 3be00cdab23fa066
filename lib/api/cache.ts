import { createBatchLoader, type BatchResult } from './batch.js';
import {
  cacheSettings,
  keyedLoads,
  keyedPolicy,
  LoadContext,
  scopeSettings,
  writeOptions,
  type CacheKey,
  type CacheOptions,
  type CacheSetOptions,
  type CacheSettings,
  type CacheStats,
  type GetOrSetOptions,
  type LoaderContext,
  type ScopeOptions,
} from './cache-settings.js';
import { hitRate, MethodCache, type CacheAdvice, type CacheExplanation, type LoadPolicy } from '../engine/index.js';
import { parseDuration, type Duration } from '../util/duration.js';
import { disableTelemetry, loadTelemetry, refreshTelemetry, trackCache } from './telemetry.js';
import { channels } from '../util/diagnostics.js';
import type { CacheEvents } from '../util/events.js';
import { messages } from '../util/messages.js';
import { keyForKeyFnResult, type StoreKey } from '../keys/keys.js';
import type { CacheStore } from '../stores/contract.js';
import { assertTags } from '../stores/tags.js';
import { storeReady } from '../stores/ready.js';

export type {
  CacheKey,
  CacheOptions,
  CacheSetOptions,
  CacheStats,
  GetOrSetOptions,
  ScopeOptions,
} from './cache-settings.js';

const INTERNAL = Symbol('memokit:cache-internal');

/**
 * The manual cache API over any store: get/set, single-flight `getOrSet`,
 * batch reads and writes, warmup, scopes with their own limits, stats and
 * events. Decorated methods can share a scope's bucket with `scope: 'name'`.
 *
 * @example
 * ```ts
 * const cache = new Cache({ ttl: '60s', failSafe: '5m', maxSize: 1000 });
 * const users = cache.scope('users', { ttl: '30s', maxSize: 500 });
 * await users.set('user:123', { id: '123', name: 'Peter' });
 * const user = await users.getOrSet('user:123', () => loadUser('123'));
 * ```
 */
export class Cache<V = unknown> {
  /** Events of this cache and its scopes (`source` is the cache's or scope's name). */
  readonly events: CacheEvents;
  /** Namespace name (`'cache'`, the prefix, or `scope:<name>`). */
  readonly name: string;
  readonly #r: CacheSettings;
  readonly #engine: MethodCache;
  /** The policy of a `getOrSet` without options whose loader takes a context (`ctx.ttl`, `ctx.tags`). */
  readonly #contextual: LoadPolicy;
  #hits = 0;
  #misses = 0;
  #closed = false;

  constructor(options: CacheOptions = {}, internal?: { [INTERNAL]: CacheSettings }) {
    const settings = internal?.[INTERNAL] ?? cacheSettings(options);
    this.#r = settings;
    this.name = settings.name;
    this.events = settings.events;
    this.#engine = new MethodCache(keyedLoads(settings), settings.namespace, settings.events, {
      sampler: settings.sampler,
    });
    if (!settings.telemetry) disableTelemetry(settings.name);
    trackCache(this);
    void loadTelemetry();
    refreshTelemetry();
    this.#contextual = keyedPolicy(settings, true);
  }

  /** What a `getOrSet` loads and writes under (see {@link keyedPolicy}). */
  #policy(context: boolean, options: GetOrSetOptions | undefined): LoadPolicy {
    if (options !== undefined) return keyedPolicy(this.#r, context, options);
    return context ? this.#contextual : this.#engine.policy;
  }

  /** The store namespace this cache's entries live in. */
  get store(): CacheStore {
    return this.#r.namespace;
  }

  #key(key: CacheKey): StoreKey {
    if (typeof key !== 'string' && typeof key !== 'number') throw new TypeError(messages.BAD_CACHE_KEY(this.name, key));
    return keyForKeyFnResult(key, `Cache(${this.name})`);
  }

  /**
   * Removes every entry carrying one of `tags` in this cache's store (all its
   * namespaces, and for Redis-backed stores every process), without scanning.
   *
   * @example
   * ```ts
   * await cache.invalidateTags(['user:42']);
   * ```
   */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    assertTags(`Cache(${this.name}).invalidateTags`, tags);
    const store = this.#r.namespace;
    if (typeof store.invalidateTags !== 'function')
      throw new TypeError(messages.TAGS_UNSUPPORTED(`Cache(${this.name})`, store.kind));
    await store.invalidateTags(tags);
    if (this.events.active) this.events.emit('invalidate', { source: this.name, tags, all: false });
    if (channels.invalidate.hasSubscribers) channels.invalidate.publish({ source: this.name, tags, all: false });
  }

  /**
   * The cached value, or `undefined` on a miss (use {@link Cache.has} to tell
   * a cached `undefined` from a miss).
   *
   * @example
   * ```ts
   * const user = await cache.get<User>('user:1');
   * ```
   */
  async get<T extends V = V>(key: CacheKey): Promise<T | undefined> {
    const k = this.#key(key);
    const entry = this.#r.namespace.sync?.get(k) ?? (await this.#r.namespace.get(k));
    if (entry === undefined) {
      this.#misses++;
      if (this.events.active) this.events.emit('miss', { source: this.name, key: k });
      if (channels.miss.hasSubscribers) channels.miss.publish({ source: this.name, key: k });
      return undefined;
    }
    this.#hits++;
    if (this.events.active) this.events.emit('hit', { source: this.name, key: k });
    if (channels.hit.hasSubscribers) channels.hit.publish({ source: this.name, key: k });
    return entry.value as T;
  }

  /**
   * Stores a value (replacing any entry; a `getOrSet` load in flight for the
   * key will not overwrite it).
   *
   * @example
   * ```ts
   * await cache.set('user:1', user, { ttl: '5m' });
   * ```
   */
  async set(key: CacheKey, value: V, options?: CacheSetOptions): Promise<void> {
    const k = this.#key(key);
    this.#engine.abandonLoad(k);
    await this.#r.namespace.set(k, value, writeOptions(this.#r, options));
    if (this.events.active) this.events.emit('set', { source: this.name, key: k });
  }

  /**
   * The cached value, or the loader's result (stored). Concurrent calls for
   * one key run the loader once; a rejection is shared and never cached. A
   * loader that takes a parameter gets a {@link LoaderContext}: it may set the
   * entry's `ttl` and `tags` from what it loaded, or `skip()` the write.
   * `options` may also set this call's freshness policies
   * (`staleWhileRevalidate`, `refreshAhead`, `timeout`, `failSafe`, `jitter`).
   *
   * @example
   * ```ts
   * const user = await cache.getOrSet('user:1', () => db.findUser(1), { ttl: '30s' });
   * const found = await cache.getOrSet('user:2', async (ctx) => {
   *   const u = await db.findUser(2);
   *   if (u === null) ctx.ttl = '10s'; // misses are cached briefly
   *   return u;
   * });
   * const rates = await cache.getOrSet('rates', () => fetchRates(), { ttl: '1m', refreshAhead: 0.8 });
   * ```
   */
  getOrSet<T extends V>(
    key: CacheKey,
    loader: (context: LoaderContext) => Promise<T>,
    options?: GetOrSetOptions,
  ): Promise<T> {
    try {
      if (typeof loader !== 'function')
        throw new TypeError(messages.BAD_FUNCTION_OPTION(`Cache(${this.name}).getOrSet`, 'loader', loader));
      // A loader that takes a parameter gets a context (its own TTL and tags, or no write); the others cost nothing.
      const context = loader.length > 0;
      return this.#engine.callWithKey(
        this.#key(key),
        undefined,
        context ? [loader, new LoadContext()] : [loader],
        undefined,
        this.#policy(context, options),
      ) as Promise<T>;
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Values for many keys in one round trip, DataLoader style: only the
   * missing keys go to `loadMany`, in one call; their results are stored.
   * A loader that returns an `Error` for a key (or omits it from a Map) fails
   * only that key.
   *
   * @returns the values in the order of `keys`
   * @example
   * ```ts
   * const users = await cache.getOrSetMany([1, 2, 3], (missing) => db.findUsers(missing));
   * ```
   */
  getOrSetMany<T extends V>(
    keys: readonly number[],
    loadMany: (missing: number[]) => Promise<BatchResult<number, T>>,
    options?: CacheSetOptions,
  ): Promise<T[]>;
  getOrSetMany<T extends V>(
    keys: readonly string[],
    loadMany: (missing: string[]) => Promise<BatchResult<string, T>>,
    options?: CacheSetOptions,
  ): Promise<T[]>;
  async getOrSetMany<K extends CacheKey, T extends V>(
    keys: readonly K[],
    loadMany: (missing: K[]) => Promise<BatchResult<K, T>>,
    options?: CacheSetOptions,
  ): Promise<T[]> {
    const storeKeys = keys.map((key) => this.#key(key));
    for (const storeKey of storeKeys) this.#engine.recordCall(storeKey);
    const entries = await this.#r.namespace.getMany(storeKeys);
    const policy = this.#policy(false, options);
    const loader = createBatchLoader<K, T>({ loadMany, window: 0, maxBatch: Math.max(1, keys.length) });
    const results = keys.map((key, i) => {
      const entry = entries[i];
      const storeKey = storeKeys[i] as StoreKey;
      if (entry !== undefined) {
        this.#hits++;
        return Promise.resolve(entry.value as T);
      }
      this.#misses++;
      return this.#engine.loadMissing(storeKey, undefined, [() => loader.load(key)], policy) as Promise<T>;
    });
    return Promise.all(results);
  }

  /**
   * Removes an entry; a load in flight for it will not store.
   *
   * @returns whether an entry was removed
   * @example
   * ```ts
   * await cache.delete('user:1');
   * ```
   */
  async delete(key: CacheKey): Promise<boolean> {
    return this.#engine.invalidateKey(this.#key(key));
  }

  /**
   * What the store holds for `key` and why: where it lives, its age, the
   * freshness left and window it is in under this cache's policies, its
   * tags, and the last invalidation of the key or of this cache's
   * namespace (here, in a tiered peer, or logged by Redis). Reads only:
   * nothing is loaded, touched or counted.
   *
   * @example
   * ```ts
   * const why = await cache.explain('user:1');
   * console.log(why.window, why.ttlLeftMs, why.lastInvalidation?.from);
   * ```
   */
  async explain(key: CacheKey): Promise<CacheExplanation> {
    return this.#engine.explain(this.#key(key));
  }

  /**
   * Removes every entry of this cache (or scope) and nothing else.
   *
   * @example
   * ```ts
   * await users.clear(); // other scopes keep their entries
   * ```
   */
  clear(): Promise<void> {
    return this.#engine.clear();
  }

  /**
   * Whether a live entry exists (a cached `undefined` counts).
   *
   * @example
   * ```ts
   * if (await cache.has('user:1')) { ... }
   * ```
   */
  async has(key: CacheKey): Promise<boolean> {
    const namespace = this.#r.namespace;
    const storeKey = this.#key(key);
    if (namespace.has !== undefined) return namespace.has(storeKey);
    return namespace.get(storeKey).then((entry) => entry !== undefined);
  }

  /**
   * The values present for `keys`; missing keys are omitted.
   *
   * @example
   * ```ts
   * const found = await cache.getMany(['a', 'missing']); // Map { 'a' => 1 }
   * ```
   */
  async getMany<K extends CacheKey, T extends V = V>(keys: readonly K[]): Promise<Map<K, T>> {
    const entries = await this.#r.namespace.getMany(keys.map((key) => this.#key(key)));
    const found = new Map<K, T>();
    keys.forEach((key, i) => {
      const entry = entries[i];
      if (entry !== undefined) found.set(key, entry.value as T);
    });
    return found;
  }

  /**
   * Stores many values with the same options (pipelined on Redis).
   *
   * @example
   * ```ts
   * await cache.setMany({ a: 1, b: 2 }, { ttl: '1m' });
   * await cache.setMany(new Map([[1, 'one']]));
   * ```
   */
  async setMany(
    entries: Record<string, V> | Iterable<readonly [CacheKey, V]>,
    options?: CacheSetOptions,
  ): Promise<void> {
    const pairs: [StoreKey, V][] = [];
    const iterable: Iterable<readonly [CacheKey, V]> =
      Symbol.iterator in entries ? (entries as Iterable<readonly [CacheKey, V]>) : Object.entries(entries);
    for (const [key, value] of iterable) {
      const k = this.#key(key);
      this.#engine.abandonLoad(k);
      pairs.push([k, value]);
    }
    await this.#r.namespace.setMany(pairs, writeOptions(this.#r, options));
  }

  /**
   * Stores the value only when no live entry exists.
   *
   * @returns whether it was stored
   * @example
   * ```ts
   * const acquired = await cache.setIfNotExists('lock:job', process.pid, { ttl: '30s' });
   * ```
   */
  async setIfNotExists(key: CacheKey, value: V, options?: CacheSetOptions): Promise<boolean> {
    const namespace = this.#r.namespace;
    if (namespace.setIfNotExists === undefined) {
      throw new TypeError(
        messages.STORE_LACKS_CAPABILITY(`Cache(${this.name}).setIfNotExists`, namespace.kind, 'setIfNotExists'),
      );
    }
    return namespace.setIfNotExists(this.#key(key), value, writeOptions(this.#r, options));
  }

  /**
   * Sets a new time to live on an existing entry; `undefined` makes it
   * eternal.
   *
   * @returns whether the entry existed
   * @example
   * ```ts
   * await cache.expireIn('session:1', '10m');
   * ```
   */
  async expireIn(key: CacheKey, ttl: Duration | undefined): Promise<boolean> {
    const ms = ttl === undefined ? undefined : parseDuration(ttl, `Cache(${this.name}).expireIn`, 'ttl');
    const namespace = this.#r.namespace;
    if (namespace.expireIn === undefined) {
      throw new TypeError(messages.STORE_LACKS_CAPABILITY(`Cache(${this.name}).expireIn`, namespace.kind, 'expireIn'));
    }
    return namespace.expireIn(this.#key(key), ms);
  }

  /**
   * Loads hot keys up front (each through `getOrSet`, so already-cached keys
   * are not reloaded). Rejects with the first loader error after all settled.
   *
   * @example
   * ```ts
   * await cache.warmup({ 'config:app': loadAppConfig, feature_flags: loadFeatureFlags });
   * ```
   */
  async warmup(loaders: Record<string, () => Promise<V>>): Promise<void> {
    const settled = await Promise.allSettled(
      Object.entries(loaders).map(([key, loader]) => this.getOrSet(key, loader)),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  /**
   * A named scope: its own namespace (the same key in two scopes never
   * collides), LRU limit and TTL; omitted options are inherited. Decorated
   * methods share a scope's bucket with `scope: 'name'` (same store).
   *
   * @example
   * ```ts
   * const products = cache.scope('products', { ttl: '2m', maxSize: 2000 });
   * ```
   */
  scope(name: string, options: ScopeOptions = {}): Cache<V> {
    return new Cache<V>({}, { [INTERNAL]: scopeSettings(this.#r, name, options) });
  }

  /**
   * Hits, misses, loads, size and hit rate of this cache (or scope).
   *
   * @example
   * ```ts
   * console.log(cache.stats().hitRate);
   * ```
   */
  stats(): CacheStats {
    const engine = this.#engine.stats();
    const hits = engine.hits + this.#hits;
    const misses = engine.misses + this.#misses;
    return { ...engine, hits, misses, hitRate: hitRate(hits, misses) };
  }

  /**
   * The sizing advisor's report on this cache's (or scope's) `getOrSet` calls, like `adviseCache`
   * (see docs/advisor.md). A TypeError when the cache has no `advisor`.
   *
   * @example
   * ```ts
   * const products = new Cache({ maxSize: 2000, advisor: true }); // then traffic
   * console.log(products.advise().recommendation?.maxSize);
   * ```
   */
  advise(): CacheAdvice {
    const advice = this.#engine.advice(`Cache(${this.name})`);
    if (advice === undefined) throw new TypeError(messages.ADVISOR_OFF(`Cache(${this.name})`));
    return advice;
  }

  /**
   * Waits until the store serves calls (a Redis or tiered store: its client
   * is connected), at most the store's connect timeout (1 s for a Redis
   * store with the default options). Resolves `true` when the store is
   * ready; `false` when it is not ready in time: the cache then fails open
   * (reads miss, writes are skipped and counted) and recovers by itself
   * when the store answers. Never rejects. Stores without connections
   * (memory, null) resolve `true` at once.
   *
   * @example
   * ```ts
   * if (!(await cache.connect())) console.warn('Redis is not reachable yet: the cache misses until it is');
   * ```
   */
  connect(): Promise<boolean> {
    return storeReady(this.#r.root);
  }

  /**
   * Closes a store this cache created from a URL or by default; a store
   * passed in is left open for its owner. Idempotent.
   *
   * @example
   * ```ts
   * await cache.close();
   * ```
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#r.owned) await this.#r.root.close();
  }

  /** `await using cache = new Cache(...)` closes it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Runs `fn` with a connected cache and closes it afterwards, like Python's
   * `async with Cache(...) as cache`. `fn` runs once {@link Cache.connect}
   * resolved: with the store ready, or after its connect timeout with the
   * cache failing open.
   *
   * @example
   * ```ts
   * await Cache.use({ store: 'memory://', prefix: 'jobs' }, (cache) => cache.set('test', 'Ok!'));
   * ```
   */
  static async use<R>(options: CacheOptions, fn: (cache: Cache) => Promise<R>): Promise<R> {
    const cache = new Cache(options);
    try {
      await cache.connect();
      return await fn(cache);
    } finally {
      await cache.close();
    }
  }
}
