import { channels } from '../util/diagnostics.js';
import { explainKey, type CacheExplanation } from './explain.js';
import { cacheEvents, type CacheEvents } from '../util/events.js';
import type { StoreKey } from '../keys/keys.js';
import { messages } from '../util/messages.js';
import type { CacheStore, StoreEntry, SyncStoreOps } from '../stores/contract.js';
import { InFlight, type Load } from './in-flight.js';
import { loadsIsolated } from './isolation.js';
import { invokeMethod, LoadRunner } from './load-runner.js';
import { within } from './load-timeout.js';
import { loadPolicy, type CallOptions, type EngineMethod, type LoadPolicy } from './method.js';
import { MethodCounters, type MethodStats } from './stats.js';
import { keyHash } from './advisor/key-hash.js';
import type { ReuseSampler } from './advisor/sampler.js';
import { adviceOf } from './advisor/advise.js';
import type { CacheAdvice } from './advisor/advice.js';
import { valueBytes } from './advisor/value-bytes.js';
import { EngineStore } from './store-adapter.js';

/** The figures of a store without `stats()`: it reports no entries and no evictions. */
const NO_STORE_STATS = { size: 0, evictions: 0 } as const;

/**
 * The memoization engine for one method bound to one store namespace:
 * single-flight per key, rejections shared but never cached, every resolved
 * value cached (`undefined` and `null` included) unless `shouldCache` says no,
 * and invalidations that overtake in-flight loads keep their values out.
 *
 * This class holds the hit path and the invalidations; a miss goes to the
 * {@link LoadRunner}, the loads in flight are in {@link InFlight}, the store
 * is reached through {@link EngineStore}, the figures are {@link MethodCounters}.
 *
 * @example
 * ```ts
 * const engine = new MethodCache(method, new MemoryStore().namespace('Svc.get'));
 * await engine.call(svc, [42], undefined);
 * ```
 */
export class MethodCache {
  readonly #method: EngineMethod;
  /** Hits served by the synchronous path (the other figures are in #counters). */
  #syncHits = 0;
  readonly #store: CacheStore;
  /** Synchronous reads for the hit path (complete or partial tier). */
  readonly #sync: SyncStoreOps | undefined;
  /** A miss must be read from the store before loading (no synchronous tier, or only a partial one). */
  readonly #readFirst: boolean;
  /** What this method's calls load and write under. */
  readonly #policy: LoadPolicy;
  readonly #events: CacheEvents;
  readonly #counters = new MethodCounters();
  readonly #inFlight = new InFlight();
  readonly #adapter: EngineStore;
  readonly #runner: LoadRunner;
  readonly #stopEvictEvents: (() => void) | undefined;
  readonly #stopRemote: (() => void) | undefined;
  /** The sizing advisor's sampler (shared by the methods of a scope); `undefined`: off. */
  #sampler: ReuseSampler | undefined;

