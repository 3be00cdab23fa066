/**
 * What the sizing advisor reports: the estimated hit rate of a method's cache
 * at other sizes and TTLs, and a recommendation (see docs/advisor.md).
 */

/**
 * The sampler's settings, from `advisor: true | rate | { rate, maxKeys, seed }`
 * on `@AsyncLRU` / `@AsyncTTL`, `new Cache()`, a scope or `CacheModule.forRoot()`.
 *
 * @example
 * ```ts
 * const options: AdvisorOptions = { rate: 0.05, maxKeys: 4096 };
 * ```
 */
export interface AdvisorOptions {
  /**
   * The fraction of keys sampled (0 < rate ≤ 1): a key is sampled when a hash
   * of it falls below `rate`, so every call of a sampled key is seen and none
   * of the others. Lowered on its own when more than `maxKeys` keys are
   * sampled.
   *
   * @default 0.01
   */
  readonly rate?: number;
  /**
   * Most keys sampled at once (each costs about 70 bytes, 110 for an
   * expiring method); past it the rate is
   * lowered and the keys above the new threshold are dropped.
   *
   * @default 8192
   */
  readonly maxKeys?: number;
  /**
   * Seed of the key hash: the same seed and calls give the same estimates.
   *
   * @default 0
   */
  readonly seed?: number;
}

/**
 * The estimated hit rate of the cache at one size.
 *
 * @example
 * ```ts
 * const point: SizeEstimate = { size: 2000, multiple: 2, hitRate: 0.91, bytes: 480_000 };
 * ```
 */
export interface SizeEstimate {
  /** Entries (`maxSize`). */
  readonly size: number;
  /** `size` divided by the current `maxSize`. */
  readonly multiple: number;
  /** Estimated fraction of calls that would be hits (0–1). */
  readonly hitRate: number;
  /**
   * Estimated bytes the entries would take at that size (entries held ×
   * measured bytes per entry); `undefined` until a loaded value was measured.
   */
  readonly bytes: number | undefined;
}

/**
 * The estimated hit rate of the cache with another TTL, at its current size.
 *
 * @example
 * ```ts
 * const point: TtlEstimate = { ttl: 120_000, multiple: 2, hitRate: 0.74 };
 * ```
 */
export interface TtlEstimate {
  /** Time to live in milliseconds. */
  readonly ttl: number;
  /** `ttl` divided by the current TTL. */
  readonly multiple: number;
  /** Estimated fraction of calls that would be hits (0–1). */
  readonly hitRate: number;
}

/**
 * The advisor's recommendation: the smallest of the estimated sizes whose hit
 * rate is within one point of the largest size's (the knee of the curve).
 *
 * @example
 * ```ts
 * const advice: SizeRecommendation = { maxSize: 2000, hitRate: 0.91, bytes: 480_000, loadsPerSecondChange: -35 };
 * ```
 */
export interface SizeRecommendation {
  /** The recommended `maxSize`. */
  readonly maxSize: number;
  /** Its estimated hit rate (0–1). */
  readonly hitRate: number;
  /** Estimated bytes at that size; `undefined` until a value was measured. */
  readonly bytes: number | undefined;
  /**
   * Expected change in loads (method runs) per second at the observed call
   * rate, moving from the current size to this one: negative is fewer loads.
   */
  readonly loadsPerSecondChange: number;
}

/**
 * The advisor's report for one cached method (or scope) in one binding.
 *
 * @example
 * ```ts
 * const advice: CacheAdvice = await adviseCache(catalog.getProduct);
 * if (advice.recommendation !== undefined) console.log(`maxSize: ${advice.recommendation.maxSize}`);
 * ```
 */
export interface CacheAdvice {
  /** `Class.method`, `scope:<name>` for decorated methods sharing a scope, or `Cache(<name>)`. */
  readonly method: string;
  /** The store's name in a NestJS module, else its kind. */
  readonly store: string;
  /** The bucket's current `maxSize`; `undefined` when the store has none (Redis). */
  readonly maxSize: number | undefined;
  /**
   * The TTL the `ttls` curve is relative to, in milliseconds; `undefined`
   * when entries do not expire. For a scope, the TTL of the method that
   * turned its advisor on.
   */
  readonly ttl: number | undefined;
  /** Calls observed (every call that read the cache) since the advisor started. */
  readonly calls: number;
  /** Calls per second over about the last minute (since the advisor started, when that is sooner). */
  readonly callsPerSecond: number;
  /** Milliseconds since the advisor started. */
  readonly observedMs: number;
  /** The sampling rate now (lowered from the configured one when more keys came than `maxKeys`). */
  readonly rate: number;
  /** Keys sampled now (≤ `maxKeys`). */
  readonly sampledKeys: number;
  /** Estimated distinct keys called (sampled keys ÷ rate). */
  readonly distinctKeys: number;
  /** Estimated bytes per entry (value, key and the store's per-entry cost); `undefined` until measured. */
  readonly bytesPerEntry: number | undefined;
  /** Estimated hit rate at 0.25×, 0.5×, 1×, 2×, 4× and 8× `maxSize` (empty when the store has no `maxSize`). */
  readonly sizes: readonly SizeEstimate[];
  /** Estimated hit rate at 0.25×, 0.5×, 1×, 2× and 4× the TTL (empty when entries do not expire). */
  readonly ttls: readonly TtlEstimate[];
  /** The knee of the size curve; `undefined` when there is no size curve or nothing sampled yet. */
  readonly recommendation: SizeRecommendation | undefined;
  /** Why the estimates may not be trusted yet (few sampled keys or calls); empty when none. */
  readonly warnings: readonly string[];
}

/** Multiples of `maxSize` the advisor estimates. */
export const SIZE_MULTIPLES = [0.25, 0.5, 1, 2, 4, 8] as const;

/** Multiples of the TTL the advisor estimates. */
export const TTL_MULTIPLES = [0.25, 0.5, 1, 2, 4] as const;
