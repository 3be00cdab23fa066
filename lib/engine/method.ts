import type { StoreKey } from '../keys/keys.js';
import type { StoreSetOptions } from '../stores/contract.js';

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
  /**
   * Freshness policies (stale-while-revalidate, refresh-ahead, load
   * timeouts, fail-safe throttle, TTL jitter, TTL from the value).
   *
   * @default undefined (none)
   */
  readonly freshness?: FreshnessSettings | undefined;
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

/**
 * A method's validated freshness policies, in milliseconds.
 *
 * @internal
 *
 * @example
 * ```ts
 * const freshness: FreshnessSettings = { staleWhileRevalidate: 10_000, refreshAhead: 0.8 };
 * ```
 */
export interface FreshnessSettings {
  /** For this long after expiry a call gets the expired value at once, and one background reload starts. */
  readonly staleWhileRevalidate?: number | undefined;
  /** A hit on an entry older than this fraction of its TTL starts one background reload. */
  readonly refreshAhead?: number | undefined;
  /** Past this, a load's callers get an expired value that is still allowed; the load goes on. */
  readonly softTimeout?: number | undefined;
  /** Past this, a load's callers get an allowed expired value, else a `LoadTimeoutError`; the load goes on. */
  readonly hardTimeout?: number | undefined;
  /** After a failed reload, the expired value is served this long without running the method again. */
  readonly failSafeRetryAfter?: number | undefined;
  /** Each write's TTL is multiplied by a random factor in [1 − jitter, 1 + jitter]. */
  readonly jitter?: number | undefined;
  /** Each write's TTL from the loaded value (milliseconds; `undefined`: the method's `ttl`). */
  readonly ttlOf?: ((value: unknown, args: readonly unknown[]) => number | undefined) | undefined;
  /**
   * Each write's tags, known once the value is loaded (`undefined`: those
   * known at the load's start). A load under it always reads the store's
   * tag clock at its start, so a tag invalidated meanwhile keeps the entry out.
   */
  readonly tagsOf?: ((value: unknown, args: readonly unknown[]) => readonly string[] | undefined) | undefined;
}

/**
 * What one call loads and writes under: its write options and freshness
 * policies, resolved once per method (a call of the manual API that states
 * its own options gets one of its own), in milliseconds.
 *
 * @internal
 *
 * @example
 * ```ts
 * const policy = loadPolicy(60_000, undefined, { refreshAhead: 0.8 });
 * policy.refreshBelow; // 12_000
 * ```
 */
export interface LoadPolicy {
  /** The options of the load's write: TTL and stale window (and tags, for a manual call that states them). */
  readonly write: StoreSetOptions | undefined;
  /** Milliseconds an expired value may still be served when the reload throws. */
  readonly failSafe: number | undefined;
  /** Freshness policies; `undefined`: none. */
  readonly freshness: FreshnessSettings | undefined;
  /** How long past its expiry the store keeps an entry: the longer of the fail-safe and SWR windows (0: none). */
  readonly staleWindow: number;
  /** A hit with less freshness left than this (ms) starts a background reload (`refreshAhead`); `undefined`: never. */
  readonly refreshBelow: number | undefined;
}

/**
 * The {@link LoadPolicy} of loads with this TTL, fail-safe window and
 * freshness policies (and, for a manual call, these tags).
 *
 * @internal
 *
 * @example
 * ```ts
 * const policy = loadPolicy(60_000, 300_000, undefined);
 * policy.write; // { ttl: 60_000, failSafe: 300_000 }
 * ```
 */
export function loadPolicy(
  ttl: number | undefined,
  failSafe: number | undefined,
  freshness: FreshnessSettings | undefined,
  tags?: readonly string[],
): LoadPolicy {
  const swr = freshness?.staleWhileRevalidate;
  const windowed = failSafe !== undefined || swr !== undefined;
  const staleWindow = Math.max(failSafe ?? 0, swr ?? 0);
  const fraction = freshness?.refreshAhead;
  let write: StoreSetOptions | undefined;
  if (ttl !== undefined) write = { ttl, failSafe: windowed ? staleWindow : undefined };
  if (tags !== undefined) write = { ...write, tags };
  return {
    write,
    failSafe,
    freshness,
    staleWindow,
    refreshBelow: fraction === undefined || ttl === undefined ? undefined : ttl * (1 - fraction),
  };
}
