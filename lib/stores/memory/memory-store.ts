import { defaultSerializer } from '../../codec/envelope.js';
import { type Serializer } from '../../codec/serializer.js';
import { NamespaceTree } from '../namespace-tree.js';
import { MemoryNamespace, type MemoryShared } from './memory-namespace.js';
import { memorySettings, type MemoryStoreOptions } from './memory-options.js';
import {
  adoptPending,
  readSnapshot,
  writeSnapshot,
  type PendingEntries,
  type RestoreResult,
} from './memory-snapshot.js';

export type { MemoryStoreOptions } from './memory-options.js';
export type { RestoreResult } from './memory-snapshot.js';

/**
 * An in-process LRU + TTL store with O(1) operations. Each namespace (a
 * decorated method's bucket or a scope) is bounded by its own `maxSize`.
 * Values are kept by reference: callers share the cached object.
 *
 * @example
 * ```ts
 * let now = 0;
 * const store = new MemoryStore({ max: 500, ttl: '30s', clock: { now: () => now } });
 * await store.set('a', 1);
 * now += 30_001;
 * await store.get('a'); // undefined: expired
 * ```
 */
export class MemoryStore extends MemoryNamespace {
  readonly #shared: MemoryShared;
  readonly #persistPath: string | undefined;
  /** Restored entries waiting for their namespace to be created. */
  readonly #pending: PendingEntries;

  constructor(options: MemoryStoreOptions = {}) {
    const settings = memorySettings(options);
    const pending: PendingEntries = new Map();
    const tree = new NamespaceTree<MemoryNamespace>({
      where: (_parent, name) => `MemoryStore.namespace(${JSON.stringify(name)})`,
      create: ({ node }) => {
        const created = new MemoryNamespace(shared, node);
        adoptPending(pending, node.id, created);
        return created;
      },
      reuse: (namespace, { limits }) => namespace.resize(limits),
      root: { maxSize: settings.max, ttl: settings.ttl },
    });
    const shared: MemoryShared = {
      max: settings.max,
      perf: settings.perf,
      clock: settings.clock,
      tags: undefined,
      tree,
    };
    super(shared, tree.root);
    tree.plantRoot(this);
    this.#shared = shared;
    this.#pending = pending;
    this.#persistPath = settings.persistPath;
  }

  /**
   * Creates a store and, with `persist`, restores its snapshot first.
   * Startup never fails because of the file: a corrupt one is reported with
   * a process warning and ignored.
   *
   * @example
   * ```ts
   * const store = await MemoryStore.open({ max: 10_000, persist: { path: '.cache/snapshot.json' } });
   * ```
   */
  static async open(options: MemoryStoreOptions = {}): Promise<MemoryStore> {
    const store = new MemoryStore(options);
    if (options.persist !== undefined) await store.restore(options.persist.path);
    return store;
  }

  /**
   * Writes every live entry (values through the lossless envelope) to
   * `path`, atomically (temporary file, then rename). Values the envelope
   * cannot encode are skipped and counted.
   *
   * @example
   * ```ts
   * const { saved } = await store.snapshot('.cache/snapshot.json');
   * ```
   */
  snapshot(path: string, serializer: Serializer = defaultSerializer): Promise<{ saved: number; skipped: number }> {
    const now = (this.#shared.perf ?? performance).now();
    return writeSnapshot(path, serializer, now, this.#shared.tree.entries(), this.#pending);
  }

  /**
   * Loads a snapshot written by {@link MemoryStore.snapshot}: entries that
   * expired since are dropped; the rest appear in their namespace when it is
   * first used. A missing file restores nothing; a corrupt one is reported
   * (process warning `MEMOKIT_SNAPSHOT_CORRUPT` and `error` in the result),
   * never thrown.
   *
   * @example
   * ```ts
   * const { restored, dropped } = await store.restore('.cache/snapshot.json');
   * ```
   */
  restore(path: string, serializer: Serializer = defaultSerializer): Promise<RestoreResult> {
    return readSnapshot(path, serializer, this.#pending, (id) => {
      const namespace = this.#shared.tree.get(id);
      if (namespace !== undefined) adoptPending(this.#pending, id, namespace);
    });
  }

  /** With `persist`, writes the snapshot; otherwise nothing to release. */
  override async close(): Promise<void> {
    if (this.#persistPath !== undefined) await this.snapshot(this.#persistPath);
  }
}
