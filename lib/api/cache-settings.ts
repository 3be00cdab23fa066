import {
  cacheFreshnessOf,
  FRESHNESS_OPTIONS,
  type FailSafeOption,
  type FreshnessOptions,
} from './freshness-settings.js';
import { leaseOf, type LeaseOptions } from './lease.js';
import { scopeNamespaceName, versionedName } from './namespaces.js';
import {
  advisorSettingsOf,
  createSampler,
  loadPolicy,
  type AdvisorOptions,
  type AdvisorSettings,
  type EngineMethod,
  type ReuseSampler,
  type FreshnessSettings,
  type LeaseSettings,
  type LoadPolicy,
  type MethodStats,
} from '../engine/index.js';
import { parseDuration, type Duration } from '../util/duration.js';
import { CacheEvents } from '../util/events.js';
import { messages } from '../util/messages.js';
import { assertKnownOptions, assertVersion, booleanOption, nonEmptyString, positiveInt } from '../util/options.js';
import type { StoreKey } from '../keys/keys.js';
import { isStore, type CacheStore, type StoreSetOptions } from '../stores/contract.js';
import { MemoryStore } from '../stores/memory/memory-store.js';
import { assertTags } from '../stores/tags.js';
import { createStore } from '../stores/url.js';

/**
 * A key of the manual cache API. Strings longer than 250 characters are
 * hashed; keys never collide with the keys of decorated methods.
 *
 * @example
 * ```ts
 * const key: CacheKey = 'user:123';
 * ```
 */
export type CacheKey = string | number;

/**
 * Options of a {@link Cache}. Options omitted by a {@link Cache.scope} are
 * inherited from its cache.
 *
 * @example
 * ```ts
 * const cache = new Cache({ store: 'memory://?max=10000', ttl: '60s', failSafe: '5m' });
 * ```
 */
export interface CacheOptions extends FreshnessOptions {
  /**
   * The store: an instance, or an in-process store's URL (`memory://…`,
   * `null://`), which {@link Cache.close} closes. For Redis, pass a store:
   * `createStore('redis://…')` from `memokit/redis` (a `redis://` string here
   * is a `TypeError` saying so), and close it yourself.
   *
   * @default new MemoryStore()
   */
  store?: CacheStore | string;
  /**
   * Name of the cache's namespace in the store (a key prefix): caches with
   * different prefixes never see each other's entries.
   *
   * @default 'cache'
   */
  prefix?: string;
  /**
   * Part of the namespace: bumping it makes every old entry unreachable (they
   * expire by their TTL).
   *
   * @default undefined
   */
  version?: string | number;
  /**
   * Default time to live of entries. Omitted: entries do not expire.
   *
   * @default undefined (no expiry)
   */
  ttl?: Duration;
  /**
   * Most entries kept in memory stores (least recently used evicted).
   *
   * @default the store's max
   */
  maxSize?: number;
  /**
   * When a `getOrSet` reload throws, serve the expired value for up to this
   * long after its expiry (requires a `ttl`). `{ window, retryAfter }` also
   * serves it for `retryAfter` before the loader is tried again.
   *
   * @default undefined (the loader's error propagates)
   */
  failSafe?: FailSafeOption;
  /**
   * Single-flight of `getOrSet` across processes on a shared store (Redis,
   * tiered): one process loads a missing key while the others wait for its
   * value. See the decorators' `lease` option.
   *
   * @default false (`true`: `{ ttl: '10s', wait: '10s' }`)
   * @example
   * ```ts
   * const reports = new Cache({ store: process.env.REDIS_URL, ttl: '1h', lease: { ttl: '30s' } });
   * ```
   */
  lease?: boolean | LeaseOptions;
  /**
   * Whether `getOrSet` (and `getOrSetMany`, `warmup`) resolves only after the
   * loaded value was written to the store (read-your-writes: another process
   * asked next finds it). The wait is bounded by the store's `timeout`; a
   * failed or timed-out write is counted in `storeErrors` and the call still
   * resolves with the value. `false` writes in the background: the call
   * resolves as soon as the loader did. No effect on memory stores, whose
   * writes are synchronous. See the decorators' `awaitWrite` option.
   *
   * @default true
   * @example
   * ```ts
   * const feed = new Cache({ store: process.env.REDIS_URL, ttl: '10s', awaitWrite: false });
   * ```
   */
  awaitWrite?: boolean;
  /**
   * `false`: this cache (and its scopes) is never reported to OpenTelemetry
   * (no load spans). See the decorators' `telemetry`.
   *
   * @default true
   */
  telemetry?: boolean;
  /**
   * The sizing advisor for this cache's `getOrSet` calls (a scope inherits
   * it, or states its own): estimated hit rates at other sizes and TTLs,
   * read with {@link Cache.advise}. See the decorators' `advisor`.
   *
   * @default false
   * @example
   * ```ts
   * const products = new Cache({ maxSize: 2000, ttl: '5m', advisor: true });
   * ```
   */
  advisor?: boolean | number | AdvisorOptions;
}

