import { cacheStats, type CachedFunction } from '../api/control.js';
import { registry } from '../api/registry.js';
import type { MethodStats } from '../engine/index.js';
import { MemoryNamespace } from '../stores/memory/memory-namespace.js';
import type { StoreKey } from '../util/store-key.js';

/**
 * What one call of a cached method did, from its figures:
 * - `hit`: answered from the cache;
 * - `load`: a miss that ran the method;
 * - `join`: it waited for a load another call had started;
 * - `stale`: it got an expired value (fail-safe, stale-while-revalidate, a
 *   soft timeout);
 * - `bypass`: it skipped the cache (`useCache: false`, or a miss inside a
 *   cache transaction).
 *
 * @example
 * ```ts
 * const outcome: CallOutcome = 'hit';
 * ```
 */
export type CallOutcome = 'hit' | 'load' | 'join' | 'stale' | 'bypass';

const stale = (s: MethodStats): number => s.failSafeServed + s.staleWhileRevalidateServed + s.timeoutServed;

/**
 * Runs `call` (one call of `method`) and says what it did. Meant for tests
 * that run one call at a time: calls of the same method running meanwhile
 * would be counted too, and then it throws rather than guess.
 *
 * @param method - the cached method (`svc.getUser`)
 * @param call - makes the one call
 * @returns the call's outcome, and its value
 * @example
 * ```ts
 * expect((await callOutcome(users.get, () => users.get(1))).outcome).toBe('load');
 * expect((await callOutcome(users.get, () => users.get(1))).outcome).toBe('hit');
 * ```
 */
export async function callOutcome<T>(
  method: CachedFunction,
  call: () => Promise<T>,
): Promise<{ readonly outcome: CallOutcome; readonly value: T }> {
  const before = cacheStats(method);
  const value = await call();
  const after = cacheStats(method);
  const changed: CallOutcome[] = [];
  // A stale answer may start a background reload (a refresh), and a hit may too (refresh-ahead): those are not this call's.
  if (stale(after) > stale(before)) changed.push('stale');
  else if (after.hits > before.hits) changed.push('hit');
  if (after.misses > before.misses) changed.push('load');
  if (after.inflightJoins > before.inflightJoins) changed.push('join');
  if (after.bypassed > before.bypassed) changed.push('bypass');
  const [outcome] = changed;
  if (outcome === undefined || changed.length > 1) {
    throw new Error(
      `callOutcome: the figures of the method changed by ${changed.length === 0 ? 'nothing' : changed.join(' and ')} ` +
        'during the call; make exactly one call of the method, and no other meanwhile.',
    );
  }
  return { outcome, value };
}

/**
 * One entry of a cached method, as {@link cachedEntries} lists it.
 *
 * @example
 * ```ts
 * const entry: CachedEntry = { key: 42, value: { id: 42 }, ttlLeftMs: 59_000 };
 * ```
 */
export interface CachedEntry {
  /** The entry's key: the argument itself for a one-argument method, else its encoded arguments. */
  readonly key: StoreKey;
  readonly value: unknown;
  /** Milliseconds until the store drops it (after its TTL and any stale window), on the store's clock; `undefined`: never. */
  readonly ttlLeftMs: number | undefined;
}

/**
 * The live entries of a cached method, in every application that binds it,
 * most recently used first. Memory stores only (the default store,
 * `CacheModule.forTest()`, a `recordingStore` around a memory store): other
 * stores cannot be listed, and are a `TypeError` naming the method. A method
 * in a shared scope lists the scope's bucket.
 *
 * @example
 * ```ts
 * await users.get(1);
 * expect(cachedEntries(users.get).map((e) => e.key)).toEqual([1]);
 * ```
 */
export function cachedEntries(method: CachedFunction): CachedEntry[] {
  const definition = registry.definitionOf('cachedEntries', method);
  const entries: CachedEntry[] = [];
  for (const engine of definition.engines.all()) {
    const store = engine.store;
    if (!(store instanceof MemoryNamespace)) {
      throw new TypeError(
        `cachedEntries(${definition.where}): its entries are in a ${JSON.stringify(store.kind)} store, which cannot ` +
          'be listed. Use a memory store in tests (CacheModule.forTest(), or store: new MemoryStore()).',
      );
    }
    for (const [key, entry, remaining] of store.liveEntries()) {
      entries.push({
        key,
        value: entry.value,
        ttlLeftMs: Number.isFinite(remaining) && remaining > 0 ? remaining : undefined,
      });
    }
  }
  return entries;
}
