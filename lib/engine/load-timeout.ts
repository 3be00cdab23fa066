/**
 * A caller's wait on a load, bounded by the method's `timeout.soft` and
 * `timeout.hard` (the load itself goes on), and the rule for when an expired
 * value may stand in for a fresh one.
 */
import { LoadTimeoutError } from '../util/errors.js';
import { messages } from '../util/messages.js';
import type { StoreKey } from '../keys/keys.js';
import type { StoreEntry, TimerHandle } from '../stores/contract.js';
import type { Load } from './in-flight.js';
import type { LoadPolicy } from './method.js';
import type { MethodCounters } from './stats.js';
import type { EngineStore } from './store-adapter.js';

/**
 * Whether a stale read may stand in under a window of `window` ms: it
 * expired at most that long ago. A store that does not say when it expired
 * kept it no longer than the stale window it was written with
 * (`policy.staleWindow`), so it is allowed when `window` is that whole window.
 *
 * @internal
 * @example
 * ```ts
 * if (within(stale, policy.freshness?.staleWhileRevalidate, policy)) serve(stale.value);
 * ```
 */
export function within(entry: StoreEntry, window: number | undefined, policy: LoadPolicy): boolean {
  if (window === undefined) return false;
  const left = entry.expiresIn;
  return left === undefined ? window >= policy.staleWindow : left > 0 || -left <= window;
}

/** What a bounded wait needs of its method's binding. @internal */
export interface TimeoutScope {
  /** `Class.method`, for the error. */
  readonly where: string;
  /** Where the timers are armed (the store's clock when it has timers) and stale values are read. */
  readonly store: EngineStore;
  readonly counters: MethodCounters;
}

/**
 * Settles with `loading`, or, past `soft`, with an expired value still
 * allowed, or, past `hard`, with one or a `LoadTimeoutError`. The load goes
 * on either way and stores its value when it completes; after a
 * `LoadTimeoutError`, callers that join it get a wait of their own (each
 * timed call counts in `timeouts`).
 *
 * @internal
 * @example
 * ```ts
 * const value = await boundLoad(scope, load, key, loading, policy, 200, 2_000);
 * ```
 */
export function boundLoad(
  scope: TimeoutScope,
  load: Load,
  key: StoreKey,
  loading: Promise<unknown>,
  policy: LoadPolicy,
  soft: number | undefined,
  hard: number | undefined,
): Promise<unknown> {
  const { store, counters } = scope;
  return new Promise<unknown>((resolve, reject) => {
    let settled = false;
    const clock = store.timers;
    const timers: TimerHandle[] = [];
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      for (const timer of timers) clock.clearTimeout(timer);
      return true;
    };
    // Armed on the store's clock when it has timers (a virtual clock in tests); they never keep the process alive.
    const arm = (final: boolean, ms: number): void => {
      const timer = clock.setTimeout(() => standIn(final), ms);
      timer.unref?.();
      timers.push(timer);
    };
    loading.then(
      (value) => settle() && resolve(value),
      (error: unknown) => settle() && reject(error),
    );
    const standIn = (final: boolean): void => {
      if (settled) return;
      void store.readFailSafe(key).then((stale) => {
        if (settled) return;
        if (stale !== undefined && within(stale, policy.staleWindow, policy)) {
          settle();
          counters.timeouts++;
          counters.timeoutServed++;
          resolve(stale.value);
        } else if (final) {
          settle();
          counters.timeouts++;
          // A caller arriving later has not waited: it joins the load with timeouts of its own.
          load.rejoin ??= () => boundLoad(scope, load, key, loading, policy, soft, hard);
          const ms = hard ?? 0;
          reject(new LoadTimeoutError(scope.where, ms, messages.LOAD_TIMEOUT(scope.where, ms)));
        }
      });
    };
    if (soft !== undefined) arm(false, soft);
    if (hard !== undefined) arm(true, hard);
  });
}
