import { NotAPromiseError } from '../util/errors.js';
import { channels, type LoadMessage } from '../util/diagnostics.js';
import type { CacheEvents } from '../util/events.js';
import { messages } from '../util/messages.js';
import type { StoreKey } from '../keys/keys.js';
import type { StoreEntry, StoreSetOptions } from '../stores/contract.js';
import type { InFlight, Load } from './in-flight.js';
import type { EngineMethod, LoadPolicy } from './method.js';
import type { MethodCounters } from './stats.js';
import type { EngineStore, Read } from './store-adapter.js';
import { boundLoad, within, type TimeoutScope } from './load-timeout.js';
import { derivedWriteOptions } from './write-options.js';

/** `options` with the store's load token for the write, when it gave one. */
const withToken = (options: StoreSetOptions | undefined, token: unknown): StoreSetOptions | undefined =>
  token === undefined ? options : { ...options, loadToken: token };

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

const now = (): number => performance.now();

/** Why a background reload runs: an expired entry served meanwhile, or a fresh one near its expiry. */
type RefreshReason = 'stale' | 'ahead';

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
 * const value = await runner.start(svc, [42], 42, true, loadPolicy(method.ttl, method.failSafe, method.freshness));
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
  /** What a caller's bounded wait (`timeout`) needs of this binding. */
  readonly #timeoutScope: TimeoutScope;

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
    this.#timeoutScope = { where: method.where, store, counters };
  }

  /**
   * Starts a background reload of `key` (stale-while-revalidate, refresh-ahead)
   * unless a load of it is already in flight. Callers arriving while it runs
   * get `current` at once. Resolves with `current`.
   */
  refresh(
    self: unknown,
    args: unknown[],
    key: StoreKey,
    policy: LoadPolicy,
    current: StoreEntry,
    reason: RefreshReason,
  ): Promise<unknown> {
    const served = Promise.resolve(current.value);
    if (reason === 'stale') this.#counters.staleWhileRevalidateServed++;
    if (this.#inFlight.running(key) !== undefined) return served;
    const load = this.#inFlight.begin(key);
    load.promise = load.meanwhile = served;
    load.meanwhileStale = reason === 'stale';
    const options = this.#startOptions(load, policy, args);
    const reload = this.#store.hasLoadTokens
      ? this.#store
          .loadToken(load, key)
          .then((token) => this.#reload(load, self, args, key, withToken(options, token), undefined, policy))
      : this.#reload(load, self, args, key, options, undefined, policy);
    reload.then(undefined, () => {}); // counted and reported by #failed
    return served;
  }

  /** Runs a background reload that `load` (registered, with its stand-in) already stands for. */
  #reload(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    options: StoreSetOptions | undefined,
    lease: unknown,
    policy: LoadPolicy,
  ): Promise<unknown> {
    this.#counters.refreshes++;
    if (this.#events.active) this.#events.emit('refresh', { source: this.#method.id, key });
    return this.#load(load, self, args, key, options, lease, true, policy);
  }

  /**
   * Starts a load of `key` (replacing any in flight) and returns its promise.
   * `readFirst`: the store was not read yet (asynchronous stores); `false`
   * for an in-process store's miss, a refresh, or a key known to be missing.
   */
  start(self: unknown, args: unknown[], key: StoreKey, readFirst: boolean, policy: LoadPolicy): Promise<unknown> {
    const load = this.#inFlight.begin(key);
    const options = this.#startOptions(load, policy, args);
    load.promise = readFirst
      ? this.#readFirst(load, self, args, key, options, policy)
      : this.#store.hasLoadTokens
        ? this.#store
            .loadToken(load, key)
            .then((token) => this.#load(load, self, args, key, withToken(options, token), undefined, false, policy))
        : this.#load(load, self, args, key, options, undefined, false, policy);
    return load.promise;
  }

  /** The options a load starting now writes with: the policy's, with the entry's tags and the tag clock read now. */
  #startOptions(load: Load, policy: LoadPolicy, args: unknown[]): StoreSetOptions | undefined {
    const write = policy.write;
    const tagged =
      this.#method.tags !== undefined || write?.tags !== undefined || policy.freshness?.tagsOf !== undefined;
    return tagged ? this.#withTags(load, write, args) : write;
  }

  /**
   * 1. Reads the store: a hit ends the load (and, near its expiry, starts a
   * refresh-ahead); a miss brings the store's load token and maybe a lease,
   * and with `staleWhileRevalidate` an expired value within the window is
   * served while this load goes on in the background.
   */
  #readFirst(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    options: StoreSetOptions | undefined,
    policy: LoadPolicy,
  ): Promise<unknown> {
    const swr = policy.freshness?.staleWhileRevalidate;
    const below = policy.refreshBelow;
    return this.#store.read(key, swr !== undefined, below !== undefined).then((read) => {
      const entry = read.entry;
      if (entry === undefined) {
        if (swr === undefined)
          return this.#load(load, self, args, key, withToken(options, read.token), read.lease, false, policy);
        return this.#staleOrLoad(load, self, args, key, options, read, swr, policy);
      }
      const value = this.#hit(load, key, entry);
      if (below !== undefined && entry.expiresIn !== undefined && entry.expiresIn < below) {
        void this.refresh(self, args, key, policy, entry, 'ahead');
      }
      return value;
    });
  }

  /**
   * 1. (stale-while-revalidate) A miss: an expired value within the window is
   * served and this load reloads in the background, or, while another process
   * holds the lease, no load runs here; without one, a normal load.
   */
  #staleOrLoad(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    options: StoreSetOptions | undefined,
    read: Read,
    swr: number,
    policy: LoadPolicy,
  ): Promise<unknown> {
    return this.#store.readFailSafe(key).then((stale) => {
      if (stale !== undefined && within(stale, swr, policy)) {
        this.#counters.staleWhileRevalidateServed++;
        if (read.held === true) {
          this.#inFlight.release(key, load); // another process reloads it
          return stale.value;
        }
        load.meanwhile = Promise.resolve(stale.value);
        load.meanwhileStale = true;
        this.#reload(load, self, args, key, withToken(options, read.token), read.lease, policy).then(
          undefined,
          () => {},
        );
        return stale.value;
      }
      if (read.held !== true)
        return this.#load(load, self, args, key, withToken(options, read.token), read.lease, false, policy);
      // Nothing to serve meanwhile: wait for the other process's load as any call does.
      return this.#store
        .read(key, false, false)
        .then((again) =>
          again.entry !== undefined
            ? this.#hit(load, key, again.entry)
            : this.#load(load, self, args, key, withToken(options, again.token), again.lease, false, policy),
        );
    });
  }

  /** A hit found by a load's read: counted, and the load ends. */
  #hit(load: Load, key: StoreKey, entry: StoreEntry): unknown {
    this.#counters.hits++;
    if (this.#events.active) this.#events.emit('hit', { source: this.#method.id, key });
    if (channels.hit.hasSubscribers) channels.hit.publish({ source: this.#method.id, key });
    this.#inFlight.release(key, load);
    return entry.value;
  }

  /** 2. Runs the method (a miss, or a background reload: `refresh`), bounded by `timeout` for a caller's load. */
  #load(
    load: Load,
    self: unknown,
    args: unknown[],
    key: StoreKey,
    options: StoreSetOptions | undefined,
    lease: unknown,
    refresh: boolean,
    policy: LoadPolicy,
  ): Promise<unknown> {
    if (!refresh) {
      this.#counters.misses++;
      if (this.#events.active) this.#events.emit('miss', { source: this.#method.id, key });
      if (channels.miss.hasSubscribers) channels.miss.publish({ source: this.#method.id, key });
    }
    let started = this.#counters.loadStarted();
    if (channels.loadStart.hasSubscribers || channels.loadEnd.hasSubscribers || channels.loadError.hasSubscribers) {
      // A subscriber to the load's end gets its duration: time it even when the figures would not sample it.
      if (started < 0) started = now();
      const message: LoadMessage = { source: this.#method.id, key, store: this.#store.label, refresh };
      load.message = message;
      channels.loadStart.publish(message);
    }
    const loading = invokeMethod(this.#method, self, args).then(
      (value) => this.#loaded(load, args, key, value, options, lease, started, policy),
      (error: unknown) => this.#failed(load, key, error, options, lease, refresh, policy, started),
    );
    const freshness = policy.freshness;
    if (refresh || freshness === undefined) return loading;
    const { softTimeout, hardTimeout } = freshness;
    return softTimeout === undefined && hardTimeout === undefined
      ? loading
      : boundLoad(this.#timeoutScope, load, key, loading, policy, softTimeout, hardTimeout);
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
    policy: LoadPolicy,
  ): unknown {
    this.#counters.loaded(started);
    const message = load.message;
    if (message !== undefined && started >= 0) {
      message.durationMs = now() - started;
      channels.loadEnd.publish(message);
    }
    let endsNow = true;
    try {
      if (!this.#inFlight.mayStore(load, key) || !this.#shouldCache(value, args)) return value;
      if (policy.freshness !== undefined) {
        const written = this.#derived(options, value, args, policy);
        if (written === false) return value;
        options = written;
      }
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
   * or the fail-safe value when there is one (then, with `failSafe.retryAfter`,
   * it is stored again for that long). Rejections are never cached. A
   * background reload's callers were served already: its error is only counted.
   */
  #failed(
    load: Load,
    key: StoreKey,
    error: unknown,
    options: StoreSetOptions | undefined,
    lease: unknown,
    refresh: boolean,
    policy: LoadPolicy,
    started: number,
  ): unknown {
    this.#counters.loadErrors++;
    if (refresh) this.#counters.refreshErrors++;
    if (this.#events.active) this.#events.emit('error', { source: this.#method.id, operation: 'load', key, error });
    const message = load.message;
    if (message !== undefined && started >= 0) {
      message.durationMs = now() - started;
      message.error = error;
      channels.loadError.publish(message);
    }
    const failSafe = policy.failSafe;
    if (failSafe === undefined) {
      this.#done(load, key, lease);
      throw error;
    }
    return this.#store.readFailSafe(key).then((stale) => {
      try {
        if (stale === undefined || !within(stale, failSafe, policy)) throw error;
        if (!refresh) this.#counters.failSafeServed++;
        const retryAfter = policy.freshness?.failSafeRetryAfter;
        if (retryAfter !== undefined && this.#inFlight.mayStore(load, key)) {
          this.#throttle(key, stale, options, retryAfter, policy.staleWindow);
        }
        return stale.value;
      } finally {
        this.#done(load, key, lease);
      }
    });
  }

  /**
   * Stores a fail-safe value again as fresh for `retryAfter` (at most what is
   * left of its window), so that the method is not called again meanwhile;
   * its stale window is the rest, so the value is gone when the original
   * window ends.
   */
  #throttle(
    key: StoreKey,
    stale: StoreEntry,
    options: StoreSetOptions | undefined,
    retryAfter: number,
    staleWindow: number,
  ): void {
    const expiredFor = stale.expiresIn === undefined ? 0 : Math.max(0, -stale.expiresIn);
    const left = staleWindow - expiredFor;
    if (left <= 0) return;
    const ttl = Math.min(retryAfter, left);
    const throttled = { ...options, ttl, failSafe: left - ttl };
    const owned = this.#store.owned;
    if (owned !== undefined) owned.set(key, stale.value, throttled);
    else void this.#store.write(key, stale.value, throttled);
  }

  /**
   * The options a value written for `args` gets under `policy` (write-through:
   * the TTL function, jitter and the method's tags applied as for a load);
   * `false` when one of them failed (reported: write nothing).
   */
  writeOptionsFor(value: unknown, args: unknown[], policy: LoadPolicy): StoreSetOptions | undefined | false {
    let options = policy.write;
    const tags = this.#method.tags;
    if (tags !== undefined) {
      try {
        options = { ...options, tags: tags(args) };
      } catch (error) {
        this.#store.failed('set', undefined, error);
        return false;
      }
    }
    return policy.freshness === undefined ? options : this.#derived(options, value, args, policy);
  }

  /** {@link derivedWriteOptions}, a failure reported as a failed write. */
  #derived(
    options: StoreSetOptions | undefined,
    value: unknown,
    args: unknown[],
    policy: LoadPolicy,
  ): StoreSetOptions | undefined | false {
    return derivedWriteOptions(options, value, args, policy, (error) => this.#store.failed('set', undefined, error));
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
