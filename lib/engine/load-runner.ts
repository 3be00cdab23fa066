import { NotAPromiseError } from '../util/errors.js';
import type { CacheEvents } from '../util/events.js';
import { messages } from '../util/messages.js';
import type { StoreKey } from '../keys/keys.js';
import type { StoreSetOptions } from '../stores/contract.js';
import type { InFlight, Load } from './in-flight.js';
import type { EngineMethod } from './method.js';
import type { MethodCounters } from './stats.js';
import type { EngineStore } from './store-adapter.js';

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

/**
 * Runs the original method; a non-promise result is an error naming the method.
 *
 * @internal
 *
 * @example
 * ```ts
 * const value = await invokeMethod(method, svc, [42]);
 * ```
 */
export function invokeMethod(method: EngineMethod, self: unknown, args: unknown[]): Promise<unknown> {
  let result: unknown;
  try {
    result = method.original.apply(self, args);
  } catch (error) {
    return Promise.reject(error);
  }
  if (!isThenable(result)) {
    return Promise.reject(new NotAPromiseError(method.where, messages.NOT_A_PROMISE(method.where, result)));
  }
  return Promise.resolve(result);
}

/**
 * The miss path of one binding: the single-flight load runner. A load is
 * registered in {@link InFlight} as it starts (callers arriving meanwhile
 * join it), then, top to bottom:
 *
 * 1. reads the store first when the caller could not (an asynchronous
 *    store): a hit ends the load; a miss brings the store's load token and,
 *    under a `lease`, this process's lease. A load that does not read first
 *    asks the store for a load token, if the store has them;
 * 2. runs the method; if it rejects, serves the fail-safe value when there
 *    is one, else rejects every caller (rejections are never cached);
 * 3. stores the value, unless an invalidation overtook the load or
 *    `shouldCache` says no: in place on an in-process store, else awaited
 *    (read-your-writes) or, with `awaitWrite: false`, in the background;
 * 4. unregisters the load and gives up the lease.
 *
 * @internal
 *
 * @example
 * ```ts
 * const runner = new LoadRunner(method, adapter, inFlight, counters, cacheEvents);
 * const value = await runner.start(svc, [42], 42, true, undefined);
 * ```
 */
export class LoadRunner {
  readonly #method: EngineMethod;
  readonly #store: EngineStore;
  readonly #inFlight: InFlight;
  readonly #counters: MethodCounters;
  readonly #events: CacheEvents;
  /** Loads write to an asynchronous store without waiting for it (`awaitWrite: false`). */
  readonly #backgroundWrite: boolean;

  constructor(
    method: EngineMethod,
    store: EngineStore,
    inFlight: InFlight,
    counters: MethodCounters,
    events: CacheEvents,
  ) {
    this.#method = method;
    this.#store = store;
    this.#inFlight = inFlight;
    this.#counters = counters;
    this.#events = events;
    this.#backgroundWrite = method.awaitWrite === false;
  }

  /**
   * Starts a load of `key` (replacing any in flight) and returns its promise.
   * `readFirst`: the store was not read yet (asynchronous stores); `false`
   * for an in-process store's miss, a refresh, or a key known to be missing.
   */
  start(
    self: unknown,
    args: unknown[],
    key: StoreKey,
    readFirst: boolean,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    const load = this.#inFlight.begin(key);
    const tagged = this.#method.tags !== undefined || setOptions?.tags !== undefined;
    const options = tagged ? this.#withTags(load, setOptions, args) : setOptions;
    load.promise = this.#run(load, self, args, key, readFirst, options);
    return load.promise;
  }

  async #run(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    readFirst: boolean,
    setOptions: StoreSetOptions | undefined,
  ): Promise<unknown> {
    const id = this.#method.id;
    let lease: unknown;
    let releaseNow = true;
    try {
      // 1. The store's answer, or its load token.
      let token: unknown;
      if (readFirst) {
        const read = await this.#store.read(key);
        if (read.entry !== undefined) {
          this.#counters.hits++;
          if (this.#events.active) this.#events.emit('hit', { source: id, key });
          return read.entry.value;
        }
        token = read.token;
        lease = read.lease;
      } else if (this.#store.hasLoadTokens) {
        token = await this.#store.loadToken(load, key);
      }
      if (token !== undefined) setOptions = { ...setOptions, loadToken: token };

      // 2. The method.
      this.#counters.misses++;
      if (this.#events.active) this.#events.emit('miss', { source: id, key });
      const started = this.#counters.loadStarted();
      let value: unknown;
      try {
        value = await invokeMethod(this.#method, self, args);
      } catch (error) {
        this.#counters.loadErrors++;
        if (this.#events.active) this.#events.emit('error', { source: id, operation: 'load', key, error });
        const stale = this.#method.failSafe === undefined ? undefined : await this.#store.readStale(key);
        if (stale === undefined) throw error;
        this.#counters.staleServed++;
        return stale.value;
      }
      this.#counters.loaded(started);

      // 3. The write.
      if (this.#inFlight.mayStore(load, key) && this.#shouldCache(value, args)) {
        const owned = this.#store.owned;
        if (owned !== undefined) {
          owned.set(key, value, setOptions);
          if (this.#events.active) this.#events.emit('set', { source: id, key });
        } else if (this.#backgroundWrite) {
          // Keep the load registered until the write lands, so callers arriving meanwhile join it.
          releaseNow = false;
          this.#writeInBackground(load, key, value, setOptions, lease);
        } else {
          // Read-your-writes: this call and the callers that joined it resolve once the store
          // answered, so any process asked next finds the value. A failed or timed-out write
          // (the store bounds it) is counted; the callers still get their value.
          await this.#store.write(key, value, setOptions);
        }
      }
      return value;
    } finally {
      // 4. Done.
      if (releaseNow) this.#done(load, key, lease);
    }
  }

  #done(load: Load, key: StoreKey, lease: unknown): void {
    this.#inFlight.release(key, load);
    this.#store.releaseLease(key, lease);
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
    void this.#store.write(key, value, setOptions).finally(() => this.#done(load, key, lease));
  }

  /**
   * Adds the entry's tags and the store's tag clock read now, at load start:
   * an invalidation of those tags while the load runs makes its entry
   * unreachable. If the tags cannot be computed, the load will not store.
   */
  #withTags(load: Load, setOptions: StoreSetOptions | undefined, args: unknown[]): StoreSetOptions | undefined {
    try {
      const tags = setOptions?.tags ?? this.#method.tags?.(args);
      return { ...setOptions, tags, tagStamp: this.#store.tagStamp() };
    } catch (error) {
      load.stale = true;
      this.#store.failed('set', undefined, error);
      return setOptions;
    }
  }

  #shouldCache(value: unknown, args: readonly unknown[]): boolean {
    const predicate = this.#method.shouldCache;
    if (predicate === undefined) return true;
    try {
      return predicate(value, args) === true;
    } catch (error) {
      this.#store.failed('shouldCache', undefined, error);
      return false;
    }
  }
}
