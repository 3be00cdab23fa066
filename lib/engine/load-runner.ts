import { NotAPromiseError } from '../util/errors.js';
import type { CacheEvents } from '../util/events.js';
import { messages } from '../util/messages.js';
import type { StoreKey } from '../keys/keys.js';
import type { StoreSetOptions } from '../stores/contract.js';
import type { InFlight, Load } from './in-flight.js';
import type { EngineMethod } from './method.js';
import type { MethodCounters } from './stats.js';
import type { EngineStore } from './store-adapter.js';

/** `options` with the store's load token for the write, when it gave one. */
const withToken = (options: StoreSetOptions | undefined, token: unknown): StoreSetOptions | undefined =>
  token === undefined ? options : { ...options, loadToken: token };

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
 * 2. runs the method;
 * 3. stores its value, unless an invalidation overtook the load or
 *    `shouldCache` says no: in place on an in-process store, else awaited
 *    (read-your-writes) or, with `awaitWrite: false`, in the background. If
 *    the method rejected: serves the fail-safe value when there is one, else
 *    rejects every caller (rejections are never cached);
 * 4. unregisters the load and gives up the lease.
 *
 * Each step is one method below, in this order. The steps are chained with
 * `then`, not written as one async function: a miss on an in-process store
 * then costs no async frame, which is most of the miss path's time.
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
    load.promise = readFirst
      ? this.#readFirst(load, self, args, key, options)
      : this.#store.hasLoadTokens
        ? this.#store
            .loadToken(load, key)
            .then((token) => this.#load(load, self, args, key, withToken(options, token), undefined))
        : this.#load(load, self, args, key, options, undefined);
    return load.promise;
  }

  /** 1. Reads the store: a hit ends the load; a miss brings the store's load token and maybe a lease. */
  #readFirst(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    options: StoreSetOptions | undefined,
  ): Promise<unknown> {
    return this.#store.read(key).then((read) => {
      const entry = read.entry;
      if (entry === undefined) return this.#load(load, self, args, key, withToken(options, read.token), read.lease);
      try {
        this.#counters.hits++;
        if (this.#events.active) this.#events.emit('hit', { source: this.#method.id, key });
        return entry.value;
      } finally {
        this.#inFlight.release(key, load);
      }
    });
  }

  /** 2. Runs the method (a miss). */
  #load(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    options: StoreSetOptions | undefined,
    lease: unknown,
  ): Promise<unknown> {
    this.#counters.misses++;
    if (this.#events.active) this.#events.emit('miss', { source: this.#method.id, key });
    const started = this.#counters.loadStarted();
    return invokeMethod(this.#method, self, args).then(
      (value) => this.#loaded(load, args, key, value, options, lease, started),
      (error: unknown) => this.#failed(load, key, error, lease),
    );
  }

  /**
   * 3. The method resolved: stores the value unless an invalidation overtook
   * the load or `shouldCache` refuses it, then ends the load.
   */
  #loaded(
    load: Load,
    args: unknown[],
    key: StoreKey,
    value: unknown,
    options: StoreSetOptions | undefined,
    lease: unknown,
    started: number,
  ): unknown {
    this.#counters.loaded(started);
    let endsNow = true;
    try {
      if (!this.#inFlight.mayStore(load, key) || !this.#shouldCache(value, args)) return value;
      const owned = this.#store.owned;
      if (owned !== undefined) {
        owned.set(key, value, options);
        if (this.#events.active) this.#events.emit('set', { source: this.#method.id, key });
        return value;
      }
      // The load stays registered until the write settled, so callers arriving meanwhile join it.
      endsNow = false;
      const written = this.#store.write(key, value, options).then(() => this.#done(load, key, lease));
      // Read-your-writes: this call and the callers that joined it resolve once the store answered,
      // so any process asked next finds the value; with `awaitWrite: false` they resolve now. A
      // failed or timed-out write (the store bounds it) is counted; the callers still get their value.
      return this.#backgroundWrite ? value : written.then(() => value);
    } finally {
      if (endsNow) this.#done(load, key, lease);
    }
  }

  /**
   * 3. (error) The method rejected: the error is reported, and every caller gets it,
   * or the fail-safe value when there is one. Rejections are never cached.
   */
  #failed(load: Load, key: StoreKey, error: unknown, lease: unknown): unknown {
    this.#counters.loadErrors++;
    if (this.#events.active) this.#events.emit('error', { source: this.#method.id, operation: 'load', key, error });
    if (this.#method.failSafe === undefined) {
      this.#done(load, key, lease);
      throw error;
    }
    return this.#store.readFailSafe(key).then((stale) => {
      this.#done(load, key, lease);
      if (stale === undefined) throw error;
      this.#counters.failSafeServed++;
      return stale.value;
    });
  }

  /** 4. The load ends: later callers start a new one; the lease is given up. */
  #done(load: Load, key: StoreKey, lease: unknown): void {
    this.#inFlight.release(key, load);
    this.#store.releaseLease(key, lease);
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
