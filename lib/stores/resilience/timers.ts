/**
 * Where the resilience helpers read time and arm timers. The system one uses
 * `performance.now()` and the global timers; tests inject a fake one and move
 * time by hand, so nothing sleeps.
 */

/** A timer a {@link Timers} armed; `unref` when the host supports it. */
export interface TimerHandle {
  unref?(): unknown;
}

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
export interface Timers {
  /** Current time in milliseconds; only differences are used. */
  now(): number;
  /** Calls `callback` once, after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer (`undefined`: nothing to cancel). */
  clearTimeout(handle: TimerHandle | undefined): void;
}

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
