import type { StoreStats } from '../stores/contract.js';

/**
 * Figures of one cached method (summed over its bindings).
 *
 * @example
 * ```ts
 * const { hits, misses, hitRate } = cacheStats(svc.getUser);
 * ```
 */
export interface MethodStats {
  /** Calls answered from the cache. */
  readonly hits: number;
  /** Calls that found no entry (they started a load). */
  readonly misses: number;
  /** Times the original method ran to fill the cache (misses and refreshes). */
  readonly loads: number;
  /** Loads that rejected (never cached). */
  readonly loadErrors: number;
  /** Calls that joined a load already in flight for the same key. */
  readonly inflightJoins: number;
  /** Calls that skipped the cache with `useCache: false`. */
  readonly bypassed: number;
  /** Store operations that failed (the call still got its value). */
  readonly storeErrors: number;
  /** Entries evicted to make room. */
  readonly evictions: number;
  /** Entries currently cached. */
  readonly size: number;
  /** `hits / (hits + misses)`, 0 before any call. */
  readonly hitRate: number;
  /** Calls answered with an expired value because the reload threw (fail-safe). */
  readonly failSafeServed: number;
  /** Calls answered with an expired value at once while it was reloaded in the background (`staleWhileRevalidate`). */
  readonly staleWhileRevalidateServed: number;
  /** Calls answered with an expired value because the load passed `timeout.soft` or `timeout.hard`. */
  readonly timeoutServed: number;
  /** Calls whose load passed `timeout.soft` or `timeout.hard` (answered with an expired value or a `LoadTimeoutError`). */
  readonly timeouts: number;
  /** Background reloads started (`staleWhileRevalidate`, `refreshAhead`); each also counts in `loads`. */
  readonly refreshes: number;
  /** Background reloads that rejected (each also counts in `loadErrors`). */
  readonly refreshErrors: number;
  /** Reads repeated because another process held the key's lease (`lease` option). */
  readonly leaseWaits: number;
  /** Calls that stopped waiting for another process's load after `lease.wait` and loaded themselves. */
  readonly leaseTimeouts: number;
  /**
   * Total milliseconds spent in successful loads. Exact for a binding's first
   * 100 successful loads; after that one load in 16 is timed (reading the
   * clock costs about as much as a fast load), and the figure is the mean of
   * the timed loads times the successful loads.
   */
  readonly loadTimeMs: number;
}

/** Successful loads of one binding timed exactly; after them, one load in {@link SAMPLE_EVERY} is timed. */
const TIMED_LOADS = 100;
/** A power of two. */
const SAMPLE_EVERY = 16;

const now = (): number => performance.now();

/**
 * The running counts of one binding, bumped in place by the engine (plain
 * fields: the hit path adds one and allocates nothing). {@link MethodCounters.snapshot}
 * turns them into {@link MethodStats}.
 *
 * @internal
 *
 * @example
 * ```ts
 * const counters = new MethodCounters();
 * counters.hits++;
 * counters.snapshot(store.stats()).hitRate; // 1
 * ```
 */
export class MethodCounters {
  hits = 0;
  misses = 0;
  loads = 0;
  loadErrors = 0;
  joins = 0;
  bypassed = 0;
  storeErrors = 0;
  failSafeServed = 0;
  staleWhileRevalidateServed = 0;
  timeoutServed = 0;
  timeouts = 0;
  refreshes = 0;
  refreshErrors = 0;
  leaseWaits = 0;
  leaseTimeouts = 0;
  /** Successful loads; the timed ones, and their total milliseconds (see {@link MethodStats.loadTimeMs}). */
  #loadsOk = 0;
  #timedLoads = 0;
  #timedMs = 0;

  /** Counts a load starting now; returns a clock reading for it, or -1 when it is not timed. */
  loadStarted(): number {
    this.loads++;
    // Timed while fewer than TIMED_LOADS succeeded, so the first successful load is always timed.
    return this.#loadsOk < TIMED_LOADS || (this.loads & (SAMPLE_EVERY - 1)) === 0 ? now() : -1;
  }

  /** Counts a successful load and, if it was timed (`started` ≥ 0), its duration. */
  loaded(started: number): void {
    this.#loadsOk++;
    if (started >= 0) {
      this.#timedLoads++;
      this.#timedMs += now() - started;
    }
  }

  /**
   * These counts with the store's size and evictions, as {@link MethodStats}.
   * `syncHits`: hits the caller counted itself (the hit path keeps its own
   * counter, a field of the method's cache, one object less to touch per hit).
   */
  snapshot({ size, evictions }: StoreStats, syncHits = 0): MethodStats {
    const hits = this.hits + syncHits;
    return {
      hits,
      misses: this.misses,
      loads: this.loads,
      loadErrors: this.loadErrors,
      inflightJoins: this.joins,
      bypassed: this.bypassed,
      storeErrors: this.storeErrors,
      evictions,
      size,
      hitRate: hitRate(hits, this.misses),
      failSafeServed: this.failSafeServed,
      staleWhileRevalidateServed: this.staleWhileRevalidateServed,
      timeoutServed: this.timeoutServed,
      timeouts: this.timeouts,
      refreshes: this.refreshes,
      refreshErrors: this.refreshErrors,
      leaseWaits: this.leaseWaits,
      leaseTimeouts: this.leaseTimeouts,
      loadTimeMs:
        this.#timedLoads === this.#loadsOk ? this.#timedMs : (this.#timedMs / this.#timedLoads) * this.#loadsOk,
    };
  }
}

/**
 * The share of lookups that hit (0 before any).
 *
 * @internal
 * @example
 * ```ts
 * hitRate(3, 1); // 0.75
 * ```
 */
export const hitRate = (hits: number, misses: number): number => (hits + misses === 0 ? 0 : hits / (hits + misses));

/** The figures {@link sumStats} adds up (`hitRate` is derived from the sums). */
const SUMMED_STATS = [
  'hits',
  'misses',
  'loads',
  'loadErrors',
  'inflightJoins',
  'bypassed',
  'storeErrors',
  'evictions',
  'size',
  'failSafeServed',
  'staleWhileRevalidateServed',
  'timeoutServed',
  'timeouts',
  'refreshes',
  'refreshErrors',
  'leaseWaits',
  'leaseTimeouts',
  'loadTimeMs',
] as const satisfies readonly Exclude<keyof MethodStats, 'hitRate'>[];

// Every figure but hitRate is summed: a new field of MethodStats missing above is a compile error here.
const _allSummed: [Exclude<keyof MethodStats, 'hitRate' | (typeof SUMMED_STATS)[number]>] extends [never]
  ? true
  : never = true;

/**
 * Sums the figures of several bindings of one method.
 *
 * @example
 * ```ts
 * const total = sumStats([appA.stats(), appB.stats()]);
 * ```
 */
export function sumStats(all: readonly MethodStats[]): MethodStats {
  const total = { hitRate: 0 } as Record<keyof MethodStats, number>;
  for (const key of SUMMED_STATS) total[key] = 0;
  for (const s of all) for (const key of SUMMED_STATS) total[key] += s[key];
  total.hitRate = hitRate(total.hits, total.misses);
  return total;
}
