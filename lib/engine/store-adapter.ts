import { channels } from '../util/diagnostics.js';
import type { CacheErrorEvent, CacheEvents } from '../util/events.js';
import type { StoreKey } from '../keys/keys.js';
import type {
  CacheStore,
  LeaseRead,
  LoadReadOptions,
  StoreEntry,
  StoreSetOptions,
  SyncStoreOps,
} from '../stores/contract.js';
import { systemTimers, type Timers } from '../stores/resilience/timers.js';
import type { Load } from './in-flight.js';
import type { EngineMethod, LeaseSettings } from './method.js';
import type { MethodCounters } from './stats.js';

/**
 * A read before a load: a hit, or a miss with the store's load token and,
 * under a lease, this process's lease.
 *
 * @internal
 *
 * @example
 * ```ts
 * const read: Read = { entry: undefined, token: 7 };
 * ```
 */
export interface Read {
  readonly entry: StoreEntry | undefined;
  /** The load token for the write (see {@link StoreSetOptions.loadToken}). @default undefined */
  readonly token?: unknown;
  /** This process's lease on the key, to release once the load stored. @default undefined */
  readonly lease?: unknown;
  /** Another process holds the key's lease (returned only to a read that asked not to wait). @default false */
  readonly held?: boolean;
}

/** Milliseconds between reads while another process holds the lease: doubling from the first to the last. */
const LEASE_FIRST_PAUSE_MS = 5;
const LEASE_MAX_PAUSE_MS = 100;

const now = (): number => performance.now();

const MISS: Read = { entry: undefined };

/** A load read that must report a hit's remaining TTL (`refreshAhead`). */
const WITH_EXPIRES_IN: LoadReadOptions = { expiresIn: true };

/**
 * The store as one binding's engine uses it: every operation the load runner
 * and the invalidations need, none of which rejects. A store failure is
 * counted in `storeErrors`, reported as an `error` event, and answered as a
 * miss (reads) or as nothing done (writes, deletes); the call goes on without
 * the cache.
 *
 * @internal
 *
 * @example
 * ```ts
 * const adapter = new EngineStore(method, store, counters, cacheEvents);
 * const read = await adapter.read('k', false, false); // never rejects
 * ```
 */
export class EngineStore {
  readonly #method: EngineMethod;
  readonly #store: CacheStore;
  readonly #counters: MethodCounters;
  readonly #events: CacheEvents;
  /** The `lease` option, when the store supports leases; `undefined` otherwise. */
  readonly #lease: LeaseSettings | undefined;
  /** The store's synchronous operations when they are the whole store (memory); `undefined` otherwise. */
  readonly owned: SyncStoreOps | undefined;
  /** Where load timeouts are armed: the store's clock when it arms timers (a virtual clock), else the process's. */
  readonly timers: Timers;

  constructor(
    method: EngineMethod,
    store: CacheStore,
    counters: MethodCounters,
    events: CacheEvents,
    storeName?: string,
  ) {
    this.label = storeName ?? store.kind;
    this.#method = method;
    this.#store = store;
    this.#counters = counters;
    this.#events = events;
    this.#lease = store.getOrLease === undefined ? undefined : method.lease;
    // A partial synchronous tier (tiered L1) answers hits; misses, writes and deletes go through the async store.
    this.owned = store.sync !== undefined && store.sync.complete !== false ? store.sync : undefined;
    const clock = store.clock;
    this.timers =
      clock?.setTimeout !== undefined && clock.clearTimeout !== undefined ? (clock as Timers) : systemTimers;
  }

  /** The store's name where it has one (a NestJS module's store), else its kind: what diagnostics report. */
  readonly label: string;

  /** The store has load tokens a load that does not read first must ask for ({@link EngineStore.loadToken}). */
  get hasLoadTokens(): boolean {
    return this.#store.loadToken !== undefined;
  }

  /** The store's tag clock now, for a load starting now (`undefined` when it has none). */
  tagStamp(): number | undefined {
    return this.#store.tagStamp?.();
  }

  /**
   * Reads `key` before loading it: the entry, or a miss with the store's load
   * token (one round trip). With a `lease` on a store that has leases: a hit;
   * a miss with the lease taken (this process loads); while another process
   * holds the lease, reads again with growing pauses, and past `lease.wait`
   * reads once more without a lease (this process then loads too).
   * `expiresIn`: a hit carries its remaining TTL (for `refreshAhead`).
   */
  read(key: StoreKey, noWait: boolean, expiresIn: boolean): Promise<Read> {
    const lease = this.#lease;
    return lease === undefined ? this.#readForLoad(key, expiresIn) : this.#readWithLease(key, lease, noWait, expiresIn);
  }

