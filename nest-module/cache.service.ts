import { Inject, Injectable } from '@nestjs/common';
import {
  Cache,
  type CacheAdvice,
  type CachedFunction,
  type CacheExplanation,
  type CacheKind,
  type CacheOptions,
  type CacheStore,
  type MethodStats,
} from '../lib/index.js';
import { registry } from '../lib/internal.js';
import { CacheBindings, type MethodBinding } from './cache.bindings.js';
import { MethodNotBoundError, UnknownStoreError } from './cache.errors.js';
import { messages } from './cache.messages.js';

/**
 * One cached method bound in this application, as listed by
 * {@link CacheService.stats}.
 *
 * @example
 * ```ts
 * for (const m of cacheService.stats()) console.log(m.id, m.store, m.stats.hitRate);
 * ```
 */
export interface BoundCachedMethodInfo {
  /** Unique name: `Class.method` (`Class.method#2` for a second class of the same name). */
  readonly id: string;
  /** The declaring class's name. */
  readonly className: string;
  /** The method's name. */
  readonly methodName: string;
  /** `'lru'` (`@AsyncLRU`) or `'ttl'` (`@AsyncTTL`). */
  readonly kind: CacheKind;
  /**
   * Name of the module store the method's entries live in; `undefined` when
   * the decorator passed a store instance (or a `Cache` scope) that is not
   * one of the module's.
   */
  readonly store: string | undefined;
  /** Entry limit of the method's bucket. */
  readonly maxSize: number;
  /** Time to live in ms (`undefined` for LRU methods). */
  readonly ttl: number | undefined;
  /** Figures of this application's binding only. */
  readonly stats: MethodStats;
}

/**
 * Options of {@link CacheService.cache}: those of `new Cache()`, with the
 * store given by its name in the module.
 *
 * @example
 * ```ts
 * const sessions = cacheService.cache({ store: 'redis', prefix: 'sessions', ttl: '15m' });
 * ```
 */
export interface ModuleCacheOptions extends Omit<CacheOptions, 'store'> {
  /**
   * Name of one of the module's stores.
   *
   * @default the module's default store
   */
  store?: string;
}

/**
 * This application's view of memokit: its stores, and invalidation and
 * figures that act on its own bindings only (the functions of the same names
 * exported by `memokit` act on every application in the process).
 *
 * @example
 * ```ts
 * @Injectable()
 * class UsersAdmin {
 *   constructor(private readonly cache: CacheService, private readonly users: UserService) {}
 *   evict(id: number): Promise<boolean> {
 *     return this.cache.invalidateCache(this.users.getUser, id);
 *   }
 * }
 * ```
 */
@Injectable()
export class CacheService {
  readonly #bindings: CacheBindings;

  constructor(@Inject(CacheBindings) bindings: CacheBindings) {
    this.#bindings = bindings;
  }

  /**
   * A store of the module by name, or the default store when no name is given.
   * An unknown name throws, naming the known ones.
   *
   * @param name - a key of `CacheModule.forRoot({ stores })`
   * @default the default store
   * @example
   * ```ts
   * const sessions = cacheService.getStore('sessions');
   * await sessions.set('token', { userId: 1 }, { ttl: 60_000 });
   * ```
   */
  getStore(name?: string): CacheStore {
    const stores = this.#bindings.stores;
    if (name === undefined) return stores.default;
    const store = stores.get(name);
    if (store === undefined) throw new UnknownStoreError(name, messages.GET_UNKNOWN_STORE(name, stores.names));
    return store;
  }

  /**
   * The manual cache API (`get`, `set`, single-flight `getOrSet`, scopes...)
   * over one of the module's stores. The store stays the module's: closing
   * the returned cache does not close it. Caches with the same `prefix` (and
   * `version`) in one store share their entries.
   *
   * @param options - the store's name and the options of `new Cache()`
   * @default {} (the default store, prefix 'cache')
   * @example
   * ```ts
   * const sessions = cacheService.cache<Session>({ store: 'redis', prefix: 'sessions', ttl: '15m' });
   * const session = await sessions.getOrSet(token, () => loadSession(token));
   * ```
   */
  cache<V = unknown>(options: ModuleCacheOptions = {}): Cache<V> {
    const { store, ...rest } = options;
    return new Cache<V>({ ...rest, store: this.getStore(store) });
  }

  /**
   * The names of the module's stores, the default's included.
   *
   * @example
   * ```ts
   * cacheService.storeNames(); // ['main', 'sessions', 'default']
   * ```
   */
  storeNames(): string[] {
    return this.#bindings.stores.names;
  }

