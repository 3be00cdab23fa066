/**
 * The clock a store reads time from, and the timers it may arm: part of the
 * store contract (contract.ts).
 */

/**
 * A source of time in milliseconds. Inject one into a store to test expiry
 * without sleeping.
 *
 * @default performance
 * @example
 * ```ts
 * let now = 0;
 * const clock: Clock = { now: () => now };
 * const store = new MemoryStore({ clock });
 * now += 60_000; // entries with a 60s TTL are now expired
 * ```
 */
export interface Clock {
  /** Current time in milliseconds; only differences are used. */
  now(): number;
  /**
   * Arms a timer on this clock: calls `callback` once, `ms` milliseconds of
   * this clock's time later. Optional; a clock that has it and
   * {@link Clock.clearTimeout} (the test kit's `VirtualClock`) also drives
   * the load timeouts (`timeout.soft`/`hard`) of methods cached in a store
   * it was given to.
   *
   * @default absent: load timeouts use the process's timers
   */
  setTimeout?(callback: () => void, ms: number): TimerHandle;
  /** Cancels a timer {@link Clock.setTimeout} armed (`undefined`: nothing to cancel). */
  clearTimeout?(handle: TimerHandle | undefined): void;
}

/**
 * A timer a {@link Clock} armed; `unref` (when the host has it) keeps it from
 * holding the process open.
 *
 * @example
 * ```ts
 * const handle: TimerHandle = setTimeout(() => undefined, 10);
 * handle.unref?.();
 * ```
 */
export interface TimerHandle {
  unref?(): unknown;
}
