/**
 * What a store tells about itself beyond reads and writes: one key's entry
 * and last invalidation (`inspect`, for `explain()`), where another process's
 * invalidation came from (`onInvalidate`), and how it serves calls
 * (`health`, for the metrics). Part of the store contract (contract.ts).
 */
import type { InvalidationRecord } from './invalidation-log.js';

/**
 * Where another process's invalidation came from, as
 * {@link CacheStore.onInvalidate} reports it when the store knows.
 *
 * @example
 * ```ts
 * store.onInvalidate?.((key, origin) => console.log(key, origin?.from));
 * ```
 */
export interface InvalidationOrigin {
  /** The process that made it (its bus id). */
  readonly from: string;
  /** The W3C `traceparent` of the span it was made in, where tracing was on. @default undefined */
  readonly traceparent?: string | undefined;
}

/**
 * How a store serves calls now, as {@link CacheStore.health} reports it.
 *
 * @example
 * ```ts
 * const up = store.health?.().available ?? true;
 * ```
 */
export interface StoreHealth {
  /** Its backend answers (`false` while Redis is unreachable: calls go on without the cache). */
  readonly available: boolean;
  /** Gaps seen in peers' invalidation messages so far (each dropped L1); tiered stores only. @default undefined */
  readonly busGaps?: number | undefined;
}

/**
 * What a store holds for one key, as {@link CacheStore.inspect} reports it.
 *
 * @example
 * ```ts
 * const held: EntryInspection = { tier: 'redis', ttlLeftMs: 42_000, ageMs: 18_000, tags: ['user:42'] };
 * ```
 */
export interface EntryInspection {
  /** Where the entry lives: `'memory'`, `'redis'`, a tiered store's `'l1'` (and Redis) or `'l2'` (Redis only). */
  readonly tier: string;
  /** Freshness left in ms (0 or less: expired, kept for a stale window); `undefined`: it never expires. */
  readonly ttlLeftMs: number | undefined;
  /** Milliseconds since it was written; `undefined` when it never expires or the store cannot tell. */
  readonly ageMs: number | undefined;
  /** Its tags; `undefined`: untagged. */
  readonly tags: readonly string[] | undefined;
}

/**
 * One key as a store sees it: its entry (`undefined`: none, not even a
 * stale one) and the last invalidation of the key or its namespace the
 * store knows of (`undefined`: none).
 *
 * @example
 * ```ts
 * const { entry, lastInvalidation } = await store.inspect!(42);
 * ```
 */
export interface StoreInspection {
  readonly entry: EntryInspection | undefined;
  readonly lastInvalidation: InvalidationRecord | undefined;
}
