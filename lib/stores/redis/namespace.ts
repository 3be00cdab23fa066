/**
 * A namespace of a Redis store: the `CacheStore` methods, each delegating to
 * the module that owns its concern (reader, entry writer, write guard, read
 * batcher, lease, tags) over the namespace's {@link NamespaceScope}.
 */
import { parseDuration, type Duration } from '../../util/duration.js';
import type { StoreKey } from '../../keys/keys.js';
import type {
  CacheStore,
  LeaseRead,
  LoadReadOptions,
  NamespaceOptions,
  StoreEntry,
  StoreHealth,
  StoreInspection,
  StoreSetOptions,
  StoreStateChange,
  StoreStats,
} from '../contract.js';
import type { Replay } from './connection.js';
import type { NamespaceNode } from '../namespace-tree.js';
import type { StoreContext } from './context.js';
import type { RedisStoreError } from './errors.js';
import type { RedisStoreEvents, RedisStoreListener, RedisStoreStats } from './events.js';
import { positive, writeEntries, writeIfAbsent } from './entry-writer.js';
import { InvalidationLog } from '../invalidation-log.js';
import { inspectRedis } from './inspect.js';
import { isOne, newGeneration, suffixOf } from './keyspace.js';
import { getOrLease, releaseLease } from './lease.js';
import { getForLoadScripted, loadToken, type LoadRead } from './load-read.js';
import { ReadBatcher } from './read-batcher.js';
import { hasEntry, readMany, readOne } from './reader.js';
import { NamespaceScope } from './scope.js';
import { DELETE } from './scripts/delete.js';
import { EXPIRE } from './scripts/expire.js';
import { invalidateTags, tagClockText } from './tags.js';
import { UNGUARDABLE } from './write-guard.js';

/**
 * One namespace of a {@link RedisStore} (the store itself is the root one).
 * Its keys are `<prefix>:{<path>}:<generation>:<key>`, next to one generation
 * key `<prefix>:{<path>}:g` and a delete log `<prefix>:{<path>}:d`; see
 * {@link RedisStore} for why.
 *
 * @example
 * ```ts
 * const users: RedisNamespace = store.namespace('users', { ttl: '5m' });
 * ```
 */
export class RedisNamespace implements CacheStore {
  /** Always `'redis'`. */
  readonly kind = 'redis';
  /** Path of the namespace, names joined by `/` (`''` for the store's root). */
  readonly name: string;
  /** Absent: Redis is out of process, every operation is asynchronous. */
  readonly sync = undefined;
  readonly #context: StoreContext<RedisNamespace>;
  readonly #scope: NamespaceScope;
  readonly #batcher: ReadBatcher;
  /** This process's invalidations of the namespace (see {@link RedisNamespace.inspect}). */
  readonly #log = new InvalidationLog();

  /** @internal Use {@link RedisStore} and {@link RedisNamespace.namespace}. */
  constructor(context: StoreContext<RedisNamespace>, node: NamespaceNode) {
    this.#context = context;
    this.#scope = new NamespaceScope(context, node);
    this.#batcher = new ReadBatcher(this.#scope);
    this.name = this.#scope.name;
  }

