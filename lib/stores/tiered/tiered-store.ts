import { parseDuration, type Duration } from '../../util/duration.js';
import { NamespaceTree } from '../namespace-tree.js';
import type { StoreStateChange } from '../contract.js';
import type { MemoryStore } from '../memory/memory-store.js';
import type { InvalidationBus } from './bus-message.js';
import { RedisBus } from './bus.js';
import { keepCoherent } from './coherence.js';
import { LoadTokens } from './load-tokens.js';
import { PeerInvalidations } from './peer-invalidations.js';
import { DEFAULT_CONNECT_TIMEOUT, type SharedTier } from './shared-tier.js';
import { TieredNamespace, type TieredShared } from './tiered-namespace.js';
import { tiersOf, type TieredStoreOptions } from './tiered-options.js';

export type { TieredStoreOptions } from './tiered-options.js';

/**
 * Memory L1 in front of Redis L2, kept coherent across processes by an
 * invalidation bus (Redis pub/sub): every delete, clear and direct write is
 * published with the process's id and a sequence number, and every other
 * process drops the affected L1 entries. A process that may have missed a
 * message (disconnect, reconnect, sequence gap) drops its whole L1 rather
 * than serve stale data, and serves from Redis alone until its subscription
 * is back. L1 hits return synchronously, like the memory store's, and
 * report the freshness left (`sync.expiresIn`, which `refreshAhead` reads)
 * of entries whose TTL is at most `l1Ttl`.
 *
 * @example
 * ```ts
 * const store = new TieredStore({ redis: { url: process.env.REDIS_URL, prefix: 'shop' }, l1Ttl: '30s' });
 * ```
 */
export class TieredStore extends TieredNamespace {
  readonly #l1Root: MemoryStore;
  readonly #l2Root: SharedTier;
  readonly #bus: InvalidationBus;
  /** Messages this store dropped itself (a bus other than a RedisBus, or one that failed to apply). */
  readonly #dropped: { readonly count: number };
  /** Listeners of {@link TieredStore.onStateChange} (the bus's `reset` reaches them through one listener). */
  readonly #stateListeners = new Set<(change: StoreStateChange) => void>();

  constructor(options: TieredStoreOptions) {
    const { l1, l2, ownsL2, bus, l1Ttl } = tiersOf(options, 'new TieredStore()');
    const tree: NamespaceTree<TieredNamespace> = new NamespaceTree<TieredNamespace>({
      where: (_parent, name) => `TieredStore.namespace(${JSON.stringify(name)})`,
      create: ({ node, name, parent, options }) => {
        const { l1, l2 } = parent.childTiers(name, options);
        return new TieredNamespace(shared, node, l1, l2);
      },
      reuse: (_namespace, { name, parent, options }) => void parent.childTiers(name, options),
    });
    const shared: TieredShared = {
      bus,
      l1Ttl,
      ownsL2,
      tree,
      tokens: new LoadTokens(),
      peers: new PeerInvalidations(l2, (ns) => tree.has(ns)),
    };
    super(shared, tree.root, l1, l2);
    tree.plantRoot(this);
    this.#l1Root = l1;
    this.#l2Root = l2;
    this.#bus = bus;
    this.#dropped = keepCoherent(shared, l2);
    bus.on('reset', (reason) => {
      for (const listener of this.#stateListeners) listener({ state: 'reset', reason });
    });
  }

  /**
   * Reports what its Redis tier reports (`unavailable`, `available`,
   * `oversized`), and `reset` each time it drops its L1 copies because
   * invalidations may have been missed, with the reason.
   *
   * @example
   * ```ts
   * const off = store.onStateChange((change) => console.warn(`tiered cache ${change.state}`, change.reason));
   * ```
   */
  onStateChange(listener: (change: StoreStateChange) => void): () => void {
    const offL2 = this.#l2Root.onStateChange?.(listener);
    this.#stateListeners.add(listener);
    return () => {
      offL2?.();
      this.#stateListeners.delete(listener);
    };
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
      timeout === undefined
        ? (this.#l2Root.connectTimeout ?? DEFAULT_CONNECT_TIMEOUT)
        : parseDuration(timeout, 'TieredStore.ready()', 'timeout');
    const [redis, bus] = await Promise.all([this.#l2Root.ready?.(ms) ?? true, this.#bus.ready?.(ms) ?? this.#bus.up]);
    return redis && bus;
  }

  /** The in-process L1 store (for inspection). */
  get l1(): MemoryStore {
    return this.#l1Root;
  }

  /**
   * The bus's figures: whether it is subscribed, and how many messages on
   * its channel were not valid bus messages (dropped; each is also an
   * `'error'` event of {@link cacheEvents} with `operation: 'bus'`), and
   * how many gaps it saw in a peer's sequence numbers (each dropped L1).
   *
   * @example
   * ```ts
   * const { up, invalidMessages } = store.busStats();
   * ```
   */
  busStats(): { readonly up: boolean; readonly invalidMessages: number; readonly gaps: number } {
    const fromBus = this.#bus instanceof RedisBus ? this.#bus.invalidMessages : 0;
    return { up: this.#bus.up, invalidMessages: fromBus + this.#dropped.count, gaps: this.#bus.gaps ?? 0 };
  }
}
