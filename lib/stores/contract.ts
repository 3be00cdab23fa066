import type { Duration } from '../util/duration.js';
import type { StoreKey } from '../keys/keys.js';
import type { Clock } from './clock.js';
import type { InvalidationOrigin, StoreHealth, StoreInspection } from './inspection.js';

export type { Clock, TimerHandle } from './clock.js';
export type { EntryInspection, InvalidationOrigin, StoreHealth, StoreInspection } from './inspection.js';

/**
 * What a store returns for a key that is present. `value` may be `undefined`
 * or `null`: those are cached values, not misses.
 *
 * @example
 * ```ts
 * const entry = await store.get('user:1');
 * if (entry !== undefined) console.log(entry.value);
 * ```
 */
export interface StoreEntry<V = unknown> {
  /** The cached value. */
  readonly value: V;
  /**
   * Milliseconds of freshness the entry had left when it was read, for
   * stores that know it (Redis; any built-in store on a stale read): a
   * tiered store never keeps an L1 copy longer. On a stale read
   * ({@link StoreCapabilities.getFailSafe}) it is 0 or negative: minus the
   * milliseconds since the entry expired, which the freshness policies
   * (`staleWhileRevalidate`, `failSafe`) compare with their windows.
   *
   * @default undefined (unknown or no expiry)
   */
  readonly expiresIn?: number | undefined;
  /**
   * A settled promise of `value`, memoized by the engine so that repeated hits
   * on in-process stores allocate nothing. Stores create entries with it unset.
   *
   * @default undefined
   */
  promise?: Promise<V> | undefined;
  /**
   * A hash of the entry's key, memoized by the engine when the sizing
   * advisor is on, so that repeated hits hash nothing. Stores create entries
   * with it unset.
   *
   * @default undefined
   */
  keyHash?: number | undefined;
}

/**
 * Options for one write.
 *
 * @example
 * ```ts
 * await store.set('token', 'abc', { ttl: 30_000 });
 * ```
 */
export interface StoreSetOptions {
  /**
   * Time to live in milliseconds. Omitted: the namespace's default TTL, or no
   * expiry when the namespace has none.
   *
   * @default the namespace's ttl
   */
  readonly ttl?: number | undefined;
  /**
   * Milliseconds the entry is kept after `ttl` for {@link CacheStore.getFailSafe}
   * readers only (fail-safe, stale-while-revalidate: the longer of their
   * windows); `get` treats it as expired.
   *
   * @default undefined (no stale window)
   */
  readonly failSafe?: number | undefined;
  /**
   * Tags of the entry; {@link CacheStore.invalidateTags} with one of them
   * makes it unreachable. Stores without tag support reject tagged writes.
   *
   * @default undefined (no tags)
   */
  readonly tags?: readonly string[] | undefined;
  /**
   * The store's tag clock ({@link CacheStore.tagStamp}) read when the load
   * producing this value started: an invalidation of one of its tags after
   * that makes the entry unreachable even though it is written later.
   *
   * @default the clock at write time
   */
  readonly tagStamp?: number | undefined;
  /**
   * The token {@link CacheStore.getForLoad} or {@link CacheStore.loadToken}
   * returned when the load producing this value started. A store that
   * supports it writes nothing if the key (or its namespace) was invalidated
   * since, in any process — so an overtaken load never stores a stale value.
   *
   * @default undefined (unconditional write)
   */
  readonly loadToken?: unknown;
}

/**
 * What {@link CacheStore.getOrLease} found: the entry; or a miss with the
 * lease taken (`lease`, and the load token); or a miss while another process
 * holds the lease (`held`). A miss with neither (`lease` and `held` unset):
 * the store could not be asked; load without a lease.
 *
 * @example
 * ```ts
 * const read = await store.getOrLease?.('report', 10_000);
 * if (read?.held === true) console.log('another process is loading it');
 * ```
 */
export interface LeaseRead {
  readonly entry: StoreEntry | undefined;
  /** The load token for the write (see {@link StoreSetOptions.loadToken}). @default undefined */
  readonly token?: unknown;
  /** This caller's lease, for {@link CacheStore.releaseLease}. @default undefined */
  readonly lease?: unknown;
  /** Another process holds the lease. @default false */
  readonly held?: boolean;
}

/**
 * Options of {@link CacheStore.getForLoad}.
 *
 * @example
 * ```ts
 * const read = await store.getForLoad?.('user:42', { expiresIn: true });
 * ```
 */
export interface LoadReadOptions {
  /**
   * Report a hit's remaining TTL as {@link StoreEntry.expiresIn} (a tiered
   * store caps its L1 copy by it). On Redis a hit is then read by a script
   * instead of one `MGET`.
   *
   * @default false
   */
  readonly expiresIn?: boolean | undefined;
}

