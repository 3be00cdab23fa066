import { createDualDecorator } from './decorate.js';
import type { AdvisorOptions } from '../engine/index.js';
import type { LeaseOptions } from './lease.js';
import type { FailSafeOption, FreshnessOptions } from './freshness-settings.js';
import { MethodDefinition } from './method-definition.js';
import { CACHE_DECORATOR, decoratorOptions, methodSettings, type CacheKind } from './method-settings.js';
import { registry } from './registry.js';
import { callContext } from './runtime.js';
import type { Duration } from '../util/duration.js';
import { messages } from '../util/messages.js';
import type { CacheStore } from '../stores/contract.js';

export type { LeaseOptions } from './lease.js';

/**
 * A value a `keyFn` may return: anything memokit encodes canonically.
 * Return a tuple of parts (`[tenantId, userId]`) or a single part.
 *
 * @example
 * ```ts
 * const part: KeyPart = ['user', 42, { page: 2 }];
 * ```
 */
export type KeyPart =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Date
  | RegExp
  | ArrayBufferView
  | readonly KeyPart[]
  | ReadonlyMap<KeyPart, KeyPart>
  | ReadonlySet<KeyPart>
  | { readonly [key: string]: KeyPart };

/**
 * Options shared by {@link AsyncLRU} and {@link AsyncTTL}. `A` is the method's
 * parameter tuple and `R` its resolved value; they are inferred
 * from annotated `keyFn` / `shouldCache` callbacks and then checked against the
 * decorated method.
 *
 * @example
 * ```ts
 * @AsyncLRU({ keyFn: ([user]: [User]) => user.id, version: 2 })
 * async getProfile(user: User): Promise<Profile> { ... }
 * ```
 */
export interface CommonCacheOptions<A extends unknown[], R> {
  /**
   * Part of the namespace: changing it makes every old entry unreachable
   * (useful when the method's result shape changes).
   *
   * @default undefined
   */
  version?: string | number;
  /**
   * Decides whether a resolved value is stored. Every value is cached by
   * default, `undefined` and `null` included. Rejections are never cached.
   *
   * @default undefined (cache every value)
   * @example
   * ```ts
   * @AsyncTTL({ shouldCache: (user: User | null) => user !== null })
   * ```
   */
  shouldCache?: (value: R, args: A) => boolean;
  /**
   * Where entries live: a store instance, or (inside NestJS) the name of a
   * store configured in `CacheModule.forRoot({ stores })`.
   *
   * @default the process default store (a MemoryStore), or the module's defaultStore in NestJS
   */
  store?: CacheStore | string;
  /**
   * Share a bucket (and its LRU limit) with other methods and with the
   * manual API: a scope name in the method's store (the same bucket as
   * `new Cache({ store }).scope(name)`), or a `Cache` scope object. Each
   * method's keys stay apart inside the bucket.
   *
   * @default undefined (the method has its own bucket)
   * @example
   * ```ts
   * @AsyncLRU({ scope: 'users' }) async getUser(id: string) { ... }
   * @AsyncLRU({ scope: 'users' }) async getUserSettings(id: string) { ... }
   * ```
   */
  scope?: string | { readonly store: CacheStore };
  /**
   * Tags of each entry, fixed or derived from the arguments;
   * `invalidateTags([...])` or `@InvalidateTags` removes every entry carrying
   * one, across methods, without scanning keys.
   *
   * @default undefined (no tags)
   * @example
   * ```ts
   * @AsyncLRU({ tags: ([userId]: [string]) => [`user:${userId}`] })
   * ```
   */
  tags?: readonly string[] | ((args: A) => readonly string[]);
  /**
   * Single-flight across processes on a shared store (Redis, tiered): of the
   * processes that miss one key at once, the one that takes the key's lease
   * runs the method while the others read again until its value lands
   * (pausing 5 ms, doubling up to 100 ms). A lease holder that dies or takes
   * longer than `ttl` loses the lease and another process takes over; a call
   * that waited `wait` loads itself. Calls in one process share one load in
   * any case, so on a store of one process (memory) this changes nothing.
   * Reads of a leased method run a script on Redis (no one-`MGET` hit path).
   *
   * @default false (`true`: `{ ttl: '10s', wait: '10s' }`)
   * @example
   * ```ts
   * @AsyncTTL({ ttl: '5m', store: 'redis', lease: { ttl: '30s', wait: '10s' } })
   * async buildReport(day: string) { ... }
   * ```
   */
  lease?: boolean | LeaseOptions;
  /**
   * Whether a call that ran the method waits for its value to be written to
   * the store before it resolves (read-your-writes). With `true`, once the
   * call resolves, every process sharing the store (Redis, tiered) finds the
   * value: another replica asked next is a hit. The wait is bounded by the
   * store's own `timeout`; a write that fails or times out is counted in
   * `storeErrors` and reported as an `'error'` event, and the call still
   * resolves with its value. Callers that joined the load resolve with it.
   *
   * `false` sends the write in the background: the call resolves as soon as
   * the method did, and another process asked in the next few milliseconds
   * may run the method again. Callers arriving in this process before the
   * write landed join the load. In-process stores (memory) write
   * synchronously, so the option changes nothing there.
   *
   * @default true
   * @example
   * ```ts
   * // A feed that tolerates a duplicate load more than a few ms of latency.
   * @AsyncTTL({ ttl: '10s', store: 'redis', awaitWrite: false })
   * async trending(): Promise<string[]> { ... }
   * ```
   */
  awaitWrite?: boolean;
  /**
   * Parts of the request's context (a tenant id, a locale) added to every
   * key, evaluated at each call: `vary: () => [tenantId()]` keeps each
   * tenant's entries apart. Invalidators and `invalidateCache` evaluate it
   * too, so they act on the current context's entry. A call where it throws
   * or returns `undefined` (outside any request context) rejects with a
   * `VaryError` and the method does not run: an entry is never shared across
   * contexts by accident. `clearCache` clears every context's entries.
   *
   * @default undefined (one entry per arguments, shared by every caller)
   * @example
   * ```ts
   * @AsyncTTL({ ttl: '5m', vary: () => [cls.get('tenantId')] })
   * async settings(): Promise<Settings> { ... }
   * ```
   */
  vary?: () => readonly VaryPart[] | undefined;
  /**
   * `false`: this method is never reported to OpenTelemetry (no metrics, no
   * load spans). With `@opentelemetry/api` installed and an SDK registered,
   * memokit reports without further setup (see docs/observability.md).
   *
   * @default true
   * @example
   * ```ts
   * @AsyncLRU({ telemetry: false })
   * async noisyLookup(id: number): Promise<string> { ... }
   * ```
   */
  telemetry?: boolean;
  /**
   * The sizing advisor: samples the method's keys (SHARDS) and estimates its
   * hit rate at other sizes and TTLs; read it with `adviseCache(method)` or
   * `CacheService.advise()`. `true` samples 1% of keys, a number is the
   * sampling rate, an object also bounds the sampled keys and seeds the
   * hash. Calls of unsampled keys pay one hash. Shared by the methods of a
   * scope. See docs/advisor.md.
   *
   * @default undefined (the CacheModule's `advisor`, else off)
   * @example
   * ```ts
   * @AsyncLRU({ maxSize: 5000, advisor: true })
   * async getProduct(id: number): Promise<Product> { ... }
   * ```
   */
  advisor?: boolean | number | AdvisorOptions;
}

