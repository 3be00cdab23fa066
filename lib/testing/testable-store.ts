import type { StoreKey } from '../util/store-key.js';

/**
 * An entry as a store returns it on a hit. `value` may be `undefined` or
 * `null`: those are cached values, not misses.
 *
 * @example
 * ```ts
 * const entry: TestableEntry | undefined = await store.get('a');
 * if (entry !== undefined) console.log(entry.value);
 * ```
 */
export interface TestableEntry {
  /** The cached value. */
  readonly value: unknown;
}

/**
 * Options of one write, as the contract suite passes them.
 *
 * @example
 * ```ts
 * await store.set('token', 'abc', { ttl: 30_000 });
 * ```
 */
export interface TestableWriteOptions {
  /**
   * Time to live in milliseconds. Omitted: the namespace's TTL, or no expiry.
   *
   * @default the namespace's ttl
   */
  readonly ttl?: number | undefined;
  /**
   * Milliseconds the entry stays readable by `getFailSafe` after its `ttl`
   * (fail-safe). Passed only to stores that claim the `'failSafe'` capability.
   *
   * @default undefined (no fail-safe window)
   */
  readonly failSafe?: number | undefined;
  /**
   * Tags of the entry, for `invalidateTags`. Passed only to stores that claim
   * the `'tags'` capability.
   *
   * @default undefined (no tags)
   */
  readonly tags?: readonly string[] | undefined;
}

/**
 * Options of `namespace()` the suite uses. A store reads `ttl` only if it
 * claims the `'namespaceTtl'` capability.
 *
 * @example
 * ```ts
 * const sessions = store.namespace('sessions', { ttl: 60_000 });
 * ```
 */
export interface TestableNamespaceOptions {
  /**
   * Default time to live in milliseconds of writes that give none.
   *
   * @default no expiry
   */
  readonly ttl?: number | undefined;
}

/**
 * The synchronous operations of an in-process store (the `'sync'`
 * capability): the engine serves hits from them without an `await`.
 *
 * @example
 * ```ts
 * const hit = store.sync?.get('a');
 * ```
 */
export interface TestableSyncOps {
  /**
   * `false` when the synchronous tier is only part of the store (a tiered
   * store's L1): a synchronous miss proves nothing then.
   *
   * @default true
   */
  readonly complete?: boolean | undefined;
  /** The live entry for `key`, or `undefined`. */
  get(key: StoreKey): TestableEntry | undefined;
  /** Stores `value` under `key`. */
  set(key: StoreKey, value: unknown, options?: TestableWriteOptions): void;
  /** Removes `key`; `true` when an entry was removed. */
  delete(key: StoreKey): boolean;
  /** Removes every entry of this namespace. */
  clear(): void;
}

/**
 * The store the contract suite tests: the small key-value contract every
 * store implements (`get`, `set` with a `ttl`, `delete`, `clear`, `getMany`,
 * `setMany`, `namespace`, `close`), and optional members for the richer
 * capabilities, each tested when the store claims it (see
 * {@link StoreCapability}). memokit's `CacheStore` fits this type, and so does
 * a plain store that has only the required members.
 *
 * Keys are strings or numbers, and `1` and `'1'` are different keys. Reads
 * never throw for a miss. TTLs are milliseconds.
 *
 * @example
 * ```ts
 * const store: TestableStore = new MemoryStore();
 * await store.namespace('users').set(1, { name: 'Ada' }, { ttl: 60_000 });
 * ```
 */
export interface TestableStore {
  /** The entry for `key`, or `undefined` on a miss. */
  get(key: StoreKey): Promise<TestableEntry | undefined>;
  /** Stores `value` under `key`, replacing any entry; `options.ttl` bounds its life. */
  set(key: StoreKey, value: unknown, options?: TestableWriteOptions): Promise<void>;
  /** Removes `key`; resolves `true` when an entry was removed. */
  delete(key: StoreKey): Promise<boolean>;
  /** Removes every entry of this namespace, and nothing in any other. */
  clear(): Promise<void>;
  /** Entries for `keys`, in order, `undefined` for each miss. */
  getMany(keys: readonly StoreKey[]): Promise<readonly (TestableEntry | undefined)[]>;
  /** Stores every `[key, value]` pair with the same options. */
  setMany(entries: Iterable<readonly [StoreKey, unknown]>, options?: TestableWriteOptions): Promise<void>;
  /**
   * A child namespace whose keys never meet the parent's or a sibling's; the
   * same name gives the same namespace; an empty name is a `TypeError`.
   */
  namespace(name: string, options?: TestableNamespaceOptions): TestableStore;
  /** Releases connections and timers. */
  close(): Promise<void>;

  /** Backend kind, a short label (`'names'` capability). */
  readonly kind?: string | undefined;
  /** This namespace's path, `''` for the root (`'names'` capability). */
  readonly name?: string | undefined;
  /** The entry for `key` even past its `ttl`, within its `failSafe` (`'failSafe'` capability). */
  getFailSafe?(key: StoreKey): Promise<TestableEntry | undefined>;
  /** Whether a live entry exists for `key` (`'has'` capability). */
  has?(key: StoreKey): Promise<boolean>;
  /** Stores `value` only when no live entry exists; resolves whether it did (`'setIfNotExists'` capability). */
  setIfNotExists?(key: StoreKey, value: unknown, options?: TestableWriteOptions): Promise<boolean>;
  /** A new TTL for an existing entry, `undefined`: none; resolves whether it existed (`'expireIn'` capability). */
  expireIn?(key: StoreKey, ttl: number | undefined): Promise<boolean>;
  /** Size and eviction figures of this namespace (`'stats'` capability). */
  stats?(): { readonly size: number; readonly evictions: number };
  /** Makes every entry carrying one of `tags` unreachable, in every namespace (`'tags'` capability). */
  invalidateTags?(tags: readonly string[]): Promise<void>;
  /** The same operations, synchronously, for in-process stores (`'sync'` capability). */
  readonly sync?: TestableSyncOps | undefined;
}