/**
 * Options of one write.
 *
 * @example
 * ```ts
 * await cache.set('token', 'abc', { ttl: '30s' });
 * ```
 */
export interface CacheSetOptions {
  /**
   * Time to live of this entry.
   *
   * @default the cache's ttl
   */
  ttl?: Duration;
  /**
   * Tags of this entry; {@link Cache.invalidateTags} (or the global
   * `invalidateTags`) with one of them removes it.
   *
   * @default undefined (no tags)
   */
  tags?: readonly string[];
}

/**
 * Options of one `getOrSet` call: the write's `ttl` and `tags`, and the
 * cache's freshness policies for this call (each omitted one is the cache's
 * or scope's). A policy applies to this call's read and to the entry it
 * writes: how long an expired entry is kept (the longer of `failSafe` and
 * `staleWhileRevalidate`) is fixed when the entry is written.
 *
 * @example
 * ```ts
 * const rates = await cache.getOrSet('rates', fetchRates, { ttl: '1m', staleWhileRevalidate: '10m' });
 * ```
 */
export interface GetOrSetOptions extends CacheSetOptions, FreshnessOptions {
  /**
   * This call's fail-safe window (and retry throttle): see {@link CacheOptions.failSafe}.
   *
   * @default the cache's failSafe
   */
  failSafe?: FailSafeOption;
}

/**
 * Figures of a cache or scope: the same shape as a cached method's.
 *
 * @example
 * ```ts
 * const { hits, misses, size, hitRate } = cache.stats();
 * ```
 */
export type CacheStats = MethodStats;

const SCOPE_OPTIONS = ['ttl', 'maxSize', 'failSafe', 'lease', 'awaitWrite', 'advisor', ...FRESHNESS_OPTIONS] as const;
const GET_OR_SET_OPTIONS = ['ttl', 'tags', 'failSafe', ...FRESHNESS_OPTIONS] as const;
const CACHE_OPTIONS = ['store', 'prefix', 'version', 'telemetry', ...SCOPE_OPTIONS] as const;

/**
 * Options of {@link Cache.scope}: those of the cache that are not about its
 * store or namespace. Omitted ones are inherited.
 *
 * @example
 * ```ts
 * const options: ScopeOptions = { ttl: '2m', maxSize: 2000 };
 * ```
 */
export type ScopeOptions = Pick<CacheOptions, (typeof SCOPE_OPTIONS)[number]>;

/**
 * A cache's or scope's options, validated once into milliseconds and store
 * namespaces.
 *
 * @internal
 */
export interface CacheSettings {
  readonly root: CacheStore;
  /** Whether the cache created `root` (from a URL or by default) and closes it. */
  readonly owned: boolean;
  readonly namespace: CacheStore;
  /** Where scopes are created: the store root for an unprefixed cache, else its namespace. */
  readonly scopeBase: CacheStore;
  readonly name: string;
  readonly ttl: number | undefined;
  readonly maxSize: number | undefined;
  readonly failSafe: number | undefined;
  /** Freshness policies of `getOrSet`; `undefined`: none. */
  readonly freshness: FreshnessSettings | undefined;
  readonly lease: LeaseSettings | undefined;
  readonly awaitWrite: boolean;
  /** The options of a write that states neither `ttl` nor `tags`. */
  readonly write: StoreSetOptions | undefined;
  readonly events: CacheEvents;
  /** `false`: never reported to OpenTelemetry. */
  readonly telemetry: boolean;
  /** The sizing advisor's settings; `false` or `undefined`: off. */
  readonly advisor: AdvisorSettings | false | undefined;
  /** The sizing advisor's sampler of this cache's (or scope's) calls; `undefined`: off. */
  readonly sampler: ReuseSampler | undefined;
}

/** The options of a write with the cache's own `ttl` and stale window (the engine's {@link loadPolicy} computes them). */
const defaultWrite = (
  ttl: number | undefined,
  failSafe: number | undefined,
  freshness: FreshnessSettings | undefined,
): StoreSetOptions | undefined => loadPolicy(ttl, failSafe, freshness).write;