/**
 * One part of a {@link CommonCacheOptions.vary} result: what a key can hold
 * exactly (an object or a function there is a compile error).
 *
 * @example
 * ```ts
 * const parts: readonly VaryPart[] = ['tenant-a', 'de-CH'];
 * ```
 */
export type VaryPart = string | number | boolean;

/**
 * How the key is derived: from the arguments (optionally skipping leading
 * ones) or by a `keyFn`. The two are exclusive.
 *
 * @example
 * ```ts
 * @AsyncLRU({ skipArgs: 1 }) async find(ctx: Context, id: number) { ... }
 * @AsyncLRU({ keyFn: ([q]: [Query]) => [q.term, q.page] }) async search(q: Query) { ... }
 * ```
 */
export type KeyOptions<A extends unknown[], This> =
  | {
      /**
       * How many leading arguments to leave out of the key (a request
       * context, a logger...).
       *
       * @default 0
       */
      skipArgs?: number;
      keyFn?: never;
    }
  | {
      skipArgs?: never;
      /**
       * Derives the key from the call's arguments; replaces the default
       * derivation. `self` is the instance when the call has one, and
       * `undefined` when the key is computed outside a call
       * (`invalidateCache`, an invalidator in another class).
       *
       * @default undefined (the arguments are the key)
       */
      keyFn: (args: A, self: This | undefined) => KeyPart;
    };

/**
 * Options of {@link AsyncLRU}.
 *
 * @example
 * ```ts
 * @AsyncLRU({ maxSize: 500 })
 * ```
 */
export type AsyncLRUOptions<A extends unknown[] = never[], R = unknown, This = unknown> = CommonCacheOptions<A, R> &
  KeyOptions<A, This> & {
    /**
     * Most entries kept; the least recently used is evicted beyond it.
     *
     * @default 128
     */
    maxSize?: number;
  };

/**
 * Options of {@link AsyncTTL}.
 *
 * @example
 * ```ts
 * @AsyncTTL({ ttl: '30s', maxSize: 10_000 })
 * ```
 */
