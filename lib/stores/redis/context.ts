/**
 * What a Redis store and every one of its namespaces share: the connection,
 * the validated settings, the namespace tree, and store-wide state.
 */
import type { Serializer } from '../../codec/serializer.js';
import type { NamespaceTree } from '../namespace-tree.js';
import type { RedisConnection } from './connection.js';

/**
 * The store-wide part of a Redis store, handed to each of its namespaces.
 * `N` is the namespace type (kept generic so this module does not import it).
 */
export interface StoreContext<N = unknown> {
  readonly connection: RedisConnection;
  readonly prefix: string;
  readonly serializer: Serializer;
  /** `mk1|<format>|`: what every entry written with this serializer starts with. */
  readonly header: string;
  /** Bytes (UTF-8) a stored entry may take at most. */
  readonly maxValueSize: number;
  /** The store's namespaces (the shared tree: names, limits, and who stated them). */
  readonly tree: NamespaceTree<N>;
  /** The store's tag record `<prefix>:{#<prefix>}:tags`, in a Cluster slot of its own. */
  readonly tagKey: string;
  /** On a Cluster the tag record is in another slot than the namespaces: tagged entries take a second call. */
  readonly cluster: boolean;
  /** Milliseconds a delete is remembered for loads in flight. */
  readonly tombstoneTtl: number;
  /** Milliseconds a tag invalidation is remembered. */
  readonly tagTtl: number;
  /** A tagged write happened: on a Cluster, load tokens then read the tag clock too (a second call on a miss). */
  tagged: boolean;
  /** Broken auxiliary keys scripts repaired (see RedisStoreStats.repaired). */
  repaired: number;
}
