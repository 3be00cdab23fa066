import type { Clock } from '../stores/contract.js';

/**
 * A clock a test moves by hand. Give it to a memory store (and so to a
 * tiered store's L1): TTLs, fail-safe and stale-while-revalidate windows,
 * refresh-ahead zones and entry ages then follow it, so a test never
 * sleeps. Load timeouts (`timeout.soft`/`hard`) use timers: drive those with
 * your runner's fake timers (`jest.useFakeTimers()`, `mock.timers` of
 * `node:test`).
 *
 * @example
 * ```ts
 * const clock = new VirtualClock();
 * const store = new MemoryStore({ clock });
 * clock.advance(60_000); // a minute later
 * ```
 */
export class VirtualClock implements Clock {
  #now: number;

  /**
   * @param start - the time it starts at, in milliseconds
   * @default start: 0
   */
  constructor(start = 0) {
    this.#now = start;
  }

  /** The current time in milliseconds. */
  now(): number {
    return this.#now;
  }

  /**
   * Moves the clock forward by `ms` milliseconds.
   *
   * @example
   * ```ts
   * clock.advance(1_500);
   * ```
   */
  advance(ms: number): void {
    if (!(Number.isFinite(ms) && ms >= 0)) {
      throw new TypeError(`VirtualClock.advance(): ms must be a finite number of milliseconds, 0 or more; got ${ms}.`);
    }
    this.#now += ms;
  }
}
