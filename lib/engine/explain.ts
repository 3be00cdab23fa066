import type { StoreKey } from '../keys/keys.js';
import type { CacheStore, StoreInspection } from '../stores/contract.js';
import type { InvalidationRecord } from '../stores/invalidation-log.js';
import type { LoadPolicy } from './method.js';

/**
 * Which freshness window an entry is in, for the method reading it:
 * - `fresh`: served as a hit;
 * - `refresh-ahead`: a hit that starts a background reload (`refreshAhead`);
 * - `stale-while-revalidate`: expired, served at once while one reload runs;
 * - `fail-safe`: expired, served only when a reload fails (or times out);
 * - `expired`: expired and past the method's windows (the store keeps it for another reader's);
 * - `absent`: no entry.
 *
 * @example
 * ```ts
 * const window: FreshnessWindow = 'fail-safe';
 * ```
 */
export type FreshnessWindow = 'fresh' | 'refresh-ahead' | 'stale-while-revalidate' | 'fail-safe' | 'expired' | 'absent';

/**
 * Why a call sees what it sees: one entry, as `explain()` describes it.
 *
 * @example
 * ```ts
 * const why: CacheExplanation = await cacheService.explain(users.getUser, 42);
 * if (why.window === 'absent') console.log('not cached; last invalidation:', why.lastInvalidation);
 * ```
 */
export interface CacheExplanation {
  /** The entry's key in its store (what the method's key function made of the arguments). */
  readonly key: StoreKey;
  /** The store: its name in the NestJS module, else its kind (`'memory'`, `'redis'`, `'tiered'`, …). */
  readonly store: string;
  /**
   * Where the entry lives: `'memory'`, `'redis'`, a tiered store's `'l1'`
   * (this process's copy, and Redis) or `'l2'` (Redis only), a custom
   * store's kind; `null` when it is absent.
   */
  readonly tier: string | null;
  /**
   * Milliseconds since it was written (a Redis entry: by the writing
   * process's clock); `undefined` when absent, eternal, or not known (an
   * entry written by an earlier memokit, a store without `inspect`).
   */
  readonly ageMs: number | undefined;
  /** Freshness left in milliseconds (negative: expired that long ago); `undefined` when absent or eternal. */
  readonly ttlLeftMs: number | undefined;
  /** Its tags (`[]`: none, or absent). */
  readonly tags: readonly string[];
  /** The freshness window it is in for this method. */
  readonly window: FreshnessWindow;
  /**
   * The last invalidation of its key or of its namespace that the store
   * knows of (this process's, a tiered peer's heard over the bus, or a
   * delete Redis logged); `null`: none known.
   */
  readonly lastInvalidation: InvalidationRecord | null;
}

/** Which window an entry with `ttlLeftMs` of freshness left is in under `policy`. */
export function windowOf(ttlLeftMs: number | undefined, policy: LoadPolicy): FreshnessWindow {
  if (ttlLeftMs === undefined) return 'fresh';
  if (ttlLeftMs > 0) {
    return policy.refreshBelow !== undefined && ttlLeftMs < policy.refreshBelow ? 'refresh-ahead' : 'fresh';
  }
  const expiredFor = -ttlLeftMs;
  const swr = policy.freshness?.staleWhileRevalidate;
  if (swr !== undefined && expiredFor < swr) return 'stale-while-revalidate';
  if (policy.failSafe !== undefined && expiredFor < policy.failSafe) return 'fail-safe';
  return 'expired';
}

/** What a store without `inspect` can say of `key`: its entry (stale ones too, where it reads them), nothing more. */
async function readOnly(store: CacheStore, key: StoreKey): Promise<StoreInspection> {
  const entry = await (store.getFailSafe ?? store.get).call(store, key);
  return {
    entry:
      entry === undefined
        ? undefined
        : { tier: store.kind, ttlLeftMs: entry.expiresIn, ageMs: undefined, tags: undefined },
    lastInvalidation: undefined,
  };
}

/**
 * Explains `key` in `store` for a method reading it under `policy`.
 *
 * @internal
 * @example
 * ```ts
 * const why = await explainKey(namespace, 42, policy);
 * ```
 */
export async function explainKey(
  store: CacheStore,
  key: StoreKey,
  policy: LoadPolicy,
  storeName = store.kind,
): Promise<CacheExplanation> {
  const { entry, lastInvalidation } = await (store.inspect?.(key) ?? readOnly(store, key));
  return {
    key,
    store: storeName,
    tier: entry?.tier ?? null,
    ageMs: entry?.ageMs,
    ttlLeftMs: entry?.ttlLeftMs,
    tags: entry?.tags ?? [],
    window: entry === undefined ? 'absent' : windowOf(entry.ttlLeftMs, policy),
    lastInvalidation: lastInvalidation ?? null,
  };
}