/**
 * Limits of a namespace (one decorated method's bucket, or a named scope).
 *
 * @example
 * ```ts
 * const users = store.namespace('users', { maxSize: 500, ttl: 30_000 });
 * ```
 */
export interface NamespaceOptions {
  /**
   * Most entries the namespace keeps; the least recently used is evicted
   * beyond it. Omitted: the store's `max`.
   *
   * @default the store's max
   */
  readonly maxSize?: number | undefined;
  /**
   * Default time to live in milliseconds for writes that give none.
   * Omitted: the store's `ttl`, or no expiry.
   *
   * @default the store's ttl
   */
  readonly ttl?: number | undefined;
  /**
   * Limits this user inherits rather than states (a `Cache` scope inherits
   * its cache's): they size a namespace this call creates when `maxSize` or
   * `ttl` is omitted, never conflict with another user's, and give way to a
   * limit stated later. A stated limit is the one that counts: the first
   * stated `maxSize` (or `ttl`) applies even to a namespace created earlier
   * without one, and a different stated value is an error.
   *
   * @default undefined (the store's, or the parent namespace's)
   */
  readonly defaults?: { readonly maxSize?: number | undefined; readonly ttl?: number | undefined } | undefined;
  /**
   * Who asks for the namespace (e.g. `UserService.getUser`), named in the
   * error when two users state different limits.
   *
   * @default the namespace() call
   */
  readonly user?: string | undefined;
}

/**
 * Figures a store keeps for one namespace.
 *
 * @example
 * ```ts
 * const { size, evictions } = store.stats();
 * ```
 */
export interface StoreStats {
  /** Entries currently held (expired entries may count until touched). */
  readonly size: number;
  /** Entries removed to make room (not expiries, deletions or clears). */
  readonly evictions: number;
  /** The namespace's entry limit, for stores that bound it (memory). */
  readonly maxSize?: number;
}

/**
 * Synchronous operations of an in-process store. The engine uses them when
 * present so that a hit returns without an async frame.
 *
 * @example
 * ```ts
 * const hit = store.sync?.get(42);
 * ```
 */
export interface SyncStoreOps {
  /**
   * `false` when the synchronous tier is only part of the store (a tiered
   * store's L1): a synchronous miss must then be followed by the async `get`,
   * and writes must go through the async `set`.
   *
   * @default true
   */
  readonly complete?: boolean;
  /** The live entry for `key`, or `undefined` when absent or expired. */
  get(key: StoreKey): StoreEntry | undefined;
  /**
   * The entry for `key` even past its `ttl`, while within its `failSafe`; a
   * stale one carries a {@link StoreEntry.expiresIn} of 0 or less.
   */
  getFailSafe(key: StoreKey): StoreEntry | undefined;
  /**
   * Milliseconds of freshness the live entry for `key` has left, without
   * touching its recency; `undefined` when it is absent, stale or never
   * expires. `refreshAhead` reads it on hits; absent: no refresh-ahead on
   * synchronous hits.
   */
  expiresIn?(key: StoreKey): number | undefined;
  /** Stores `value` under `key`. */
  set(key: StoreKey, value: unknown, options?: StoreSetOptions): void;
  /** Removes `key`; `true` when an entry was removed. */
  delete(key: StoreKey): boolean;
  /** Removes every entry of this namespace. */
  clear(): void;
}

/**
 * What a store may offer beyond the {@link CacheStore} contract. Every member
 * is optional; the engine and the `Cache` API use each one when the store has
 * it and otherwise do without (or, where the feature cannot work without it,
 * say so when the method or cache is set up):
 * - `sync`: in-process reads without an async frame (memory, tiered L1);
 * - `getFailSafe`: fail-safe reads (`failSafe` needs it);
 * - `has`, `setIfNotExists`, `expireIn`, `stats`: the `Cache` methods of the
 *   same names (`has` falls back to `get`; `setIfNotExists` and `expireIn`
 *   are errors without them; `stats` reads as zero entries);
 * - `getForLoad`, `loadToken`, `tagStamp`: keep a load overtaken by an
 *   invalidation from storing (shared stores);
 * - `getOrLease`, `releaseLease`: cross-process single-flight (`lease`);
 * - `onInvalidate`, `onEvict`, `ready`, `onStateChange`: other processes'
 *   invalidations, evictions, readiness, and changes in how the store serves
 *   calls.
 * - `clock`: the injected clock, whose timers (when it has them) drive
 *   load timeouts;
 * - `inspect`: one key's entry and last invalidation (`explain()` needs it);
 * - `health`: whether the backend answers, and bus gaps (metrics).
 *
 * @example
 * ```ts
 * declare const store: CacheStore;
 * const size = store.stats?.().size ?? 0;
 * ```
 */
