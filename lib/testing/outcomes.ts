import { cacheStats, type CachedFunction } from '../api/control.js';
import type { MethodStats } from '../engine/index.js';

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
