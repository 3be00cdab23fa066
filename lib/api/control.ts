import { methodInfo, methodStats, type CachedMethodInfo } from './method-info.js';
import { registry } from './registry.js';
import { callContext } from './runtime.js';
import type { CacheAdvice, CacheExplanation, CallOptions, MethodStats } from '../engine/index.js';
import { messages } from '../util/messages.js';

/**
 * Any decorated method, as passed to the manual API (`svc.getUser`).
 *
 * @example
 * ```ts
 * const m: CachedFunction = svc.getUser;
 * ```
 */
export type CachedFunction = (...args: never[]) => Promise<unknown>;

/**
 * Removes the cached entry for these arguments, in every binding of the method
 * in this process (every app). A load in flight for that key will not store
 * its result. Arguments are typed by the method's parameters.
 *
 * @returns whether an entry was removed
 * @example
 * ```ts
 * await invalidateCache(userService.getUser, 42);
 * ```
 */
export async function invalidateCache<F extends CachedFunction>(method: F, ...args: Parameters<F>): Promise<boolean> {
  const engines = registry.definitionOf('invalidateCache', method).engines.all();
  const results = await Promise.all(engines.map((engine) => engine.invalidateArgs(undefined, args)));
  return results.includes(true);
}

/**
 * What the cache holds for these arguments and why: where the entry lives,
 * its age, freshness left and window, tags, and the last invalidation of
 * its key or the method's namespace. Reads only. It explains the method's
 * first binding in this process (in a NestJS application,
 * `CacheService.explain` explains that application's). Arguments are typed
 * by the method's parameters; under `vary`, call it in the request's
 * context.
 *
 * @example
 * ```ts
 * const why = await explainCache(userService.getUser, 42);
 * console.log(why.tier, why.window, why.lastInvalidation);
 * ```
 */
export function explainCache<F extends CachedFunction>(method: F, ...args: Parameters<F>): Promise<CacheExplanation> {
  try {
    const definition = registry.definitionOf('explainCache', method);
    const engines = definition.engines;
    const engine = engines.all()[0] ?? engines.enginesForInvalidation()[0];
    if (engine === undefined) return Promise.reject(new TypeError(messages.EXPLAIN_UNBOUND(definition.where)));
    return engine.explainArgs(undefined, args);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Removes every cached entry of the method, in every binding in this process.
 * Loads in flight will not store their results.
 *
 * @example
 * ```ts
 * await clearCache(userService.getUser);
 * ```
 */
export async function clearCache(method: CachedFunction): Promise<void> {
  const engines = registry.definitionOf('clearCache', method).engines.all();
  await Promise.all(engines.map((engine) => engine.clear()));
}

/**
 * The method's figures, summed over its bindings in this process.
 *
 * @example
 * ```ts
 * const { hits, misses, hitRate } = cacheStats(userService.getUser);
 * ```
 */
export function cacheStats(method: CachedFunction): MethodStats {
  return methodStats(registry.definitionOf('cacheStats', method));
}

/**
 * The sizing advisor's report on the method (its first binding in this
 * process; in a NestJS application, `CacheService.advise` reports on that
 * application's): the estimated hit rate at 0.25×–8× its `maxSize` and, for
 * a TTL method, at 0.25×–4× its TTL, the memory each size takes, and the
 * smallest size within one point of the best (see docs/advisor.md). Throws
 * a TypeError when the method's advisor is off.
 *
 * @example
 * ```ts
 * const advice = adviseCache(catalog.getProduct);
 * for (const point of advice.sizes) console.log(point.size, point.hitRate.toFixed(3));
 * console.log(advice.recommendation?.maxSize);
 * ```
 */
export function adviseCache(method: CachedFunction): CacheAdvice {
  const definition = registry.definitionOf('adviseCache', method);
  const engines = definition.engines;
  const engine = engines.all()[0] ?? engines.enginesForInvalidation()[0];
  const advice = engine === undefined ? undefined : engines.advice(engine);
  if (advice === undefined) throw new TypeError(messages.ADVISOR_OFF(definition.where));
  return advice;
}

/**
 * Every cached method known to this process, with its figures.
 *
 * @example
 * ```ts
 * console.table(listCachedMethods().map((m) => ({ id: m.id, hitRate: m.stats.hitRate })));
 * ```
 */
export function listCachedMethods(): CachedMethodInfo[] {
  return registry.all().map(methodInfo);
}

/**
 * Runs `fn` and applies `options` to the first cached-method call made
 * synchronously inside it (not to calls nested inside that method). The
 * method's signature is unchanged.
 *
 * Throws a TypeError when `fn` made no such call, rather than silently
 * ignoring the options.
 *
 * @example
 * ```ts
 * const fresh = await withCacheOptions({ useCache: false }, () => svc.getUser(42));
 * const reloaded = await withCacheOptions({ refresh: true }, () => svc.getUser(42));
 * ```
 */
export function withCacheOptions<T>(options: CallOptions, fn: () => Promise<T>): Promise<T> {
  const valid =
    typeof options === 'object' &&
    options !== null &&
    Object.keys(options).every((k) => k === 'useCache' || k === 'refresh') &&
    (options.useCache === undefined || typeof options.useCache === 'boolean') &&
    (options.refresh === undefined || typeof options.refresh === 'boolean');
  if (!valid) throw new TypeError(messages.BAD_CALL_OPTIONS(options));
  if (options.useCache === false && options.refresh === true) throw new TypeError(messages.CONFLICTING_CALL_OPTIONS());
  const previous = callContext.pending;
  // A frozen copy: the wrapper compares by identity, and callers cannot change it midway.
  const pending: CallOptions = Object.freeze({ ...options });
  callContext.pending = pending;
  let consumed: boolean;
  let result: Promise<T>;
  try {
    result = fn();
  } finally {
    consumed = callContext.pending !== pending;
    callContext.pending = previous;
  }
  if (!consumed) throw new TypeError(messages.NOT_CONSUMED(options));
  return result;
}
