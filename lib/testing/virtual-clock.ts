import type { Clock, TimerHandle } from '../stores/contract.js';

/** A timer armed on a {@link VirtualClock}: due at `at`, armed `order`-th (ties fire in arming order). */
interface VirtualTimer extends TimerHandle {
  readonly at: number;
  readonly order: number;
  readonly callback: () => void;
}

/**
 * A clock a test moves by hand. Give it to a memory store (and so to a
 * tiered store's L1): TTLs, fail-safe and stale-while-revalidate windows,
 * refresh-ahead zones and entry ages then follow it, and so do the load
 * timeouts (`timeout.soft`/`hard`) of methods cached in that store, whose
 * timers it arms and fires as it advances. A test never sleeps.
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
  #armed = 0;
  /** Armed timers, in no order (few at a time: the earliest is looked up on each firing). */
  readonly #timers = new Set<VirtualTimer>();

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
   * Timers armed and not yet fired or cancelled.
   *
   * @example
   * ```ts
   * expect(clock.pendingTimers).toBe(0); // no load is waiting on a timeout
   * ```
   */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /**
   * Moves the clock forward by `ms` milliseconds, firing each timer that
   * falls due on the way, earliest first, with the clock at its due time.
   * A timer armed by one that fires runs too when it falls due before the
   * end. What a timer starts asynchronously (a load timeout reading a stale
   * value) settles once the test awaits. A callback that throws stops the
   * advance at its due time, with the error.
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
    const end = this.#now + ms;
    for (let next = this.#due(end); next !== undefined; next = this.#due(end)) {
      this.#timers.delete(next);
      this.#now = Math.max(this.#now, next.at);
      next.callback();
    }
    this.#now = end;
  }

  /**
   * Arms a timer that fires when the clock has advanced `ms` milliseconds
   * (0 or less, or not a number: at the next `advance`, even by 0). The
   * engine calls it for load timeouts; tests rarely need to.
   *
   * @example
   * ```ts
   * const handle = clock.setTimeout(() => console.log('fired'), 1_000);
   * clock.advance(1_000); // fired
   * ```
   */
  setTimeout(callback: () => void, ms: number): TimerHandle {
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: VirtualTimer = { at: this.#now + delay, order: this.#armed++, callback };
    this.#timers.add(timer);
    return timer;
  }

  /**
   * Cancels a timer {@link VirtualClock.setTimeout} armed; any other value
   * (`undefined`, a timer already fired) does nothing.
   *
   * @example
   * ```ts
   * clock.clearTimeout(handle);
   * ```
   */
  clearTimeout(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.#timers.delete(handle as VirtualTimer);
  }

  /** The earliest timer due at or before `end`. */
  #due(end: number): VirtualTimer | undefined {
    let first: VirtualTimer | undefined;
    for (const timer of this.#timers) {
      if (timer.at > end) continue;
      if (first === undefined || timer.at < first.at || (timer.at === first.at && timer.order < first.order)) {
        first = timer;
      }
    }
    return first;
  }
}
