/**
 * What every library adapter in `bench/libs/` provides: a memoized
 * `get(arg)` over a loader, built with the library's own idiomatic API. The
 * workloads (`bench/workloads.ts`) call `get` and never know which library
 * they drive, so every row does the same work around the cache.
 *
 * Decorated methods are written `get(arg) { return loader(arg); }`, without
 * `async`: the method is the loader, so decorator libraries wrap the same call
 * that function memoizers (p-memoize) and hand-written caches wrap.
 */

/** The memoized method, as a caller sees it. */
export interface Service<A> {
  get(arg: A): Promise<unknown>;
}

export interface BuildSpec<A> {
  /** The function being cached (counts its own calls). */
  readonly loader: (arg: A) => Promise<unknown>;
  /** Most entries kept: the workload's bound (caches that take a bound must be given this one). */
  readonly max: number;
  /** Key for libraries whose API takes a string key (`String(id)`, or `JSON.stringify(arg)` for objects). */
  readonly stringKey: (arg: A) => string;
  /** Key for hand-written Map/LRU caches: the number itself, or `JSON.stringify(arg)` for objects. */
  readonly mapKey: (arg: A) => unknown;
}

/** Figures a library reports itself (memokit's `cacheStats`), checked against what the workload did. */
export interface SelfStats {
  readonly hits: number;
  readonly misses: number;
  readonly inflightJoins: number;
  readonly evictions: number;
  readonly size: number;
}

export interface Built<A> {
  readonly svc: Service<A>;
  /** Entries held, when the library can tell. */
  size?(): number;
  /** The library's own figures, when it keeps some. */
  stats?(): SelfStats;
}

/** An adapter: builds one memoized service. Called once per child process. */
export type Build = <A>(spec: BuildSpec<A>) => Promise<Built<A>> | Built<A>;

/** One hour, the TTL given to libraries configured with one. */
export const HOUR_MS = 3_600_000;
