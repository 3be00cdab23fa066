import type { StoreKey } from '../../keys/keys.js';
import { messages } from '../../util/messages.js';
import type { NamespaceNode, NamespaceTree } from '../namespace-tree.js';
import type { BusMessage, InvalidationBus } from './bus-message.js';
import type { LoadTokens, TieredToken } from './load-tokens.js';
import type { PeerInvalidations } from './peer-invalidations.js';
import { fromWire, wireKey } from './wire-key.js';
import { activeTraceparent, traceIdOf } from '../../util/trace-context.js';
import { InvalidationLog, knownOrLogged } from '../invalidation-log.js';
import type {
  CacheStore,
  Clock,
  FullStore,
  InvalidationOrigin,
  LeaseRead,
  NamespaceOptions,
  StoreEntry,
  StoreHealth,
  StoreInspection,
  StoreSetOptions,
  StoreStats,
  SyncStoreOps,
} from '../contract.js';

/** `trace` when it is a well-formed W3C `traceparent`, else `undefined`. */
const validTraceparent = (trace: unknown): string | undefined =>
  traceIdOf(trace) === undefined ? undefined : (trace as string);

/** What every namespace of one tiered store shares. */
export interface TieredShared {
  readonly bus: InvalidationBus;
  /** `l1Ttl` in ms: the longest an entry stays in L1. */
  readonly l1Ttl: number;
  /** Whether the store created its L2 (and closes it). */
  readonly ownsL2: boolean;
  readonly tree: NamespaceTree<TieredNamespace>;
  /** Whether a load may still fill L1 (no invalidation overtook it). */
  readonly tokens: LoadTokens;
  /** Peers' invalidations this process applies in L2, which reads wait for. */
  readonly peers: PeerInvalidations;
}

type Outgoing = Omit<BusMessage, 'v' | 'from' | 'seq'>;

/** The fewest marks of exact L1 copies a namespace keeps before it first sweeps the dead ones. */
const EXACT_SWEEP_MIN = 1024;

/**
 * One namespace of a {@link TieredStore}: the L1 and L2 namespaces of the
 * same name (the store is its root one).
 *
 * @example
 * ```ts
 * const users = tieredStore.namespace('users', { ttl: 60_000 });
 * ```
 */
export class TieredNamespace implements CacheStore {
  /** Always `'tiered'`. */
  readonly kind = 'tiered';
  readonly name: string;
  readonly sync: SyncStoreOps;
  readonly #shared: TieredShared;
  readonly #node: NamespaceNode;
  readonly #id: string;
  readonly #l1: FullStore;
  readonly #l2: FullStore;
  /**
   * Keys whose L1 copy expires when the entry does (its TTL was the entry's
   * own, not cut to `l1Ttl`): `sync.expiresIn` reports the freshness left
   * of those only, as a capped copy's (or one of an entry that never
   * expires) says nothing of the entry's. Every L1 write through this
   * namespace sets or clears the key's mark, every delete and clear drops
   * it; a copy that leaves L1 otherwise (expired, evicted, its tags
   * invalidated) keeps a mark L1 no longer answers for, until the next L1
   * write of the key resets it or a sweep drops it (see
   * {@link TieredNamespace.#exactLimit}).
   */
  readonly #exact = new Set<StoreKey>();
  /** Invalidations made here or heard from peers (see {@link TieredNamespace.inspect}). */
  readonly #log = new InvalidationLog();
  /**
   * The size of {@link TieredNamespace.#exact} past which a new mark first
   * sweeps the marks of copies L1 no longer holds. Set after each sweep to
   * twice what can be live (L1's `maxSize`, or the marks left), so the set
   * stays within about twice L1's size and sweeps cost O(1) per mark.
   */
  #exactLimit = EXACT_SWEEP_MIN;

  /** L1's clock, when one was injected (see {@link CacheStore.clock}); Redis keeps its own time. */
  get clock(): Clock | undefined {
    return this.#l1.clock;
  }

