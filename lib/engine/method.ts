import type { StoreKey } from '../keys/keys.js';

/**
 * Per-call control, applied with {@link withCacheOptions}.
 *
 * @example
 * ```ts
 * await withCacheOptions({ useCache: false }, () => svc.getUser(42)); // no read, no write
 * await withCacheOptions({ refresh: true }, () => svc.getUser(42));   // reload and store
 * ```
 */
export interface CallOptions {
  /**
   * `false`: this call neither reads nor writes the cache; the method runs.
   *
   * @default true
   */
  readonly useCache?: boolean;
  /**
   * `true`: ignore any cached value, run the method and store its result.
   *
   * @default false
   */
  readonly refresh?: boolean;
}

/**
 * A validated `lease` option, in milliseconds.
 *
 * @internal
 *
 * @example
 * ```ts
 * const lease: LeaseSettings = { ttl: 10_000, wait: 2_000 };
 * ```
 */
export interface LeaseSettings {
  /** How long a process may hold a key's lease before another may take it over. */
  readonly ttl: number;
  /** How long a call waits for another process's load before loading itself. */
  readonly wait: number;
}

/**
 * What the engine needs to know about the method it caches.
 *
 * @example
 * ```ts
 * const method: EngineMethod = {
 *   where: 'Svc.get',
 *   id: 'Svc.get',
 *   original: async (id) => fetchUser(id),
 *   ttl: 60_000,
 *   failSafe: undefined,
 *   shouldCache: undefined,
 *   keyOf: (_self, args) => args[0] as number,
 * };
 * ```
 */
export interface EngineMethod {
  /** `Class.method`, named in errors. */
  readonly where: string;
  /** Unique name, the `source` of events. */
  readonly id: string;
  /** The method itself; it must return a promise (or a thenable). */
  readonly original: (...args: unknown[]) => unknown;
  /** Time to live of its entries in milliseconds; `undefined`: the namespace's. */
  readonly ttl: number | undefined;
  /** Milliseconds an expired value may still be served when the reload throws. */
  readonly failSafe: number | undefined;
  /** Whether a loaded value is stored; `undefined`: every value is. */
  readonly shouldCache: ((value: unknown, args: readonly unknown[]) => boolean) | undefined;
  /**
   * Tags of an entry, from the call's arguments.
   *
   * @default undefined (untagged entries)
   */
  readonly tags?: ((args: readonly unknown[]) => readonly string[]) | undefined;
  /**
   * Cross-process single-flight on stores that support it (milliseconds).
   *
   * @default undefined (no lease)
   */
  readonly lease?: LeaseSettings | undefined;
  /**
   * `false`: a load's write to an asynchronous store (Redis, tiered) is sent
   * in the background and the call resolves without waiting for it.
   * Omitted or `true`: the call resolves once the store answered the write
   * (or failed it: a failure is counted and the call still gets its value).
   *
   * @default true
   */
  readonly awaitWrite?: boolean | undefined;
  /** The store key of a call on `self` with `args` (may throw for arguments it cannot encode). */
  keyOf(self: unknown, args: readonly unknown[]): StoreKey;
}