  constructor(
    method: EngineMethod,
    store: CacheStore,
    events: CacheEvents = cacheEvents,
    options: {
      readonly ownsNamespace?: boolean;
      /** The store's name where it has one (a NestJS module's store), for diagnostics; else its kind. */
      readonly storeName?: string | undefined;
      /** The sizing advisor's sampler: every call that reads the cache is recorded in it. */
      readonly sampler?: ReuseSampler | undefined;
    } = {},
  ) {
    if (method.failSafe !== undefined && store.getFailSafe === undefined) {
      throw new TypeError(messages.FAIL_SAFE_NEEDS_STALE_READS(method.where, store.kind));
    }
    if (method.freshness?.staleWhileRevalidate !== undefined && store.getFailSafe === undefined) {
      throw new TypeError(messages.SWR_NEEDS_STALE_READS(method.where, store.kind));
    }
    this.#policy = loadPolicy(method.ttl, method.failSafe, method.freshness);
    this.#method = method;
    this.#store = store;
    this.#events = events;
    this.#adapter = new EngineStore(method, store, this.#counters, events, options.storeName);
    this.#runner = new LoadRunner(method, this.#adapter, this.#inFlight, this.#counters, events);
    this.#sync = store.sync;
    this.#readFirst = this.#adapter.owned === undefined;
    this.#sampler = options.sampler;
    // In a bucket shared by several methods (a scope), an eviction cannot be attributed to one of them.
    if (options.ownsNamespace !== false && store.onEvict !== undefined) {
      this.#stopEvictEvents = store.onEvict((key) => {
        if (this.#events.active) this.#events.emit('evict', { source: this.#method.id, key });
      });
    }
    // Another process invalidated: a load in flight here may predate it, so later callers start afresh.
    this.#stopRemote = store.onInvalidate?.((key, origin) => {
      if (key === undefined) this.#inFlight.abandonAll();
      else this.#inFlight.abandon(key);
      if (origin !== undefined && channels.invalidate.hasSubscribers) {
        const { from, traceparent } = origin;
        channels.invalidate.publish({ source: this.#method.id, key, all: key === undefined, from, traceparent });
      }
    });
  }

  /** The store's name in a NestJS module, else its kind (`memory`, `redis`, `tiered`...): what telemetry reports. */
  get storeName(): string {
    return this.#adapter.label;
  }

  /** The namespace this method's entries live in. */
  get store(): CacheStore {
    return this.#store;
  }

  /** What this method's calls load and write under (a manual call with options of its own derives one). */
  get policy(): LoadPolicy {
    return this.#policy;
  }

  /** The sizing advisor's sampler; `undefined` when the advisor is off. */
  get sampler(): ReuseSampler | undefined {
    return this.#sampler;
  }

  /**
   * Starts recording calls in `sampler` (a scope's sampler created after
   * this engine, when another method of the scope turned the advisor on).
   */
  attachSampler(sampler: ReuseSampler): void {
    this.#sampler = sampler;
  }

  /** Records a call of `key` served outside {@link MethodCache.callWithKey} (a batch read) in the advisor's sample. */
  recordCall(key: StoreKey): void {
    this.#sampler?.record(key);
  }

  /** Number of loads in flight (bounded by distinct keys being loaded). */
  get inflightCount(): number {
    return this.#inFlight.count;
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
    return this.callWithKey(key, self, args, options, this.#policy);
  }

  /**
   * Serves one call whose key is already known (the manual `Cache` API uses
   * it, with a policy of its own when the call states options).
   */
  callWithKey(
    key: StoreKey,
    self: unknown,
    args: unknown[],
    options: CallOptions | undefined,
    policy: LoadPolicy,
  ): Promise<unknown> {
    if (options === undefined) {
      const sampler = this.#sampler;
      const sync = this.#sync;
      if (sync !== undefined) {
        const entry = sync.get(key);
        if (entry !== undefined) {
          // The entry memoizes its key's hash: a hit of a string key hashes nothing.
          if (sampler !== undefined) sampler.recordHashed(key, (entry.keyHash ??= keyHash(key)));
          this.#syncHits++;
          if (this.#events.active) this.#events.emit('hit', { source: this.#method.id, key });
          if (channels.hit.hasSubscribers) channels.hit.publish({ source: this.#method.id, key });
          const below = policy.refreshBelow;
          if (below !== undefined) this.#refreshAhead(sync, key, self, args, policy, entry, below);
          return (entry.promise ??= Promise.resolve(entry.value));
        }
      }
      const sampled = sampler !== undefined && sampler.record(key);
      if (loadsIsolated()) return this.#isolatedLoad(self, args, key);
      const running = this.#inFlight.running(key);
      if (running !== undefined) return this.#join(running);
      const owned = this.#adapter.owned;
      const swr = policy.freshness?.staleWhileRevalidate;
      if (swr !== undefined && owned !== undefined) {
        // An in-process store: an expired value within the window is served now, and reloaded in the background.
        const stale = owned.getFailSafe(key);
        if (stale !== undefined && within(stale, swr, policy)) {
          return this.#runner.refresh(self, args, key, policy, stale, 'stale');
        }
      }
      const loading = this.#runner.start(self, args, key, this.#readFirst, policy);
      if (sampled) this.#measure(sampler, key, loading);
      return loading;
    }
    if (options.useCache === false) {
      this.#counters.bypassed++;
      return invokeMethod(this.#method, self, args);
    }
    this.#sampler?.record(key);
    if (loadsIsolated()) return this.#isolatedLoad(self, args, key);
    // refresh: a load already running may predate what the caller knows; it must not overwrite ours.
    const running = this.#inFlight.running(key);
    if (running !== undefined) running.stale = true;
    return this.#runner.start(self, args, key, false, policy);
  }

  /** A sampled key's load: the bytes of its value and key go to the advisor's mean (what a size would take). */
  #measure(sampler: ReuseSampler, key: StoreKey, loading: Promise<unknown>): void {
    loading.then(
      (value) => sampler.addValueBytes(valueBytes(value) + valueBytes(key)),
      () => undefined, // the caller sees the rejection
    );
  }

  /**
   * Joins the load in flight for `key`, or starts one without reading the
   * store first (the caller already knows it is a miss).
   */
  loadMissing(key: StoreKey, self: unknown, args: unknown[], policy: LoadPolicy): Promise<unknown> {
    const running = this.#inFlight.running(key);
    if (running !== undefined) return this.#join(running);
    return this.#runner.start(self, args, key, false, policy);
  }

  /**
   * A miss inside a cache transaction: the store is read (a hit is served),
   * but the method's value, which may come from writes not committed yet, is
   * neither shared with other callers nor stored.
   */
  #isolatedLoad(self: unknown, args: unknown[], key: StoreKey): Promise<unknown> {
    const counters = this.#counters;
    const load = (): Promise<unknown> => {
      counters.bypassed++;
      return invokeMethod(this.#method, self, args);
    };
    if (this.#adapter.owned !== undefined) return load();
    return this.#adapter.read(key, true, false).then((read) => {
      this.#adapter.releaseLease(key, read.lease); // this process does not load for the others
      if (read.entry === undefined) return load();
      counters.hits++;
      return read.entry.value;
    });
  }

  /** A call for a key being loaded: it waits for the load, or gets the value a background reload stands in with. */
  #join(running: Load): Promise<unknown> {
    const meanwhile = running.meanwhile;
    if (meanwhile === undefined) {
      this.#counters.joins++;
      return running.rejoin === undefined ? running.promise : running.rejoin();
    }
    if (running.meanwhileStale) this.#counters.staleWhileRevalidateServed++;
    else this.#counters.hits++;
    return meanwhile;
  }

  /** A hit with less freshness left than `refreshAhead` allows starts one background reload. */
  #refreshAhead(
    sync: SyncStoreOps,
    key: StoreKey,
    self: unknown,
    args: unknown[],
    policy: LoadPolicy,
    entry: StoreEntry,
    below: number,
  ): void {
    const left = sync.expiresIn?.(key);
    if (left !== undefined && left < below) void this.#runner.refresh(self, args, key, policy, entry, 'ahead');
  }

  /** A value for `key` is being written directly: a load in flight for it must not overwrite it. */
  abandonLoad(key: StoreKey): void {
    this.#inFlight.abandon(key);
  }

  /**
   * Removes the entry for `key`. A load in flight for it keeps serving its own
   * callers but will not store; the next caller starts a fresh load.
   */
  invalidateKey(key: StoreKey): Promise<boolean> {
    this.#inFlight.abandon(key);
    if (this.#events.active) this.#events.emit('invalidate', { source: this.#method.id, key, all: false });
    if (channels.invalidate.hasSubscribers) channels.invalidate.publish({ source: this.#method.id, key, all: false });
    return this.#adapter.delete(key);
  }

  /**
   * What the store holds for the key of these call arguments, and why
   * (see {@link CacheExplanation}). Reads only.
   */
  explainArgs(self: unknown, args: unknown[]): Promise<CacheExplanation> {
    return this.#withKey(self, args, (key) => this.explain(key));
  }

  /** What the store holds for `key`, and why (see {@link CacheExplanation}). Reads only. */
  explain(key: StoreKey): Promise<CacheExplanation> {
    return explainKey(this.#store, key, this.#policy, this.#adapter.label);
  }

  /** Removes the entry for these call arguments. */
  invalidateArgs(self: unknown, args: unknown[]): Promise<boolean> {
    return this.#withKey(self, args, (key) => this.invalidateKey(key));
  }

  /** `then` on the key of these call arguments; a rejection when they cannot make one. */
  #withKey<T>(self: unknown, args: unknown[], then: (key: StoreKey) => Promise<T>): Promise<T> {
    let key: StoreKey;
    try {
      key = this.#method.keyOf(self, args);
    } catch (error) {
      return Promise.reject(error);
    }
    return then(key);
  }

  /** Removes every entry; loads in flight will not store. */
  clear(): Promise<void> {
    this.#inFlight.abandonAll();
    if (this.#events.active) this.#events.emit('invalidate', { source: this.#method.id, all: true });
    if (channels.invalidate.hasSubscribers) channels.invalidate.publish({ source: this.#method.id, all: true });
    return this.#adapter.clear();
  }

  /**
   * Opens a mutation window on `key`: evicts it now, and until the matching
   * {@link MethodCache.endMutation} no load of that key stores its value.
   */
  beginMutation(key: StoreKey): Promise<boolean> {
    this.#inFlight.beginMutation(key);
    return this.invalidateKey(key);
  }

  /** Closes a mutation window on `key` and evicts it again (loads still in flight will not store). */
  endMutation(key: StoreKey): Promise<boolean> {
    this.#inFlight.endMutation(key);
    return this.invalidateKey(key);
  }

  /**
   * Closes a mutation window on `key` by storing `value` as its entry
   * (write-through): loads still in flight, or started during the window,
   * never overwrite it. `args`: the call's arguments the entry is for (a
   * `ttl` function reads them). A failed write is counted and reported; the
   * entry is then absent, never stale.
   */
  endMutationWith(key: StoreKey, value: unknown, args: unknown[]): Promise<void> {
    this.#inFlight.endMutation(key);
    this.#inFlight.abandon(key);
    const options = this.#runner.writeOptionsFor(value, args, this.#policy);
    if (options === false) return this.invalidateKey(key).then(() => undefined);
    return this.#adapter.write(key, value, options);
  }

  /** Opens a clear-all mutation window: clears now, and no load stores until it ends. */
  beginClearAll(): Promise<void> {
    this.#inFlight.beginClearAll();
    return this.clear();
  }

  /** Closes a clear-all window and clears again. */
  endClearAll(): Promise<void> {
    this.#inFlight.endClearAll();
    return this.clear();
  }

  /** Stops listening to the store (the binding's app shut down). */
  dispose(): void {
    this.#stopEvictEvents?.();
    this.#stopRemote?.();
  }

  /**
   * The sizing advisor's report on this binding's bucket, named `label`
   * (the method, or the scope it shares); `undefined` when the advisor is off.
   */
  advice(label: string): CacheAdvice | undefined {
    const sampler = this.#sampler;
    if (sampler === undefined) return undefined;
    const maxSize = this.#store.stats?.().maxSize;
    return adviceOf(sampler, { method: label, store: this.#adapter.label, maxSize });
  }

  /** A snapshot of this binding's figures. */
  stats(): MethodStats {
    return this.#counters.snapshot(this.#store.stats?.() ?? NO_STORE_STATS, this.#syncHits);
  }
}