/** Validates the options of `new Cache()` and opens (or creates) its store and namespace. */
export function cacheSettings(options: CacheOptions): CacheSettings {
  const where = 'new Cache()';
  assertKnownOptions(where, options, CACHE_OPTIONS);
  const { store, version } = options;
  const prefix = nonEmptyString(where, 'prefix', options.prefix, undefined);
  assertVersion(where, version);
  let root: CacheStore;
  let owned = false;
  if (store === undefined) {
    root = new MemoryStore();
    owned = true;
  } else if (typeof store === 'string') {
    if (/^rediss?:/i.test(store)) throw new TypeError(messages.CACHE_REDIS_URL(where, store));
    root = createStore(store);
    owned = true;
  } else if (isStore(store)) {
    root = store;
  } else {
    throw new TypeError(messages.NOT_A_STORE(where, store));
  }
  const ttl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
  const { failSafe, freshness } = cacheFreshnessOf(where, options as Record<string, unknown>, ttl, undefined);
  const maxSize = positiveInt(where, 'maxSize', options.maxSize, undefined);
  const name = versionedName(prefix ?? 'cache', version);
  const namespace = root.namespace(name, { maxSize, ttl });
  const prefixed = prefix !== undefined || version !== undefined;
  const advisor = advisorSettingsOf(where, options.advisor);
  return {
    root,
    owned,
    namespace,
    scopeBase: prefixed ? namespace : root,
    name,
    ttl,
    maxSize,
    failSafe,
    freshness,
    lease: leaseOf(where, options.lease),
    awaitWrite: booleanOption(where, 'awaitWrite', options.awaitWrite, true),
    write: defaultWrite(ttl, failSafe, freshness),
    events: new CacheEvents(),
    telemetry: booleanOption(where, 'telemetry', options.telemetry, true),
    advisor,
    sampler: advisor ? createSampler(advisor, namespace, ttl) : undefined,
  };
}

/** Validates the options of `parent.scope(name, options)` and opens the scope's namespace. */
export function scopeSettings(parent: CacheSettings, name: string, options: ScopeOptions): CacheSettings {
  const where = `Cache(${parent.name}).scope(${JSON.stringify(name)})`;
  nonEmptyString(where, 'name', name);
  assertKnownOptions(where, options, SCOPE_OPTIONS);
  const statedTtl = options.ttl === undefined ? undefined : parseDuration(options.ttl, where, 'ttl');
  const { failSafe, freshness } = cacheFreshnessOf(
    where,
    options as Record<string, unknown>,
    statedTtl ?? parent.ttl,
    parent,
  );
  const statedMaxSize = positiveInt(where, 'maxSize', options.maxSize, undefined);
  const lease = options.lease === undefined ? parent.lease : leaseOf(where, options.lease);
  const awaitWrite = booleanOption(where, 'awaitWrite', options.awaitWrite, parent.awaitWrite);
  const scopeName = scopeNamespaceName(name);
  // The bucket may be shared (other scopes of this name, decorated methods with `scope: name`): only
  // limits stated here bind it; the inherited ones size it only if nobody states one.
  const namespace = parent.scopeBase.namespace(scopeName, {
    maxSize: statedMaxSize,
    ttl: statedTtl,
    defaults: { maxSize: parent.maxSize, ttl: parent.ttl },
    user: where,
  });
  const ttl = statedTtl ?? parent.ttl;
  const advisor = options.advisor === undefined ? parent.advisor : advisorSettingsOf(where, options.advisor);
  return {
    ...parent,
    owned: false,
    namespace,
    name: scopeName,
    ttl,
    maxSize: statedMaxSize ?? parent.maxSize,
    failSafe,
    freshness,
    lease,
    awaitWrite,
    write: defaultWrite(ttl, failSafe, freshness),
    advisor,
    sampler: advisor ? createSampler(advisor, namespace, ttl) : undefined,
  };
}

/** The options of a write: the cache's defaults, or the call's `ttl` and `tags`. */
export function writeOptions(
  settings: CacheSettings,
  options: CacheSetOptions | undefined,
): StoreSetOptions | undefined {
  if (options?.ttl === undefined && options?.tags === undefined) return settings.write;
  const ttl =
    options.ttl === undefined ? settings.ttl : parseDuration(options.ttl, `Cache(${settings.name}).set`, 'ttl');
  if (options.tags !== undefined) assertTags(`Cache(${settings.name})`, options.tags);
  return loadPolicy(ttl, settings.failSafe, settings.freshness, options.tags).write;
}

/**
 * What a `getOrSet` loader that takes a parameter gets: it may set the
 * entry's TTL and tags from what it loaded, or keep the result out of the cache.
 *
 * @example
 * ```ts
 * const token = await cache.getOrSet('token', async (ctx) => {
 *   const t = await fetchToken();
 *   ctx.ttl = t.expiresInMs - 5_000; // cached until shortly before its own expiry
 *   return t;
 * });
 * ```
 */
