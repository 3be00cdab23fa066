/**
 * Where the resilience helpers read time and arm timers. The system one uses
 * `performance.now()` and the global timers; tests inject a fake one and move
 * time by hand, so nothing sleeps.
 */

import type { Clock, TimerHandle } from '../clock.js';

export type { TimerHandle };

/**
 * A clock and a timer source.
 *
 * @example
 * ```ts
 * let now = 0;
 * const queued: (() => void)[] = [];
 * const timers: Timers = {
 *   now: () => now,
 *   setTimeout: (callback) => (queued.push(callback), {}),
 *   clearTimeout: () => undefined,
 * };
 * ```
 */
export type Timers = Required<Clock>;

/**
 * The process's clock and timers: `performance.now()`, `setTimeout`, `clearTimeout`.
 *
 * @example
 * ```ts
 * const started = systemTimers.now();
 * ```
 */
export const systemTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
};
