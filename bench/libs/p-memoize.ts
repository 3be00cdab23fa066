/**
 * p-memoize 8: `pMemoize(fn, { cacheKey, cache })`. Its decorator is TC39-only
 * and this project compiles with `experimentalDecorators`, so the function form
 * is used. Numbers key by the first argument (its default); objects by
 * `JSON.stringify(arguments)` (its readme's example). Bounded workloads pass an
 * lru-cache as `cache` (its readme suggests an LRU there); unbounded ones keep
 * its default `Map`.
 */
import { LRUCache } from 'lru-cache';
import pMemoize from 'p-memoize';
import type { Build, Built, BuildSpec } from './contract.js';

const byJson = (args: readonly unknown[]): string => JSON.stringify(args);

export function buildWith(options: { bounded: boolean; objectKeys: boolean }): Build {
  return <A>(spec: BuildSpec<A>): Built<A> => {
    const cache = options.bounded
      ? new LRUCache<NonNullable<unknown>, NonNullable<unknown>>({ max: spec.max })
      : new Map<unknown, unknown>();
    const get = pMemoize(spec.loader, {
      cache: cache as Map<unknown, unknown>,
      ...(options.objectKeys ? { cacheKey: byJson } : {}),
    });
    return { svc: { get }, size: () => cache.size };
  };
}