  /** @internal Use {@link TieredStore} and {@link TieredNamespace.namespace}. */
  constructor(shared: TieredShared, node: NamespaceNode, l1: FullStore, l2: FullStore) {
    this.#shared = shared;
    this.#node = node;
    this.#id = node.id;
    this.name = node.name;
    this.#l1 = l1;
    this.#l2 = l2;
    const l1Sync = l1.sync as SyncStoreOps;
    // The engine reads L1 synchronously on the hit path; misses and writes go through the async methods.
    this.sync = {
      complete: false,
      get: (key) => (shared.bus.up ? l1Sync.get(key) : undefined),
      getFailSafe: (key) => (shared.bus.up ? l1Sync.getFailSafe(key) : undefined),
      // L1 never holds a stale copy, so what it reports is the freshness left of a live entry.
      ...(l1Sync.expiresIn === undefined
        ? {}
        : {
            expiresIn: (key: StoreKey) => (shared.bus.up && this.#exact.has(key) ? l1Sync.expiresIn?.(key) : undefined),
          }),
      set: (key, value, options) => {
        // Not capped, not in Redis: the copy's TTL is not known to be the entry's.
        this.#exact.delete(key);
        l1Sync.set(key, value, options);
      },
      delete: (key) => {
        this.#exact.delete(key);
        return l1Sync.delete(key);
      },
      clear: () => {
        this.#exact.clear();
        l1Sync.clear();
      },
    };
  }

  /** Records an invalidation of this namespace (voids tokens of loads in flight). @internal */
  bump(): void {
    this.#shared.tokens.bump(this.#id);
  }

  /** L1 TTL: the cap, never beyond the entry's own (remaining) TTL. */
  #l1Options(options: StoreSetOptions | undefined, remaining?: number): StoreSetOptions {
    const ttl = remaining ?? options?.ttl ?? this.#node.ttl;
    return {
      ttl: ttl === undefined ? this.#shared.l1Ttl : Math.min(ttl, this.#shared.l1Ttl),
      tags: options?.tags,
      tagStamp: options?.tagStamp,
    };
  }

  /**
   * Writes the L1 copy of a value just written to (`options`) or read from
   * (`read`: with the freshness it had left, if L2 said) L2, and marks
   * whether the copy expires with the entry (see {@link TieredNamespace.#exact}).
   */
  #copyToL1(key: StoreKey, value: unknown, options: StoreSetOptions | undefined, read?: StoreEntry): void {
    const l1 = this.#l1.sync;
    if (l1 === undefined) return;
    const remaining = read?.expiresIn;
    l1.set(key, value, this.#l1Options(options, remaining));
    const own = read === undefined ? (options?.ttl ?? this.#node.ttl) : remaining;
    if (l1.expiresIn !== undefined && own !== undefined && own <= this.#shared.l1Ttl) this.#markExact(key);
    else this.#exact.delete(key);
  }

  /** Marks the L1 copy of `key` as one that expires with its entry, sweeping dead marks when the set has grown. */
  #markExact(key: StoreKey): void {
    const exact = this.#exact;
    exact.add(key);
    if (exact.size <= this.#exactLimit) return;
    // Drop the marks of copies L1 no longer holds (expired, evicted); live copies are bounded by L1's size.
    const l1 = this.#l1.sync;
    for (const marked of exact) if (l1?.expiresIn?.(marked) === undefined) exact.delete(marked);
    this.#exactLimit = Math.max(EXACT_SWEEP_MIN, 2 * (this.#l1.stats().maxSize ?? 0), 2 * exact.size);
  }

  /** Removes the L1 copy of `key` (and its mark). */
  #dropFromL1(key: StoreKey): void {
    this.#exact.delete(key);
    this.#l1.sync?.delete(key);
  }

  /** Removes every L1 copy of this namespace (and their marks). */
  #clearL1(): void {
    this.#exact.clear();
    this.#l1.sync?.clear();
  }