  get(key: StoreKey): Promise<StoreEntry | undefined> {
    return readOne(this.#scope, key, 'f', 'get');
  }

  getFailSafe(key: StoreKey): Promise<StoreEntry | undefined> {
    return readOne(this.#scope, key, 's', 'getFailSafe');
  }

  /**
   * Stores `value`. With a `loadToken` (from {@link RedisNamespace.getForLoad}
   * or {@link RedisNamespace.loadToken}), stores nothing if, in any process,
   * the key was deleted or the namespace cleared since the token was taken.
   */
  set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void> {
    return writeEntries(this.#scope, 'set', [[key, value]], options);
  }

  /**
   * Removes `key`, and records the delete for a while (`tombstoneTtl`) so that
   * loads of it in flight in any process do not store their value afterwards.
   */
  async delete(key: StoreKey): Promise<boolean> {
    const scope = this.#scope;
    this.#log.deleted(key);
    const args = [suffixOf(key), String(this.#context.tombstoneTtl)];
    try {
      return isOne(await scope.run('delete', DELETE, args));
    } catch (error) {
      scope.connection.remember({
        id: `d${scope.generationKey}\0${args[0]}`,
        op: 'delete',
        namespace: this.name,
        path: scope.path,
        key,
        send: (client) => DELETE.run(client, scope.keys, args),
      });
      throw error;
    }
  }

  /** The replay of a `clear()` that failed while Redis was unavailable. @internal */
  clearReplay(): Replay {
    const generationKey = this.#scope.generationKey;
    return {
      id: `c${generationKey}`,
      op: 'clear',
      namespace: this.name,
      path: this.#scope.path,
      send: (client) => client.set(generationKey, newGeneration()),
    };
  }

  /**
   * Starts a new generation of this namespace: one `SET` of its generation key,
   * O(1) whatever the number of entries. Entries of the old generation are
   * unreachable at once and expire by their TTL (or Redis evicts them). Loads
   * in flight hold a token of the old generation and store nothing.
   */
  async clear(): Promise<void> {
    const scope = this.#scope;
    this.#log.cleared();
    const connection = scope.connection;
    const generation = newGeneration();
    try {
      await connection.exec(scope.where, 'clear', this.name, () =>
        connection.client.set(scope.generationKey, generation),
      );
    } catch (error) {
      connection.remember(this.clearReplay());
      throw error;
    }
    scope.generation = generation;
  }

  has(key: StoreKey): Promise<boolean> {
    return hasEntry(this.#scope, key);
  }

  /**
   * The entry for `key`, stale ones included (freshness left, tags; Redis
   * keeps no write time, so no age), and its last invalidation: this
   * process's own, or a delete Redis logged since (by any process, within
   * `tombstoneTtl`), whichever is newer.
   */
  inspect(key: StoreKey): Promise<StoreInspection> {
    return inspectRedis(this.#scope, this.#log, key);
  }

  /**
   * Reads `key` for a load: the entry, or on a miss a token to pass as
   * `loadToken` with the loaded value (see {@link RedisNamespace.set}). The
   * token also carries the tag clock read at that moment, the stamp of a
   * tagged write. When Redis is unavailable the token makes the write store
   * nothing. A hit of an entry without tags or stale window takes one `MGET`
   * and comes without `expiresIn` unless `options.expiresIn` asks for it;
   * everything else takes a script call (a miss: the `MGET` and the script).
   */
  getForLoad(key: StoreKey, options?: LoadReadOptions): Promise<LoadRead> {
    const suffix = suffixOf(key);
    const scope = this.#scope;
    if (options?.expiresIn === true) return getForLoadScripted(scope, key, suffix);
    const connection = scope.connection;
    if (!connection.available()) {
      connection.skip();
      return Promise.resolve({ entry: undefined, token: UNGUARDABLE });
    }
    return this.#batcher.read(key, suffix);
  }

  /**
   * {@link RedisNamespace.getForLoad} that also takes the key's lease on a
   * miss, in the same script call: a `SET NX PX` of
   * `<prefix>:{<path>}:l:<generation>:<key>` with an id of this call, unless
   * another caller holds it (`held`). The lease ends by its TTL or by
   * {@link RedisNamespace.releaseLease}. When Redis is unavailable: a miss
   * without lease, whose write stores nothing.
   */
  getOrLease(key: StoreKey, ttl: number): Promise<LeaseRead> {
    return getOrLease(this.#scope, key, ttl);
  }

  /** Ends a lease {@link RedisNamespace.getOrLease} took, if it is still the caller's (not expired and taken over). */
  releaseLease(_key: StoreKey, lease: unknown): Promise<void> {
    return releaseLease(this.#scope, lease);
  }

  /** A load token for a load that does not read first (a refresh); see {@link RedisNamespace.getForLoad}. */
  loadToken(key: StoreKey): Promise<unknown> {
    return loadToken(this.#scope, key);
  }

  /**
   * The store's tag clock now (Redis server microseconds, shared by every
   * process): what a tagged write records when neither `tagStamp` nor a load
   * token gives one. Pass it as `tagStamp` to stamp a write with an earlier
   * moment. (Asynchronous, so the store does not implement the synchronous
   * `CacheStore.tagStamp`; load tokens carry the reading instead.)
   */
  async tagClock(): Promise<number> {
    return Number(await tagClockText(this.#scope, 'tagClock'));
  }

  /**
   * Makes every entry carrying one of `tags` unreachable, in every namespace
   * of this store's prefix and in every process, without scanning keys: one
   * script call on the store's tag record. Entries whose load started before
   * the call, even if written after it, are invalid too.
   */
  invalidateTags(tags: readonly string[]): Promise<void> {
    return invalidateTags(this.#scope, tags);
  }

  getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    return readMany(this.#scope, keys);
  }

  /** Stores every pair; with a `loadToken`, keys deleted (or a namespace cleared) since it was taken are skipped. */
  setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    return writeEntries(this.#scope, 'setMany', entries, options);
  }

  /** Stores `value` if no live entry exists (and, with a `loadToken`, the key was not invalidated since). */
  setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    return writeIfAbsent(this.#scope, key, value, options);
  }

  async expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    const scope = this.#scope;
    const px = ttl === undefined ? '' : String(Math.ceil(positive(scope, ttl, 'expireIn', 'ttl')));
    return isOne(await scope.run('expireIn', EXPIRE, [suffixOf(key), px]));
  }

  /**
   * A child namespace; the same name gives the same namespace, and a limit
   * stated once holds for every user (see {@link NamespaceOptions}). `maxSize`
   * is accepted (decorated methods pass theirs) but not applied: Redis bounds
   * memory with TTLs and its `maxmemory-policy`, not per-namespace counts.
   */
  namespace(name: string, options?: NamespaceOptions): RedisNamespace {
    return this.#context.tree.child(this.#scope.node, name, options);
  }

  /**
   * Always `{ size: 0, evictions: 0 }`: Redis expires and evicts server-side,
   * and counting a namespace's keys would need a scan. See
   * {@link RedisNamespace.redisStats} for the connection's figures.
   */
  stats(): StoreStats {
    return { size: 0, evictions: 0 };
  }

  /** Whether Redis answers now (see {@link CacheStore.health}). */
  health(): StoreHealth {
    return { available: this.#context.connection.available() };
  }

  /** Availability and error figures of the store's connection (shared by all namespaces). */
  redisStats(): RedisStoreStats {
    const connection = this.#context.connection;
    return { available: connection.available(), ...connection.counts, repaired: this.#context.repaired };
  }

  /**
   * Calls `listener` with the invalidations replayed after an outage, before
   * the store is back (a tiered store republishes them to its peers). @internal
   */
  onReplay(listener: (replays: readonly Replay[]) => Promise<void>): () => void {
    const replayed = this.#context.connection.replayed;
    replayed.add(listener);
    return () => replayed.delete(listener);
  }

  /**
   * Milliseconds one connection attempt may take: the client's
   * `connectTimeout` (`RedisStore.clientOptions()`: 4 × `timeout`, at least
   * 1 s; ioredis's own default, 10 s, for a client passed without one). The
   * default bound of {@link RedisNamespace.ready}.
   *
   * @example
   * ```ts
   * console.log(store.connectTimeout); // 1000 with the default timeout
   * ```
   */
  get connectTimeout(): number {
    const { options } = this.#context.connection.client as {
      options?: { connectTimeout?: unknown; redisOptions?: { connectTimeout?: unknown } };
    };
    const ms = options?.connectTimeout ?? options?.redisOptions?.connectTimeout;
    return typeof ms === 'number' && ms > 0 ? ms : 10_000;
  }

  /**
   * Resolves `true` once calls are sent to Redis (connected and answering),
   * or `false` after `timeout` or once the store is closed. Never rejects.
   * Useful at startup, since calls made before the connection is ready are
   * misses and skipped writes. `Cache.connect()`, `Cache.use()` and the
   * NestJS module's bootstrap call it without a timeout.
   *
   * @param timeout - longest wait
   * @default timeout: {@link RedisNamespace.connectTimeout} (1 s with the default options)
   * @example
   * ```ts
   * if (!(await store.ready())) console.warn('Redis is not reachable yet: calls miss until it is');
   * ```
   */
  async ready(timeout?: Duration): Promise<boolean> {
    const ms =
      timeout === undefined ? this.connectTimeout : parseDuration(timeout, `${this.#scope.where}.ready()`, 'timeout');
    const deadline = performance.now() + ms;
    const connection = this.#context.connection;
    while (!connection.available()) {
      if (connection.closed || performance.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return true;
  }

  /** Listens to the store's events (shared by all namespaces). */
  /**
   * Reports `unavailable` once per outage, `available` when Redis answers
   * again, and `oversized` for the first value of each namespace larger than
   * `maxValueSize` (the whole connection's, whichever namespace listens).
   *
   * @example
   * ```ts
   * const off = store.onStateChange((change) => console.warn(`Redis cache ${change.state}`));
   * ```
   */
  onStateChange(listener: (change: StoreStateChange) => void): () => void {
    const emitter = this.#context.connection.emitter;
    const reported = new Set<string>(); // one per namespace: bounded by the namespaces opened
    const down = (error: RedisStoreError): void => listener({ state: 'unavailable', reason: error.message });
    const up = (): void => listener({ state: 'available' });
    const failed = (error: RedisStoreError): void => {
      if (error.code !== 'E_VALUE_TOO_LARGE' || reported.has(error.namespace)) return;
      reported.add(error.namespace);
      listener({ state: 'oversized', namespace: error.namespace, reason: error.message });
    };
    emitter.on('unavailable', down);
    emitter.on('available', up);
    emitter.on('error', failed);
    return () => {
      emitter.off('unavailable', down);
      emitter.off('available', up);
      emitter.off('error', failed);
    };
  }

  on<E extends keyof RedisStoreEvents>(event: E, listener: RedisStoreListener<E>): this {
    this.#context.connection.emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Listens to the next occurrence of an event. */
  once<E extends keyof RedisStoreEvents>(event: E, listener: RedisStoreListener<E>): this {
    this.#context.connection.emitter.once(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Removes a listener added with {@link RedisNamespace.on}. */
  off<E extends keyof RedisStoreEvents>(event: E, listener: RedisStoreListener<E>): this {
    this.#context.connection.emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** A namespace holds no resources of its own; close the {@link RedisStore} instead. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