export interface StoreCapabilities {
  /** Present on in-process stores: the same operations, synchronously. */
  readonly sync?: SyncStoreOps | undefined;
  /**
   * The entry for `key` even if it is past its `ttl`, as long as it is within
   * the `failSafe` it was written with (fail-safe and stale-while-revalidate
   * reads). A stale entry carries an {@link StoreEntry.expiresIn} of 0 or
   * less (minus the milliseconds since it expired) when the store knows it.
   */
  getFailSafe?(key: StoreKey): Promise<StoreEntry | undefined>;
  /** Whether a live entry exists for `key`. */
  has?(key: StoreKey): Promise<boolean>;
  /** Stores `value` only when no live entry exists; resolves whether it did. */
  setIfNotExists?(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean>;
  /**
   * Sets a new time to live on an existing entry (`undefined`: never expires);
   * resolves whether the entry existed.
   */
  expireIn?(key: StoreKey, ttl: number | undefined): Promise<boolean>;
  /** Size and eviction figures of this namespace. */
  stats?(): StoreStats;
  /** The tag clock a load reads when it starts (see {@link StoreSetOptions.tagStamp}). */
  tagStamp?(): number;
  /**
   * The clock injected into the store (memory, a tiered store's L1), when
   * one was: the engine arms load timeouts on it when it can arm timers.
   */
  readonly clock?: Clock | undefined;
  /**
   * What the store holds for `key` and the last invalidation it knows of
   * that touched the key or its namespace, without changing anything (no
   * recency update, no expiry). Backs `explain()`.
   */
  inspect?(key: StoreKey): Promise<StoreInspection>;
  /**
   * How the store serves calls now, for metrics: whether its backend
   * answers (Redis, a tiered store's Redis) and, for a tiered store, the
   * gaps seen in its peers' invalidation messages so far.
   */
  health?(): StoreHealth;
  /**
   * Reads `key` for a load: the entry, or on a miss a token to pass as
   * {@link StoreSetOptions.loadToken} with the loaded value. A hit may come
   * without {@link StoreEntry.expiresIn} unless `options.expiresIn` asks for it.
   */
  getForLoad?(key: StoreKey, options?: LoadReadOptions): Promise<{ entry: StoreEntry | undefined; token: unknown }>;
  /**
   * Cross-process single-flight, for stores shared between processes: reads
   * `key` and on a miss takes the key's lease for `ttl` milliseconds unless
   * another process holds it. `lease` set: this caller loads (pass `token` as
   * {@link StoreSetOptions.loadToken}, then {@link CacheStore.releaseLease});
   * `held`: another process is loading, read again later. Absent on stores
   * of one process (in-process single-flight already covers them).
   */
  getOrLease?(key: StoreKey, ttl: number): Promise<LeaseRead>;
  /**
   * Calls `listener` when another process invalidated `key` in this
   * namespace (`undefined`: anything, or all of it), so that a load in flight
   * here stops serving callers that arrive after it. Absent on stores that
   * hear of no other process's invalidations.
   */
  onInvalidate?(listener: (key: StoreKey | undefined, origin?: InvalidationOrigin) => void): () => void;
  /** Gives up a lease {@link CacheStore.getOrLease} took, if it is still this caller's. */
  releaseLease?(key: StoreKey, lease: unknown): Promise<void>;
  /** A load token for a load that starts without reading (refresh). */
  loadToken?(key: StoreKey): unknown;
  /**
   * Calls `listener` with each key this namespace evicts to make room (not on
   * expiry, delete or clear); returns a function that stops listening.
   * Absent on stores that do not evict by size.
   */
  onEvict?(listener: (key: StoreKey) => void): () => void;
  /**
   * Waits until the store serves calls (its connections are open): resolves
   * `true` then, or `false` once `timeout` passed or the store is closed.
   * Never rejects: a store that is not ready fails open (reads miss, writes
   * are skipped and counted) and recovers by itself. `Cache.connect()`,
   * `Cache.use()` and the NestJS module's bootstrap call it without a
   * timeout, so a store bounds that wait by its own connect timeout. Absent
   * on stores that hold no connection (they are ready at once).
   *
   * @param timeout - longest wait
   * @default timeout: the store's connect timeout (Redis, tiered: the client's `connectTimeout`)
   * @example
   * ```ts
   * if (!(await store.ready?.())) console.warn('the store does not answer yet: calls miss until it does');
   * ```
   */
  ready?(timeout?: Duration): Promise<boolean>;
  /**
   * Calls `listener` with each change in how the store serves calls (see
   * {@link StoreStateChange}): never once per call, so a listener may log
   * each one. Returns a function that stops listening. Absent on stores
   * whose service never changes (memory, null).
   *
   * @example
   * ```ts
   * const off = store.onStateChange?.((change) => console.warn(`cache store ${change.state}`, change.reason));
   * ```
   */
  onStateChange?(listener: (change: StoreStateChange) => void): () => void;
}

/**
 * A change in how a store serves calls, as {@link StoreCapabilities.onStateChange} reports it.
 *
 * @example
 * ```ts
 * const change: StoreStateChange = { state: 'unavailable', reason: 'Redis did not answer within 250 ms' };
 * ```
 */
export interface StoreStateChange {
  /**
   * - `unavailable`: calls skip the store (Redis stopped answering); reported
   *   once per outage;
   * - `available`: it serves calls again;
   * - `reset`: a tiered store dropped its in-process copies, because
   *   invalidations may have been missed (it just subscribed to its bus, lost
   *   the bus's connection, or saw a gap in a peer's messages);
   * - `oversized`: a value of {@link StoreStateChange.namespace} was larger
   *   than the store's `maxValueSize` and was not stored (reported for the
   *   first such value of each namespace; the store counts them all).
   */
  readonly state: 'available' | 'unavailable' | 'reset' | 'oversized';
  /**
   * Why, in words (for `unavailable`, `reset` and `oversized`).
   *
   * @default undefined
   */
  readonly reason?: string | undefined;
  /**
   * For `oversized`: the namespace (a method's id, or a cache's name).
   *
   * @default undefined
   */
  readonly namespace?: string | undefined;
}

/**
 * The contract every memokit store implements, built-in or your own: get,
 * set (with a TTL), delete, clear, getMany, setMany, namespaces and close;
 * tags optionally. A store is a namespace; {@link CacheStore.namespace} gives a
 * child whose keys never collide with the parent's or a sibling's.
 *
 * Everything else a store may offer is an optional capability
 * ({@link StoreCapabilities}): the built-in stores implement them and the
 * engine uses each one when present. `memokit/testing` runs the contract
 * suite against any store.
 *
 * Methods never throw for a miss. TTLs are milliseconds.
 *
 * @example
 * ```ts
 * const store: CacheStore = new MemoryStore({ max: 10_000 });
 * const users = store.namespace('users', { ttl: 60_000 });
 * await users.set(1, { name: 'Ada' });
 * const entry = await users.get(1); // { value: { name: 'Ada' } }
 * ```
 */
export interface CacheStore extends StoreCapabilities {
  /** Backend kind: `'memory'`, `'redis'`, `'tiered'`, `'null'` or a custom one. */
  readonly kind: string;
  /** This namespace's name (`''` for a store's root). */
  readonly name: string;

