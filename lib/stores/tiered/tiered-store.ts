import { parseDuration, type Duration } from '../../util/duration.js';
import { MemokitError } from '../../util/errors.js';
import { cacheEvents } from '../../util/events.js';
import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import { assertKnownOptions } from '../../util/options.js';
import { busMessageProblem, RedisBus, type BusMessage, type InvalidationBus } from './bus.js';
import { MemoryStore, type MemoryStoreOptions } from '../memory/memory-store.js';
import { RedisStore, type RedisNamespace, type RedisStoreOptions } from '../redis/redis-store.js';
import { createStore } from '../url.js';
import type {
  CacheStore,
  LeaseRead,
  NamespaceOptions,
  StoreEntry,
  StoreSetOptions,
  StoreStats,
  SyncStoreOps,
} from '../contract.js';

/**
 * Options of a {@link TieredStore}.
 *
 * @example
 * ```ts
 * new TieredStore({ redis: { url: 'redis://127.0.0.1:6379', prefix: 'shop' }, l1: { max: 10_000 }, l1Ttl: '30s' });
 * ```
 */
export interface TieredStoreOptions {
  /**
   * L2: the Redis store shared by every process, the options to create one,
   * or a `redis://` URL with its query options (`?prefix=shop&ttl=10m`). With
   * options or a URL, the bus uses the same server.
   */
  redis: RedisStore | RedisStoreOptions | string;
  /**
   * The invalidation bus. Required when `redis` is a store instance.
   *
   * @default a RedisBus on `redis`'s URL/options, channel `<prefix>:memokit:bus`
   */
  bus?: InvalidationBus;
  /**
   * L1: in-process memory store options (or a store).
   *
   * @default new MemoryStore()
   */
  l1?: MemoryStore | MemoryStoreOptions;
  /**
   * Longest time an entry stays in L1 (never longer than its L2 TTL).
   * Shorter values bound how long a process that misses invalidations could
   * serve from L1 before re-reading Redis.
   *
   * @default '30s'
   */
  l1Ttl?: Duration;
}

const OPTIONS = ['redis', 'bus', 'l1', 'l1Ttl'] as const;

/** Token of a load: L1 writes need the same epoch and namespace counter; L2 checks its own. */
interface TieredToken {
  readonly epoch: number;
  readonly counter: number;
  readonly l2: unknown;
}

interface Shared {
  readonly bus: InvalidationBus;
  readonly l1Ttl: number;
  readonly namespaces: Map<string, TieredNamespace>;
  readonly ownsL2: boolean;
  /** Bumped whenever L1 was dropped: tokens taken before are void. */
  epoch: number;
  /** Invalidations per namespace id, local and remote: a load overtaken by one does not fill L1. */
  readonly counters: Map<string, number>;
  /**
   * Invalidations a peer could not apply in Redis (`applied: false`) that this process is applying
   * there itself, per namespace id: reads of those keys (or of the whole namespace, or of anything
   * for tags) wait until Redis acknowledged them, so the entry the peer meant to remove is not
   * read back.
   */
  readonly pending: Map<string, PendingInvalidations>;
  pendingTags: Promise<void> | undefined;
  /** Pending invalidations in all: 0 keeps the read path free of any lookup. */
  pendingCount: number;
  /** Namespaces opened in Redis only to apply peers' invalidations (bounded). */
  readonly foreign: Set<string>;
}

interface PendingInvalidations {
  readonly keys: Map<StoreKey, Promise<void>>;
  all: Promise<void> | undefined;
}

type Outgoing = Omit<BusMessage, 'v' | 'from' | 'seq'>;
const noop = (): void => undefined;

const wireKey = (key: StoreKey): ['n' | 's', string] => (typeof key === 'number' ? ['n', String(key)] : ['s', key]);
const fromWire = ([type, text]: readonly ['n' | 's', string]): StoreKey => (type === 'n' ? Number(text) : text);