  /** `noWait`: while another process holds the lease, answer at once with `held` (it may have a stale value). */
  async #readWithLease(key: StoreKey, lease: LeaseSettings, noWait: boolean, expiresIn: boolean): Promise<Read> {
    const store = this.#store as CacheStore & Required<Pick<CacheStore, 'getOrLease'>>;
    const deadline = now() + lease.wait;
    let pause = LEASE_FIRST_PAUSE_MS;
    for (;;) {
      let read: LeaseRead;
      try {
        read = await store.getOrLease(key, lease.ttl);
      } catch (error) {
        this.failed('get', key, error);
        return MISS;
      }
      if (read.entry !== undefined || read.held !== true || noWait) return read;
      const left = deadline - now();
      if (left <= 0) {
        this.#counters.leaseTimeouts++;
        return this.#readForLoad(key, expiresIn);
      }
      this.#counters.leaseWaits++;
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, left)));
      pause = Math.min(pause * 2, LEASE_MAX_PAUSE_MS);
    }
  }

  /** `expiresIn`: a hit must carry its remaining TTL (`refreshAhead` needs it). */
  #readForLoad(key: StoreKey, expiresIn: boolean): Promise<Read> {
    const store = this.#store;
    try {
      const reading =
        store.getForLoad !== undefined
          ? store.getForLoad(key, expiresIn ? WITH_EXPIRES_IN : undefined)
          : store.get(key).then((entry): Read => ({ entry }));
      return reading.catch((error: unknown) => this.#readFailed(key, error));
    } catch (error) {
      return Promise.resolve(this.#readFailed(key, error));
    }
  }

  #readFailed(key: StoreKey, error: unknown): Read {
    this.failed('get', key, error);
    return MISS;
  }

  /** Gives up this process's lease on `key` (a failure is reported; the lease then ends by its TTL). */
  releaseLease(key: StoreKey, lease: unknown): void {
    if (lease === undefined) return;
    try {
      this.#store.releaseLease?.(key, lease).catch((error: unknown) => this.failed('set', key, error));
    } catch (error) {
      this.failed('set', key, error);
    }
  }

  /** A load token for a load that does not read first; without one (a failure), `load` must not store. */
  async loadToken(load: Load, key: StoreKey): Promise<unknown> {
    try {
      return await this.#store.loadToken?.(key);
    } catch (error) {
      load.stale = true;
      this.failed('get', key, error);
      return undefined;
    }
  }

  /** Writes a loaded value to the asynchronous store and emits `set`; a failure is counted and reported. */
  async write(key: StoreKey, value: unknown, setOptions: StoreSetOptions | undefined): Promise<void> {
    try {
      await this.#store.set(key, value, setOptions);
    } catch (error) {
      this.failed('set', key, error);
      return;
    }
    if (this.#events.active) this.#events.emit('set', { source: this.#method.id, key });
  }

  /** The expired-but-within-fail-safe entry for `key`, if any. */
  async readFailSafe(key: StoreKey): Promise<StoreEntry | undefined> {
    try {
      return this.owned !== undefined ? this.owned.getFailSafe(key) : await this.#store.getFailSafe?.(key);
    } catch (error) {
      this.failed('get', key, error);
      return undefined;
    }
  }

  /** Removes `key`; `false` when the store failed. */
  delete(key: StoreKey): Promise<boolean> {
    if (this.owned !== undefined) return Promise.resolve(this.owned.delete(key));
    return this.#store.delete(key).catch((error: unknown) => {
      this.failed('delete', key, error);
      return false;
    });
  }

  /** Removes every entry of the namespace. */
  clear(): Promise<void> {
    if (this.owned !== undefined) {
      this.owned.clear();
      return Promise.resolve();
    }
    return this.#store.clear().catch((error: unknown) => this.failed('clear', undefined, error));
  }

  /** Counts a store failure (the call goes on without the cache) and reports it. */
  failed(operation: CacheErrorEvent['operation'], key: StoreKey | undefined, error: unknown): void {
    this.#counters.storeErrors++;
    if (this.#events.active) this.#events.emit('error', { source: this.#method.id, operation, key, error });
    if (channels.storeError.hasSubscribers)
      channels.storeError.publish({ source: this.#method.id, operation, key, error });
  }
}