export type AsyncTTLOptions<A extends unknown[] = never[], R = unknown, This = unknown> = CommonCacheOptions<A, R> &
  KeyOptions<A, This> &
  FreshnessOptions & {
    /**
     * How long an entry lives: milliseconds, or a string with a unit
     * ('250ms', '30s', '5m', '1h'). Zero, negative and NaN are errors.
     * A function gives each entry its own TTL from the loaded value and the
     * arguments (`undefined`: the default '60s'), e.g. a token cached until
     * its own expiry, or `null` results for less time than found ones.
     *
     * @default '60s'
     * @example
     * ```ts
     * @AsyncTTL({ ttl: (user: User | null) => (user === null ? '10s' : '10m') })
     * ```
     */
    ttl?: Duration | ((value: R, args: A) => Duration | undefined);
    /**
     * Most entries kept; the least recently used is evicted beyond it.
     *
     * @default 1024
     */
    maxSize?: number;
    /**
     * Fail-safe: when a reload of an expired entry throws, serve the expired
     * value for up to this long after its expiry instead of the error (counted
     * as `failSafeServed`; the error still counts as a load error). Invalidation
     * removes the entry, so a stale value never outlives an invalidation.
     *
     * With `{ window, retryAfter }`, a failed reload's value is then served
     * for `retryAfter` (as a fresh entry) before the method is tried again,
     * so a failing backend is not called on every request.
     *
     * @default undefined (the reload's error propagates)
     * @example
     * ```ts
     * @AsyncTTL({ ttl: '30s', failSafe: '5m' })
     * @AsyncTTL({ ttl: '30s', failSafe: { window: '1h', retryAfter: '30s' } })
     * ```
     */
    failSafe?: FailSafeOption;
  };

/**
 * A method decorator that works both as a legacy (`experimentalDecorators`,
 * NestJS) and as a TC39 standard decorator. Only methods returning a promise
 * whose parameters match `A` can be decorated.
 *
 * @example
 * ```ts
 * const cached: CacheDecorator<[number], User, UserService> = AsyncLRU({ keyFn: ([id]: [number]) => id });
 * ```
 */
export interface CacheDecorator<A extends unknown[], R, This> {
  /** TC39 standard decorator form. */
  <T extends (this: This, ...args: A) => Promise<R>>(value: T, context: ClassMethodDecoratorContext<This, T>): T;
  /** Legacy (`experimentalDecorators`) form, used by NestJS. */
  <T extends (this: This, ...args: A) => Promise<R>>(
    target: object,
    propertyKey: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): TypedPropertyDescriptor<T>;
}

function createDecorator(kind: CacheKind, options: unknown): Function {
  const decorator = CACHE_DECORATOR[kind];
  const raw = decoratorOptions(kind, options);
  return createDualDecorator(decorator, (member) => {
    if (registry.of(member.original) !== undefined) throw new TypeError(messages.DUPLICATE_DEFINITION(member.where));
    const definition = new MethodDefinition(member, methodSettings(kind, raw, `@${decorator} on ${member.where}`));
    const engines = definition.engines;
    // The wrapper picks the binding (the app's, else the process default) and hands over per-call options.
    const wrapper = function (this: unknown, ...args: unknown[]): Promise<unknown> {
      const callOptions = callContext.pending;
      if (callOptions !== undefined) callContext.pending = undefined;
      try {
        return engines.resolve(this).call(this, args, callOptions);
      } catch (error) {
        return Promise.reject(error);
      }
    };
    registry.add(wrapper, definition);
    member.onOwner(() => registry.named(definition));
    return wrapper;
  });
}

/**
 * Caches the results of an async method in a bounded LRU bucket (no expiry).
 * Concurrent calls with the same key run the method once; rejections are
 * shared with those callers and never cached.
 *
 * Works as a NestJS (legacy) and as a TC39 standard decorator.
 *
 * @param options - see {@link AsyncLRUOptions}; `maxSize` defaults to 128
 * @example
 * ```ts
 * class ProductService {
 *   @AsyncLRU({ maxSize: 500 })
 *   async getProduct(id: number): Promise<Product> {
 *     return this.db.findProduct(id);
 *   }
 * }
 * ```
 */
export function AsyncLRU<A extends unknown[] = never[], R = unknown, This = unknown>(
  options?: AsyncLRUOptions<A, R, This>,
): CacheDecorator<A, R, This> {
  return createDecorator('lru', options) as CacheDecorator<A, R, This>;
}

/**
 * Caches the results of an async method for a time to live, in a bounded
 * bucket (least recently used evicted beyond `maxSize`).
 *
 * @param options - see {@link AsyncTTLOptions}; `ttl` defaults to '60s', `maxSize` to 1024
 * @example
 * ```ts
 * class SessionService {
 *   @AsyncTTL({ ttl: '30s' })
 *   async getSession(id: string): Promise<Session | null> {
 *     return this.db.findSession(id);
 *   }
 * }
 * ```
 */
export function AsyncTTL<A extends unknown[] = never[], R = unknown, This = unknown>(
  options?: AsyncTTLOptions<A, R, This>,
): CacheDecorator<A, R, This> {
  return createDecorator('ttl', options) as CacheDecorator<A, R, This>;
}
