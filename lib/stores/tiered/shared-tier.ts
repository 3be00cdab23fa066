import type { StoreKey } from '../../keys/keys.js';
import type { FullStore } from '../contract.js';

/**
 * An invalidation the L2 sent again once it answered after an outage (the
 * Redis store's replays have this shape).
 *
 * @example
 * ```ts
 * const replay: ReplayedInvalidation = { op: 'delete', path: ['users'], key: 'user:1' };
 * ```
 */
export interface ReplayedInvalidation {
  readonly op: 'delete' | 'clear' | 'invalidateTags';
  /** The namespace's path (empty for the root, or for tags). */
  readonly path: readonly string[];
  /** The key a delete removed. */
  readonly key?: StoreKey | undefined;
  /** The tags an `invalidateTags` invalidated. */
  readonly tags?: readonly string[] | undefined;
}

/**
 * What a {@link TieredStore} needs of its L2, the store every process
 * shares (a `RedisStore`): tags, and two optional capabilities it uses when
 * present. It asks for nothing else, so it does not depend on how the L2
 * keeps its connection.
 *
 * @example
 * ```ts
 * const l2: SharedTier = new RedisStore({ url: 'redis://127.0.0.1:6379' });
 * ```
 */
export type SharedTier = FullStore & SharedTierExtras;

/** What a tiered store asks of its L2 beyond the key-value capabilities. */
export interface SharedTierExtras {
  invalidateTags(tags: readonly string[]): Promise<void>;
  /**
   * Milliseconds one connection attempt may take: the default bound of
   * `TieredStore.ready()`.
   *
   * @default 10 s when absent
   */
  readonly connectTimeout?: number | undefined;
  /**
   * Calls `listener` with the invalidations the L2 replayed after an outage,
   * before it serves again: the tiered store republishes them, since its
   * peers may have read the entries back into their L1 meanwhile. Absent: an
   * L2 that does not replay.
   */
  onReplay?(listener: (replays: readonly ReplayedInvalidation[]) => Promise<void>): () => void;
}

/** The default bound of `TieredStore.ready()` for an L2 without a `connectTimeout` (ioredis's own default). */
export const DEFAULT_CONNECT_TIMEOUT = 10_000;