/** One namespace: L1 and L2 namespaces of the same name. */
class TieredNamespace implements CacheStore {
  readonly kind = 'tiered';
  readonly name: string;
  readonly sync: SyncStoreOps;
  readonly #shared: Shared;
  readonly #l1: CacheStore;
  readonly #l2: CacheStore;
  readonly #id: string;
  readonly #ttl: number | undefined;

  constructor(shared: Shared, id: string, name: string, l1: CacheStore, l2: CacheStore, ttl: number | undefined) {
    this.#shared = shared;
    this.#id = id;
    this.name = name;
    this.#l1 = l1;
    this.#l2 = l2;
    this.#ttl = ttl;
    const l1Sync = l1.sync as SyncStoreOps;
    // The engine reads L1 synchronously on the hit path; misses and writes go through the async methods.
    this.sync = {
      complete: false,
      get: (key) => (shared.bus.up ? l1Sync.get(key) : undefined),
      getStale: (key) => (shared.bus.up ? l1Sync.getStale(key) : undefined),
      set: (key, value, options) => l1Sync.set(key, value, options),
      delete: (key) => l1Sync.delete(key),
      clear: () => l1Sync.clear(),
    };
  }

  #counter(): number {
    return this.#shared.counters.get(this.#id) ?? 0;
  }

  /** Records an invalidation of this namespace (voids tokens of loads in flight). */
  bump(): void {
    this.#shared.counters.set(this.#id, this.#counter() + 1);
  }

  #token(l2: unknown): TieredToken {
    return { epoch: this.#shared.epoch, counter: this.#counter(), l2 };
  }

  #tokenValid(token: TieredToken): boolean {
    return token.epoch === this.#shared.epoch && token.counter === this.#counter();
  }

  /** L1 TTL: the cap, never beyond the entry's own (remaining) TTL. */
  #l1Options(options: StoreSetOptions | undefined, remaining?: number): StoreSetOptions {
    const ttl = remaining ?? options?.ttl ?? this.#ttl;
    return {
      ttl: ttl === undefined ? this.#shared.l1Ttl : Math.min(ttl, this.#shared.l1Ttl),
      tags: options?.tags,
      tagStamp: options?.tagStamp,
    };
  }

  /** Fills L1 with a value read from L2, unless an invalidation overtook the read. */
  #fill(key: StoreKey, entry: StoreEntry, token: TieredToken): void {
    if (!this.#shared.bus.up || !this.#tokenValid(token)) return;
    if (entry.expiresIn !== undefined && entry.expiresIn <= 0) return;
    this.#l1.sync?.set(key, entry.value, this.#l1Options(undefined, entry.expiresIn));
  }

  async #publishDelete(key: StoreKey): Promise<void> {
    await this.#shared.bus.publish({ op: 'delete', ns: this.#id, key: wireKey(key) });
  }

  /**
   * Runs an invalidation in Redis, then tells the peers; when Redis did not
   * acknowledge it (timeout, link down) the message says so (`applied:
   * false`) and every peer applies it in Redis itself before reading the key
   * again, so a stalled link of this process does not leave the old entry
   * readable by the others.
   */
  async #invalidate<T>(inRedis: () => Promise<T>, message: Outgoing): Promise<T> {
    let applied = false;
    try {
      const result = await inRedis();
      applied = true;
      return result;
    } finally {
      await this.#shared.bus.publish(applied ? message : { ...message, applied: false });
    }
  }

  /** What reads of `key` (`undefined`: of anything in this namespace) wait for, if a peer's invalidation is being applied. */
  #pendingFor(key: StoreKey | undefined): Promise<void> | undefined {
    const shared = this.#shared;
    if (shared.pendingCount === 0) return undefined;
    const waits: Promise<void>[] = [];
    if (shared.pendingTags !== undefined) waits.push(shared.pendingTags);
    const pending = shared.pending.get(this.#id);
    if (pending !== undefined) {
      if (pending.all !== undefined) waits.push(pending.all);
      if (key === undefined) waits.push(...pending.keys.values());
      else {
        const one = pending.keys.get(key);
        if (one !== undefined) waits.push(one);
      }
    }
    return waits.length === 0 ? undefined : Promise.all(waits).then(noop);
  }

  async get(key: StoreKey): Promise<StoreEntry | undefined> {
    const hit = this.sync.get(key);
    if (hit !== undefined) return hit;
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    const token = this.#token(undefined);
    const entry = await this.#l2.get(key);
    if (entry !== undefined) this.#fill(key, entry, token);
    return entry;
  }

  async getForLoad(key: StoreKey): Promise<{ entry: StoreEntry | undefined; token: unknown }> {
    const hit = this.sync.get(key);
    if (hit !== undefined) return { entry: hit, token: undefined };
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    const local = this.#token(undefined);
    const read =
      this.#l2.getForLoad !== undefined
        ? await this.#l2.getForLoad(key, { expiresIn: true })
        : { entry: await this.#l2.get(key), token: undefined };
    if (read.entry !== undefined) {
      this.#fill(key, read.entry, local);
      return { entry: read.entry, token: undefined };
    }
    return { entry: undefined, token: { ...local, l2: read.token } satisfies TieredToken };
  }

  /**
   * {@link RedisNamespace.getOrLease} behind L1: an L1 hit, else Redis reads
   * the key and takes its lease on a miss (L1 is filled from a hit as by
   * {@link TieredNamespace.getForLoad}).
   */
  async getOrLease(key: StoreKey, ttl: number): Promise<LeaseRead> {
    const hit = this.sync.get(key);
    if (hit !== undefined) return { entry: hit };
    // An L2 of one process needs no lease: in-process single-flight covers it.
    if (this.#l2.getOrLease === undefined) return this.getForLoad(key);
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    const local = this.#token(undefined);
    const read = await this.#l2.getOrLease(key, ttl);
    if (read.entry !== undefined) {
      this.#fill(key, read.entry, local);
      return { entry: read.entry };
    }
    if (read.held === true) return read;
    return { entry: undefined, lease: read.lease, token: { ...local, l2: read.token } satisfies TieredToken };
  }

  /** Ends a lease {@link TieredNamespace.getOrLease} took (it lives in Redis). */
  releaseLease(key: StoreKey, lease: unknown): Promise<void> {
    return this.#l2.releaseLease?.(key, lease) ?? Promise.resolve();
  }

  async loadToken(key: StoreKey): Promise<unknown> {
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    const local = this.#token(undefined);
    return { ...local, l2: await this.#l2.loadToken?.(key) } satisfies TieredToken;
  }

  getStale(key: StoreKey): Promise<StoreEntry | undefined> {
    const waiting = this.#pendingFor(key);
    return waiting === undefined ? this.#l2.getStale(key) : waiting.then(() => this.#l2.getStale(key));
  }

  async set(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<void> {
    const token = options?.loadToken as TieredToken | undefined;
    // Redis takes its tag stamp from its own load token; L1's stamp is a different clock.
    await this.#l2.set(
      key,
      value,
      token === undefined ? options : { ...options, tagStamp: undefined, loadToken: token.l2 },
    );
    if (token === undefined) {
      // A direct write: other processes must drop their copies.
      this.bump();
      this.#l1.sync?.set(key, value, this.#l1Options(options));
      await this.#publishDelete(key);
    } else if (this.#shared.bus.up && this.#tokenValid(token)) {
      this.#l1.sync?.set(key, value, this.#l1Options(options));
    }
  }

  // Invalidations are published even when Redis refused them: peers drop their L1 copies and apply
  // them in Redis themselves, and this store's Redis link replays them once it answers again (then
  // the store republishes them).
  async delete(key: StoreKey): Promise<boolean> {
    this.bump();
    this.#l1.sync?.delete(key);
    return this.#invalidate(() => this.#l2.delete(key), { op: 'delete', ns: this.#id, key: wireKey(key) });
  }

  async clear(): Promise<void> {
    this.bump();
    this.#l1.sync?.clear();
    await this.#invalidate(() => this.#l2.clear(), { op: 'clear', ns: this.#id });
  }

  async has(key: StoreKey): Promise<boolean> {
    if (this.sync.get(key) !== undefined) return true;
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    return this.#l2.has(key);
  }

  async getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    if (this.#shared.pendingCount > 0) await Promise.all(keys.map((key) => this.#pendingFor(key)));
    return this.#l2.getMany(keys);
  }

  async setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    const list = [...entries];
    await this.#l2.setMany(list, options);
    this.bump();
    for (const [key] of list) {
      this.#l1.sync?.delete(key);
      await this.#publishDelete(key);
    }
  }

  async setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    const stored = await this.#l2.setIfNotExists(key, value, options);
    if (stored) {
      this.bump();
      this.#l1.sync?.delete(key);
      await this.#publishDelete(key);
    }
    return stored;
  }

  async expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    const existed = await this.#l2.expireIn(key, ttl);
    this.#l1.sync?.delete(key);
    await this.#publishDelete(key);
    return existed;
  }

  namespace(name: string, options: NamespaceOptions = {}): CacheStore {
    if (typeof name !== 'string' || name === '')
      throw new TypeError(messages.BAD_STRING_OPTION('TieredStore.namespace()', 'name', name));
    const id = JSON.stringify([...(JSON.parse(this.#id) as string[]), name]);
    // Both tiers see every request, so limits stated on a namespace opened before still apply there (L1 adopts a
    // first stated maxSize/ttl or names both users of a conflict; Redis refuses a different ttl).
    const l1 = this.#l1.namespace(name, options);
    const l2 = this.#l2.namespace(name, options);
    const existing = this.#shared.namespaces.get(id);
    if (existing !== undefined) return existing;
    const created = new TieredNamespace(
      this.#shared,
      id,
      this.name === '' ? name : `${this.name}/${name}`,
      l1,
      l2,
      options.ttl ?? this.#ttl,
    );
    this.#shared.namespaces.set(id, created);
    return created;
  }

  /**
   * Invalidates tags in this process's L1, in Redis (every process), and
   * tells the others to drop their L1 (a tag cannot be mapped to L1 keys
   * there, so they drop it whole).
   */
  async invalidateTags(tags: readonly string[]): Promise<void> {
    if (typeof this.#l2.invalidateTags !== 'function') {
      throw new TypeError(messages.TAGS_UNSUPPORTED('TieredStore', this.#l2.kind));
    }
    for (const id of this.#shared.namespaces.keys())
      this.#shared.counters.set(id, (this.#shared.counters.get(id) ?? 0) + 1);
    await this.#l1.invalidateTags?.(tags);
    const l2 = this.#l2 as CacheStore & { invalidateTags(tags: readonly string[]): Promise<void> };
    await this.#invalidate(() => l2.invalidateTags(tags), { op: 'tags', tags });
  }

  /** L1's tag clock (Redis stamps from its own load token). */
  tagStamp(): number {
    return this.#l1.tagStamp?.() ?? 0;
  }

  /** Applies another process's invalidation to L1 and to loads in flight. @internal */
  applyRemote(message: BusMessage): void {
    this.bump();
    if (message.op === 'clear' || message.key === undefined) {
      this.#l1.sync?.clear();
      this.remoteInvalidation(undefined);
    } else {
      const key = fromWire(message.key);
      this.#l1.sync?.delete(key);
      this.remoteInvalidation(key);
    }
  }

  readonly #remoteListeners = new Set<(key: StoreKey | undefined) => void>();

  onInvalidate(listener: (key: StoreKey | undefined) => void): () => void {
    this.#remoteListeners.add(listener);
    return () => this.#remoteListeners.delete(listener);
  }

  /** Tells this namespace's cached methods that another process invalidated `key` (`undefined`: anything). @internal */
  remoteInvalidation(key: StoreKey | undefined): void {
    for (const listener of this.#remoteListeners) listener(key);
  }

  stats(): StoreStats {
    return this.#l1.stats();
  }

  onEvict(listener: (key: StoreKey) => void): () => void {
    return this.#l1.onEvict?.(listener) ?? (() => undefined);
  }

  async close(): Promise<void> {
    await this.#shared.bus.close();
    if (this.#shared.ownsL2) await this.#l2.close();
  }
}

/** Most namespace levels in a message's `ns` a receiver follows. */
const MAX_DEPTH = 32;
/**
 * Most namespaces this process has not opened that it opens in Redis to apply a peer's
 * invalidation (each stays registered in the Redis store): bounds what messages can make it keep.
 */
const MAX_FOREIGN_NAMESPACES = 256;

/** The Redis namespace a message's `ns` (a JSON array of names) designates; `undefined` if malformed. */
function redisNamespaceOf(root: RedisStore, ns: unknown): RedisNamespace | undefined {
  if (typeof ns !== 'string' || ns.length > 16_384) return undefined;
  let path: unknown;
  try {
    path = JSON.parse(ns);
  } catch {
    return undefined;
  }
  if (!Array.isArray(path) || path.length > MAX_DEPTH) return undefined;
  if (!path.every((name) => typeof name === 'string' && name !== '')) return undefined;
  let namespace: RedisNamespace = root;
  for (const name of path as string[]) namespace = namespace.namespace(name);
  return namespace;
}

/**
 * Applies in Redis an invalidation a peer could not apply there itself
 * (`applied: false`). Until Redis acknowledged it, reads of what it covers (a
 * key, a namespace, or for tags everything) wait for it, so the entry the
 * peer meant to remove is not read back. If it fails, this store's link is
 * down: its reads are skipped, and it replays the invalidation before it
 * reads Redis again.
 */
function applyInRedis(shared: Shared, root: RedisStore, message: BusMessage): void {
  const foreign = message.op !== 'tags' && message.ns !== undefined && !shared.namespaces.has(message.ns);
  if (foreign && !shared.foreign.has(message.ns as string) && shared.foreign.size >= MAX_FOREIGN_NAMESPACES) return;
  let work: Promise<unknown>;
  let pending: PendingInvalidations | undefined;
  let key: StoreKey | undefined;
  if (message.op === 'tags') {
    const tags = message.tags;
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) return;
    work = root.invalidateTags(tags);
  } else {
    const namespace = redisNamespaceOf(root, message.ns);
    if (namespace === undefined || message.ns === undefined) return;
    if (foreign) shared.foreign.add(message.ns);
    if (message.op === 'delete') {
      if (message.key === undefined) return;
      key = fromWire(message.key);
      work = namespace.delete(key);
    } else work = namespace.clear();
    pending = shared.pending.get(message.ns);
    if (pending === undefined) {
      pending = { keys: new Map(), all: undefined };
      shared.pending.set(message.ns, pending);
    }
  }
  const settled: Promise<void> = work.then(noop, noop);
  const after = (previous: Promise<void> | undefined): Promise<void> =>
    previous === undefined ? settled : Promise.all([previous, settled]).then(noop);
  let mine: Promise<void>;
  if (pending === undefined) mine = shared.pendingTags = after(shared.pendingTags);
  else if (key === undefined) mine = pending.all = after(pending.all);
  else {
    mine = after(pending.keys.get(key));
    pending.keys.set(key, mine);
  }
  shared.pendingCount++;
  const entry = pending;
  const ns = message.ns;
  void mine.then(() => {
    shared.pendingCount--;
    if (entry === undefined) {
      if (shared.pendingTags === mine) shared.pendingTags = undefined;
      return;
    }
    if (key === undefined) {
      if (entry.all === mine) entry.all = undefined;
    } else if (entry.keys.get(key) === mine) entry.keys.delete(key);
    if (entry.all === undefined && entry.keys.size === 0 && ns !== undefined && shared.pending.get(ns) === entry) {
      shared.pending.delete(ns);
    }
  });
}

/**
 * Memory L1 in front of Redis L2, kept coherent across processes by an
 * invalidation bus (Redis pub/sub): every delete, clear and direct write is
 * published with the process's id and a sequence number, and every other
 * process drops the affected L1 entries. A process that may have missed a
 * message (disconnect, reconnect, sequence gap) drops its whole L1 rather
 * than serve stale data, and serves from Redis alone until its subscription
 * is back. L1 hits return synchronously, like the memory store's.
 *
 * @example
 * ```ts
 * const store = new TieredStore({ redis: { url: process.env.REDIS_URL, prefix: 'shop' }, l1Ttl: '30s' });
 * ```
 */
export class TieredStore extends TieredNamespace {
  readonly #l1Root: MemoryStore;
  readonly #l2Root: RedisStore;
  readonly #bus: InvalidationBus;
  /** Messages this store dropped itself (a bus other than a RedisBus, or one that failed to apply). */
  #invalidMessages = 0;

  constructor(options: TieredStoreOptions) {
    const where = 'new TieredStore()';
    assertKnownOptions(where, options, OPTIONS);
    const redisOption: unknown = options.redis;
    const ownsL2 = !(redisOption instanceof RedisStore);
    const given =
      typeof redisOption === 'object' && redisOption !== null ? (redisOption as RedisStoreOptions) : undefined;
    // The bus opens its connections with client.duplicate(): refuse a client it cannot duplicate before anything connects.
    if (
      options.bus === undefined &&
      ownsL2 &&
      given?.client !== undefined &&
      typeof (given.client as { duplicate?: unknown }).duplicate !== 'function'
    ) {
      throw new TypeError(messages.TIERED_BUS_CLIENT(where));
    }
    let l2: RedisStore;
    if (redisOption instanceof RedisStore) l2 = redisOption;
    else if (typeof redisOption === 'string') l2 = createStore(redisOption) as RedisStore;
    else l2 = new RedisStore(redisOption as RedisStoreOptions);
    let bus = options.bus;
    if (bus === undefined) {
      if (!ownsL2) throw new TypeError(messages.TIERED_NEEDS_BUS(where));
      if (typeof redisOption === 'string') {
        const url = new URL(redisOption);
        const channel = `${url.searchParams.get('prefix') ?? 'memokit'}:memokit:bus`;
        url.search = '';
        bus = new RedisBus({ url: url.href, channel });
      } else {
        const redis = redisOption as RedisStoreOptions;
        const channel = `${redis.prefix ?? 'memokit'}:memokit:bus`;
        // The same servers as the store, however it was configured: a client (Redis or Cluster) is duplicated.
        bus =
          redis.client !== undefined
            ? new RedisBus({ client: redis.client, channel })
            : new RedisBus({ url: redis.url, redis: redis.redis, channel });
      }
    }
    const l1 = options.l1 instanceof MemoryStore ? options.l1 : new MemoryStore(options.l1 ?? {});
    const shared: Shared = {
      bus,
      l1Ttl: parseDuration(options.l1Ttl ?? '30s', where, 'l1Ttl'),
      namespaces: new Map(),
      ownsL2,
      epoch: 0,
      counters: new Map(),
      pending: new Map(),
      pendingTags: undefined,
      pendingCount: 0,
      foreign: new Set(),
    };
    super(shared, '[]', '', l1, l2, undefined);
    this.#l1Root = l1;
    this.#l2Root = l2;
    this.#bus = bus;
    shared.namespaces.set('[]', this);
    // Messages may have been missed (or a tag invalidation cannot be mapped to keys):
    // drop every L1 entry and void every load token.
    const reset = (): void => {
      shared.epoch++;
      for (const namespace of shared.namespaces.values()) {
        namespace.sync.clear();
        namespace.remoteInvalidation(undefined);
      }
    };
    // Every message is checked again here (any bus may carry anything); one that is not valid, or that fails
    // to apply, is counted, reported and dropped, and L1 is dropped with it: it may have been an invalidation.
    const drop = (error: MemokitError): void => {
      this.#invalidMessages++;
      reset();
      cacheEvents.emit('error', { source: 'TieredStore', operation: 'bus', error });
    };
    bus.on('message', (message) => {
      try {
        const problem = busMessageProblem(message);
        if (problem !== undefined) {
          return drop(new MemokitError('E_INVALID_BUS_MESSAGE', messages.BUS_LISTENER_FAILED(problem)));
        }
        // The publisher's Redis link failed: apply the invalidation in Redis from here (also in a
        // namespace this process has not opened yet: it may open it later).
        if (message.applied === false) applyInRedis(shared, l2, message);
        if (message.op === 'tags') return reset();
        const namespace = message.ns === undefined ? undefined : shared.namespaces.get(message.ns);
        namespace?.applyRemote(message);
      } catch (cause) {
        drop(new MemokitError('E_INVALID_BUS_MESSAGE', messages.BUS_LISTENER_FAILED(cause), { cause }));
      }
    });
    if (bus instanceof RedisBus) {
      bus.on('invalid', (error: MemokitError) =>
        cacheEvents.emit('error', { source: 'TieredStore', operation: 'bus', error }),
      );
    }
    bus.on('reset', reset);
    // Invalidations Redis missed during an outage and got on its return: tell the peers again,
    // since they may have read the entries back into their L1 meanwhile.
    if (l2 instanceof RedisStore) {
      l2.onReplay(async (replays) => {
        for (const replay of replays) {
          const ns = JSON.stringify(replay.path);
          if (replay.op === 'invalidateTags') await bus.publish({ op: 'tags', tags: replay.tags ?? [] });
          else if (replay.op === 'clear') await bus.publish({ op: 'clear', ns });
          else if (replay.key !== undefined) await bus.publish({ op: 'delete', ns, key: wireKey(replay.key) });
        }
      });
    }
  }

  /**
   * Resolves `true` once Redis answers and the bus is subscribed (or `false`
   * after `timeout`; never rejects); until then the store
   * serves from Redis alone or misses. `Cache.connect()`, `Cache.use()` and
   * the NestJS module's bootstrap call it without a timeout.
   *
   * @param timeout - longest wait
   * @default timeout: the L2's `connectTimeout` (1 s with the default options)
   * @example
   * ```ts
   * await store.ready();
   * ```
   */
  async ready(timeout?: Duration): Promise<boolean> {
    const ms =
      timeout === undefined ? this.#l2Root.connectTimeout : parseDuration(timeout, 'TieredStore.ready()', 'timeout');
    const [redis, bus] = await Promise.all([this.#l2Root.ready(ms), this.#bus.ready?.(ms) ?? this.#bus.up]);
    return redis && bus;
  }

  /** The in-process L1 store (for inspection). */
  get l1(): MemoryStore {
    return this.#l1Root;
  }

  /**
   * The bus's figures: whether it is subscribed, and how many messages on
   * its channel were not valid bus messages (dropped; each is also an
   * `'error'` event of {@link cacheEvents} with `operation: 'bus'`).
   *
   * @example
   * ```ts
   * const { up, invalidMessages } = store.busStats();
   * ```
   */
  busStats(): { readonly up: boolean; readonly invalidMessages: number } {
    const fromBus = this.#bus instanceof RedisBus ? this.#bus.invalidMessages : 0;
    return { up: this.#bus.up, invalidMessages: fromBus + this.#invalidMessages };
  }
}