  /** The entry for `key`, or `undefined` on a miss. */
  get(key: StoreKey): Promise<StoreEntry | undefined>;
  /** Stores `value` under `key`, replacing any entry. */
  set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void>;
  /** Removes `key`; resolves `true` when an entry was removed. */
  delete(key: StoreKey): Promise<boolean>;
  /** Removes every entry of this namespace, and nothing else. */
  clear(): Promise<void>;
  /** Entries for `keys`, in order, `undefined` for each miss. */
  getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]>;
  /** Stores every `[key, value]` pair with the same options. */
  setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void>;
  /** A child namespace; the same name gives the same namespace. */
  namespace(name: string, options?: NamespaceOptions): CacheStore;
  /**
   * Makes every entry (in any namespace of this store) carrying one of `tags`
   * unreachable, without scanning keys. Absent on stores without tag support.
   */
  invalidateTags?(tags: readonly string[]): Promise<void>;
  /** Releases connections and timers. The store is unusable afterwards. */
  close(): Promise<void>;
}

/** The capabilities every built-in store has beyond the contract. @internal */
type KeyValueCapability = 'getFailSafe' | 'has' | 'setIfNotExists' | 'expireIn' | 'stats';

/**
 * A store with every key-value capability: what the built-in stores are, and
 * what a tiered store needs of its tiers.
 *
 * @internal
 * @example
 * ```ts
 * declare const l2: FullStore;
 * await l2.expireIn('k', 60_000);
 * ```
 */
export interface FullStore
  extends Omit<CacheStore, KeyValueCapability | 'namespace'>, Required<Pick<StoreCapabilities, KeyValueCapability>> {
  /** A child namespace, with the same capabilities. */
  namespace(name: string, options?: NamespaceOptions): FullStore;
}

/** Whether `value` looks like a {@link CacheStore}. */
export const isStore = (value: unknown): value is CacheStore =>
  typeof value === 'object' && value !== null && typeof (value as CacheStore).namespace === 'function';
