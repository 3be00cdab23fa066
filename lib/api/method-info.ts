import type { CacheKind } from './method-settings.js';
import type { MethodDefinition } from './method-definition.js';
import { sumStats, type MethodStats } from '../engine/index.js';

/**
 * One row of `listCachedMethods()`.
 *
 * @example
 * ```ts
 * for (const m of listCachedMethods()) console.log(m.id, m.kind, m.stats.hitRate);
 * ```
 */
export interface CachedMethodInfo {
  /** Unique name: `Class.method` (`Class.method#2` for a second class of the same name). */
  readonly id: string;
  /** The class's name. */
  readonly className: string;
  /** The method's name. */
  readonly methodName: string;
  /** `'lru'` or `'ttl'`. */
  readonly kind: CacheKind;
  /** Entry limit of the method's bucket (a shared scope's own limit when the method sets none). */
  readonly maxSize: number;
  /** Time to live in ms (`undefined` for LRU methods). */
  readonly ttl: number | undefined;
  /** Figures summed over every binding (every app) of the method. */
  readonly stats: MethodStats;
}

/** The figures of one method, summed over its bindings. */
export function methodStats(definition: MethodDefinition): MethodStats {
  return sumStats(definition.engines.all().map((engine) => engine.stats()));
}

/** The {@link CachedMethodInfo} row of one method. */
export function methodInfo(definition: MethodDefinition): CachedMethodInfo {
  return {
    id: definition.id,
    className: definition.className,
    methodName: definition.methodName,
    kind: definition.settings.kind,
    maxSize: definition.engines.bucketLimit(),
    ttl: definition.settings.ttl,
    stats: methodStats(definition),
  };
}