  /**
   * Removes the entry for these arguments from this application's cache of
   * the method (other applications in the process keep theirs). A load in
   * flight for that key will not store its result. Arguments are typed by the
   * method's parameters.
   *
   * @returns whether an entry was removed
   * @example
   * ```ts
   * await cacheService.invalidateCache(userService.getUser, 42);
   * ```
   */
  invalidateCache<F extends CachedFunction>(method: F, ...args: Parameters<F>): Promise<boolean> {
    try {
      return this.#binding('CacheService.invalidateCache', method).engine.invalidateArgs(undefined, args);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * What this application's cache of the method holds for these arguments,
   * and why: the key, the store (by its module name) and tier where the
   * entry lives, its age, freshness left and window, tags, and the last
   * invalidation of its key or namespace (made here, by a tiered peer, or
   * logged by Redis). Reads only. Arguments are typed by the method's
   * parameters; under `vary`, call it in the request's context.
   *
   * @example
   * ```ts
   * const why = await cacheService.explain(productsService.get, 42);
   * // { key: 42, store: 'redis', tier: 'l1', ageMs: undefined, ttlLeftMs: 41_250, tags: [],
   * //   window: 'fresh', lastInvalidation: { kind: 'key', at: 1764937000000, from: 'api-2#311#9f…' } }
   * ```
   */
  explain<F extends CachedFunction>(method: F, ...args: Parameters<F>): Promise<CacheExplanation> {
    try {
      return this.#binding('CacheService.explain', method).engine.explainArgs(undefined, args);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Removes every entry of the method from this application's cache. Loads in
   * flight will not store their results.
   *
   * @example
   * ```ts
   * await cacheService.clearCache(userService.getUser);
   * ```
   */
  clearCache(method: CachedFunction): Promise<void> {
    try {
      return this.#binding('CacheService.clearCache', method).engine.clear();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * The method's figures in this application.
   *
   * @example
   * ```ts
   * const { hits, misses, hitRate } = cacheService.cacheStats(userService.getUser);
   * ```
   */
  cacheStats(method: CachedFunction): MethodStats {
    return this.#binding('CacheService.cacheStats', method).engine.stats();
  }

  /**
   * Every cached method bound in this application, with its store and figures.
   *
   * @example
   * ```ts
   * console.table(cacheService.stats().map((m) => ({ id: m.id, store: m.store, hitRate: m.stats.hitRate })));
   * ```
   */
  stats(): BoundCachedMethodInfo[] {
    return this.#bindings.all().map(({ definition, engine, storeName }) => ({
      id: definition.id,
      className: definition.className,
      methodName: definition.methodName,
      kind: definition.settings.kind,
      store: storeName,
      maxSize: definition.engines.bucketLimit(engine),
      ttl: definition.settings.ttl,
      stats: engine.stats(),
    }));
  }

  /**
   * The sizing advisor's report on this application's cached methods: one
   * per method (or shared scope) whose advisor is on, with the estimated
   * hit rate at 0.25×–8× its `maxSize` and 0.25×–4× its TTL, the memory
   * each size takes and the recommended size (see docs/advisor.md). With a
   * method: that method's report, and a TypeError when its advisor is off.
   *
   * @example
   * ```ts
   * for (const advice of cacheService.advise()) {
   *   console.log(advice.method, advice.maxSize, '→', advice.recommendation?.maxSize);
   * }
   * const products = cacheService.advise(catalog.getProduct);
   * ```
   */
  advise(): CacheAdvice[];
  advise(method: CachedFunction): CacheAdvice;
  advise(method?: CachedFunction): CacheAdvice | CacheAdvice[] {
    if (method !== undefined) {
      const { definition, engine } = this.#binding('CacheService.advise', method);
      const advice = definition.engines.advice(engine);
      if (advice === undefined) throw new TypeError(messages.ADVISOR_OFF(definition.where));
      return advice;
    }
    const seen = new Set<unknown>();
    const all: CacheAdvice[] = [];
    for (const { definition, engine } of this.#bindings.all()) {
      const sampler = engine.sampler;
      if (sampler === undefined || seen.has(sampler)) continue; // a scope's methods share one
      seen.add(sampler);
      const advice = definition.engines.advice(engine);
      if (advice !== undefined) all.push(advice);
    }
    return all;
  }

  #binding(api: string, method: unknown): MethodBinding {
    const definition = registry.definitionOf(api, method);
    const binding = this.#bindings.get(definition);
    if (binding === undefined)
      throw new MethodNotBoundError(definition.where, messages.NOT_BOUND_IN_APP(api, definition.where));
    return binding;
  }
}
