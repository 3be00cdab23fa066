/**
 * Messages between the chaos suite (chaos.test.ts, the parent) and its worker
 * processes (fixtures/worker.ts), sent over Node's IPC channel as JSON.
 * Type-only: the worker imports it with `import type`, so nothing of it exists
 * at run time.
 */
import type { CacheStats, MethodStats } from '../../lib/index.js';
import type { RedisStoreStats } from '../../lib/redis.js';

/**
 * The two cached families every worker runs:
 * - `t`: a decorated `@AsyncLRU` method on a TieredStore (memory L1, Redis L2,
 *   pub/sub bus), mutated through an `@LRUInvalidator` method;
 * - `r`: `Cache.getOrSet` on a plain RedisStore, mutated by writing the truth
 *   and then `cache.delete(key)`.
 */
export type Family = 't' | 'r';

export interface WorkerConfig {
  readonly url: string;
  /** One file per family and key holds its current version (the source of truth). */
  readonly truthDir: string;
  /** RedisStore and RedisBus timeout, ms. */
  readonly timeout: number;
  /** What the cached method spends besides reading the truth file, ms. */
  readonly methodMs: number;
  /** Pause between two calls of one lane, ms. */
  readonly gapMs: number;
  /** Concurrent call loops per family; lane i owns the keys whose index % lanes === i. */
  readonly lanes: number;
  readonly keys: readonly string[];
}

/**
 * One call, compact: [family (0: t, 1: r), key index, floor (the committed
 * version the worker knew when the call started), version returned (-1: the
 * call threw or returned a malformed value, see `bad`), latency ms, ms the
 * method itself ran during the call (0: served from the cache), fell back
 * (1: the method ran for this call), joined (1: the call got the promise of
 * the lane's previous call, which had run the method: it joined that load
 * while its write to the store was still in flight), start (Date.now())].
 */
export type CallRecord = [number, number, number, number, number, number, 0 | 1, 0 | 1, number];

export interface MutateReply {
  readonly latency: number;
  /**
   * Per publish during the mutation, the bus's sequence number once it
   * returned: the number its message went out with, or a later one. (A message
   * the bus kept to send later is renumbered then; its first number is never
   * sent, so peers see a gap at the first kept message that goes out and drop
   * their L1: any number at or past this one covers it.)
   */
  readonly sequences: readonly number[];
  /**
   * Whether the worker's link for the family (tiered L2 or plain store) sent
   * calls to Redis when the mutation started and when it ended. If not, its
   * invalidations may have been skipped ("blind" mutation).
   */
  readonly upBefore: boolean;
  readonly upAfter: boolean;
  /** The mutation itself threw (the truth file could not be written): a broken test, not a finding. */
  readonly error?: string;
}

export interface ProbeReply {
  /** The tiered store's L2 link sends calls to Redis. */
  readonly l2: boolean;
  /** The plain RedisStore's link sends calls to Redis. */
  readonly plain: boolean;
  /** The bus subscription is live (L1 is served). */
  readonly busUp: boolean;
  /** `reset` events of the bus so far (each drops L1 and voids load tokens). */
  readonly resets: number;
  /** Highest bus sequence number delivered from the instance asked about (0: none). */
  readonly seq: number;
  /** This worker's bus's latest sequence number. */
  readonly sequence: number;
}

export interface StopReply {
  readonly unhandled: number;
  readonly tiered: MethodStats;
  readonly plainCache: CacheStats;
  readonly l2Stats: RedisStoreStats;
  readonly plainStats: RedisStoreStats;
  readonly publishFailures: number;
  readonly resets: number;
}

export type ToWorker =
  | { readonly type: 'start' }
  | { readonly type: 'floor'; readonly family: Family; readonly key: string; readonly version: number }
  | {
      readonly type: 'mutate';
      readonly id: number;
      readonly family: Family;
      readonly key: string;
      readonly version: number;
    }
  | { readonly type: 'probe'; readonly id: number; readonly from: string }
  | { readonly type: 'stop'; readonly id: number };

export type FromWorker =
  | { readonly type: 'hello'; readonly instanceId: string }
  | { readonly type: 'calls'; readonly calls: readonly CallRecord[] }
  | { readonly type: 'bad'; readonly detail: string }
  | { readonly type: 'unhandled'; readonly kind: string; readonly detail: string }
  | { readonly type: 'reply'; readonly id: number; readonly body: MutateReply | ProbeReply | StopReply };