  /** Fills L1 with a value read from L2, unless an invalidation overtook the read; never from a stale read. */
  #fill(key: StoreKey, entry: StoreEntry, token: TieredToken): void {
    if (!this.#shared.bus.up || !this.#shared.tokens.valid(token, this.#id)) return;
    if (entry.expiresIn !== undefined && entry.expiresIn <= 0) return;
    this.#copyToL1(key, entry.value, undefined, entry);
  }

  /** `message` with the trace of the span active now, when tracing is on. */
  #traced(message: Outgoing): Outgoing {
    const trace = activeTraceparent();
    return trace === undefined ? message : { ...message, trace };
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
    return this.#shared.peers.waitFor(this.#id, key);
  }

  async get(key: StoreKey): Promise<StoreEntry | undefined> {
    const hit = this.sync.get(key);
    if (hit !== undefined) return hit;
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    const token = this.#shared.tokens.take(this.#id, undefined);
    const entry = await this.#l2.get(key);
    if (entry !== undefined) this.#fill(key, entry, token);
    return entry;
  }

  async getForLoad(key: StoreKey): Promise<{ entry: StoreEntry | undefined; token: unknown }> {
    const hit = this.sync.get(key);
    if (hit !== undefined) return { entry: hit, token: undefined };
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    const local = this.#shared.tokens.take(this.#id, undefined);
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
    const local = this.#shared.tokens.take(this.#id, undefined);
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
    const local = this.#shared.tokens.take(this.#id, undefined);
    return { ...local, l2: await this.#l2.loadToken?.(key) } satisfies TieredToken;
  }

  getFailSafe(key: StoreKey): Promise<StoreEntry | undefined> {
    const waiting = this.#pendingFor(key);
    return waiting === undefined ? this.#l2.getFailSafe(key) : waiting.then(() => this.#l2.getFailSafe(key));
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
      this.#copyToL1(key, value, options);
      await this.#publishDelete(key);
    } else if (this.#shared.bus.up && this.#shared.tokens.valid(token, this.#id)) {
      this.#copyToL1(key, value, options);
    }
  }

  // Invalidations are published even when Redis refused them: peers drop their L1 copies and apply
  // them in Redis themselves, and this store's Redis link replays them once it answers again (then
  // the store republishes them).
  async delete(key: StoreKey): Promise<boolean> {
    this.bump();
    this.#dropFromL1(key);
    const message = this.#traced({ op: 'delete', ns: this.#id, key: wireKey(key) });
    this.#log.deleted(key, this.#shared.bus.instanceId, message.trace);
    return this.#invalidate(() => this.#l2.delete(key), message);
  }

  async clear(): Promise<void> {
    this.bump();
    this.#clearL1();
    const message = this.#traced({ op: 'clear', ns: this.#id });
    this.#log.cleared(this.#shared.bus.instanceId, message.trace);
    await this.#invalidate(() => this.#l2.clear(), message);
  }

  /**
   * The entry for `key` as Redis holds it (freshness left, tags), in tier
   * `'l1'` when this process also holds a live copy, else `'l2'`; and the
   * last invalidation of the key or namespace: made here or heard from a
   * peer over the bus, or a later delete Redis logged (one within
   * `SAME_DELETE_SLACK_MS` of a known one is that one, whose process
   * and trace are known here).
   */
  async inspect(key: StoreKey): Promise<StoreInspection> {
    const l2 = (await this.#l2.inspect?.(key)) ?? { entry: undefined, lastInvalidation: undefined };
    const lastInvalidation = knownOrLogged(this.#log.lastFor(key), l2.lastInvalidation);
    const copy = this.sync.get(key) !== undefined;
    const entry = l2.entry === undefined ? undefined : { ...l2.entry, tier: copy ? 'l1' : 'l2' };
    return { entry, lastInvalidation };
  }

  async has(key: StoreKey): Promise<boolean> {
    if (this.sync.get(key) !== undefined) return true;
    const waiting = this.#pendingFor(key);
    if (waiting !== undefined) await waiting;
    return this.#l2.has(key);
  }

  async getMany(keys: readonly StoreKey[]): Promise<(StoreEntry | undefined)[]> {
    if (this.#shared.peers.count > 0) await Promise.all(keys.map((key) => this.#pendingFor(key)));
    return this.#l2.getMany(keys);
  }

  async setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: StoreSetOptions): Promise<void> {
    const list = [...entries];
    await this.#l2.setMany(list, options);
    this.bump();
    for (const [key] of list) {
      this.#dropFromL1(key);
      await this.#publishDelete(key);
    }
  }

  async setIfNotExists(key: StoreKey, value: unknown, options?: StoreSetOptions): Promise<boolean> {
    const stored = await this.#l2.setIfNotExists(key, value, options);
    if (stored) {
      this.bump();
      this.#dropFromL1(key);
      await this.#publishDelete(key);
    }
    return stored;
  }

  async expireIn(key: StoreKey, ttl: number | undefined): Promise<boolean> {
    const existed = await this.#l2.expireIn(key, ttl);
    this.#dropFromL1(key);
    await this.#publishDelete(key);
    return existed;
  }

  /**
   * A child namespace; the same name gives the same namespace. Both tiers
   * see every request, so limits stated on a namespace opened before still
   * apply there (each tier adopts a first stated maxSize/ttl and refuses a
   * different one, like this tree).
   */
  namespace(name: string, options?: NamespaceOptions): TieredNamespace {
    return this.#shared.tree.child(this.#node, name, options);
  }

  /**
   * Asks both tiers for their child `name` with `options`: Redis first, so
   * that when it refuses the request L1 has recorded nothing. @internal
   */
  childTiers(name: string, options: NamespaceOptions): { readonly l1: FullStore; readonly l2: FullStore } {
    const l2 = this.#l2.namespace(name, options);
    return { l1: this.#l1.namespace(name, options), l2 };
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
    // A tag cannot be mapped to namespaces: loads in flight anywhere may hold a tagged value.
    this.#shared.tokens.voidAll();
    // The marks stay right: a copy the tags hit is gone for every L1 read, and its key's next fill sets its mark anew.
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
    // The trace is untrusted input: kept only when well formed.
    const origin: InvalidationOrigin = { from: message.from, traceparent: validTraceparent(message.trace) };
    if (message.op === 'clear' || message.key === undefined) {
      this.#clearL1();
      this.#log.cleared(origin.from, origin.traceparent);
      this.remoteInvalidation(undefined, origin);
    } else {
      const key = fromWire(message.key);
      this.#dropFromL1(key);
      this.#log.deleted(key, origin.from, origin.traceparent);
      this.remoteInvalidation(key, origin);
    }
  }

  readonly #remoteListeners = new Set<(key: StoreKey | undefined, origin?: InvalidationOrigin) => void>();

  onInvalidate(listener: (key: StoreKey | undefined, origin?: InvalidationOrigin) => void): () => void {
    this.#remoteListeners.add(listener);
    return () => this.#remoteListeners.delete(listener);
  }

  /**
   * Tells this namespace's cached methods that another process invalidated
   * `key` (`undefined`: anything). @internal
   */
  remoteInvalidation(key: StoreKey | undefined, origin?: InvalidationOrigin): void {
    for (const listener of this.#remoteListeners) listener(key, origin);
  }

  stats(): StoreStats {
    return this.#l1.stats();
  }

  /** Whether Redis answers, and the gaps the bus has seen in peers' messages. */
  health(): StoreHealth {
    return { available: this.#l2.health?.().available ?? true, busGaps: this.#shared.bus.gaps };
  }

  onEvict(listener: (key: StoreKey) => void): () => void {
    return this.#l1.onEvict?.(listener) ?? (() => undefined);
  }

  async close(): Promise<void> {
    await this.#shared.bus.close();
    if (this.#shared.ownsL2) await this.#l2.close();
  }
}