export interface LoaderContext {
  /**
   * This entry's time to live; set it in the loader. A value that is not a
   * positive duration keeps the result out of the cache and is reported as
   * an `error` event.
   *
   * @default undefined (the cache's ttl)
   */
  ttl: Duration | undefined;
  /**
   * This entry's tags (replacing the call's `tags`); set them in the loader.
   * Tags that are not an array of non-empty strings keep the result out of
   * the cache and are reported as an `error` event. A tag invalidated while
   * the loader ran keeps the entry out, as for tags known up front.
   *
   * @default undefined (the call's tags, if any)
   * @example
   * ```ts
   * const order = await cache.getOrSet(`order:${id}`, async (ctx) => {
   *   const o = await db.findOrder(id);
   *   ctx.tags = [`customer:${o.customerId}`];
   *   return o;
   * });
   * ```
   */
  tags: readonly string[] | undefined;
  /**
   * Keeps this result out of the cache (the caller still gets it).
   *
   * @default not called (the result is cached)
   */
  skip(): void;
}

/** The context a loader with a parameter gets (see {@link LoaderContext}). @internal */
export class LoadContext implements LoaderContext {
  ttl: Duration | undefined = undefined;
  tags: readonly string[] | undefined = undefined;
  skipped = false;
  skip(): void {
    this.skipped = true;
  }
}

const runLoader = (loader: unknown, context: unknown): unknown =>
  (loader as (context: LoaderContext | undefined) => unknown)(context as LoaderContext | undefined);
const contextOf = (args: readonly unknown[]): LoadContext | undefined => args[1] as LoadContext | undefined;
const firstArgument = (_self: unknown, args: readonly unknown[]): StoreKey => args[0] as StoreKey;

/**
 * What the engine is told about a cache's loads: the key is given by the
 * caller (`callWithKey`), and the "method" it runs is the loader passed as
 * the call's first argument (its {@link LoadContext} is the second). This is
 * how `getOrSet` gets the engine's single-flight, fail-safe, lease and write
 * policy without a method.
 */
export function keyedLoads(settings: CacheSettings): EngineMethod {
  return {
    where: `Cache(${settings.name})`,
    id: settings.name,
    original: runLoader,
    ttl: settings.ttl,
    failSafe: settings.failSafe,
    freshness: settings.freshness,
    lease: settings.lease,
    awaitWrite: settings.awaitWrite,
    shouldCache: (_value, args) => contextOf(args)?.skipped !== true,
    keyOf: firstArgument,
  };
}

/** Freshness with the entry's TTL and tags read from the loader's context (`ctx.ttl`, `ctx.tags`). */
function withLoaderContext(where: string, freshness: FreshnessSettings | undefined): FreshnessSettings {
  return {
    ...freshness,
    ttlOf: (_value, args) => {
      const ttl = contextOf(args)?.ttl;
      if (ttl === undefined) return undefined;
      if (freshness?.refreshAhead !== undefined) throw new TypeError(messages.REFRESH_AHEAD_WITH_LOADER_TTL(where));
      try {
        return parseDuration(ttl, where, 'ttl');
      } catch {
        throw new TypeError(messages.BAD_LOADER_TTL(where, ttl));
      }
    },
    tagsOf: (_value, args) => {
      const tags = contextOf(args)?.tags;
      if (tags !== undefined) assertTags(`${where}: ctx.tags`, tags);
      return tags;
    },
  };
}

/**
 * The policy a `getOrSet` call loads under: the cache's, or, for a call that
 * states options, the cache's with those (validated; a `TypeError` names the
 * option). `context`: the loader takes a {@link LoaderContext}, whose `ttl`
 * and `tags` the write reads.
 */
export function keyedPolicy(settings: CacheSettings, context: boolean, options?: GetOrSetOptions): LoadPolicy {
  const where = `Cache(${settings.name}).getOrSet`;
  let { ttl, failSafe, freshness } = settings;
  let tags: readonly string[] | undefined;
  if (options !== undefined) {
    assertKnownOptions(where, options, GET_OR_SET_OPTIONS);
    if (options.ttl !== undefined) ttl = parseDuration(options.ttl, where, 'ttl');
    if (options.tags !== undefined) {
      assertTags(where, options.tags);
      tags = options.tags;
    }
    ({ failSafe, freshness } = cacheFreshnessOf(where, options as Record<string, unknown>, ttl, settings));
    const store = settings.namespace;
    if (store.getFailSafe === undefined) {
      if (options.failSafe !== undefined) throw new TypeError(messages.FAIL_SAFE_NEEDS_STALE_READS(where, store.kind));
      if (options.staleWhileRevalidate !== undefined)
        throw new TypeError(messages.SWR_NEEDS_STALE_READS(where, store.kind));
    }
  }
  return loadPolicy(ttl, failSafe, context ? withLoaderContext(where, freshness) : freshness, tags);
}
