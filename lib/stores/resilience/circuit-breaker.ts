/**
 * Availability of a remote server as a circuit breaker: calls go through
 * while it is closed; a failure that says the server stopped answering trips
 * it, and calls are skipped at once until a retry finds the server back.
 * Also the one reconnect schedule of memokit's ioredis clients.
 */
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/**
 * Milliseconds before reconnect attempt `attempt` (1, 2, ...): doubling from
 * 100 ms, at most 1 s. The `retryStrategy` of every client memokit creates.
 *
 * @example
 * ```ts
 * reconnectDelay(1); // 100
 * reconnectDelay(9); // 1000
 * ```
 */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** Math.min(attempt, 5), 1000);

/**
 * Options of a {@link CircuitBreaker}.
 *
 * @example
 * ```ts
 * const options: CircuitBreakerOptions = { retryInterval: 500, onRetry: () => probe() };
 * ```
 */
export interface CircuitBreakerOptions {
  /**
   * Milliseconds between a trip (or {@link CircuitBreaker.retryLater}) and the
   * next `onRetry`. Omitted: the breaker arms no timer and the owner decides
   * when to retry (e.g. on a heartbeat).
   *
   * @default undefined
   */
  retryInterval?: number;
  /**
   * Called when a retry is due. It checks the server and calls
   * {@link CircuitBreaker.reset} if it is back, else
   * {@link CircuitBreaker.retryLater}.
   *
   * @default a no-op
   */
  onRetry?: () => void;
  /** @default {@link systemTimers} */
  timers?: Timers;
}

const noop = (): void => {};

/**
 * Whether calls to a server are sent (closed) or skipped (tripped), and the
 * retry timer of a tripped breaker. The retry timer is `unref`ed: a tripped
 * breaker never keeps the process alive.
 *
 * @example
 * ```ts
 * const breaker = new CircuitBreaker({ retryInterval: 500, onRetry: () => ping().then(
 *   () => breaker.reset(),
 *   () => breaker.retryLater(),
 * ) });
 * if (breaker.trip()) emitter.emit('unavailable');
 * ```
 */
export class CircuitBreaker {
  readonly #retryInterval: number | undefined;
  readonly #onRetry: () => void;
  readonly #timers: Timers;
  #tripped = false;
  #stopped = false;
  #retry: TimerHandle | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    this.#retryInterval = options.retryInterval;
    this.#onRetry = options.onRetry ?? noop;
    this.#timers = options.timers ?? systemTimers;
  }

  /** Whether calls are skipped: the server stopped answering and has not answered since. */
  get tripped(): boolean {
    return this.#tripped;
  }

  /** Whether a retry is scheduled. */
  get retrying(): boolean {
    return this.#retry !== undefined;
  }

  /** The server stopped answering: skip calls and schedule a retry. `true` if it was closed (report the change). */
  trip(): boolean {
    if (this.#tripped || this.#stopped) return false;
    this.#tripped = true;
    this.retryLater();
    return true;
  }

  /** Schedules the next `onRetry` after `retryInterval` (unless one is scheduled, or the breaker is stopped). */
  retryLater(): void {
    const interval = this.#retryInterval;
    if (this.#stopped || this.#retry !== undefined || interval === undefined) return;
    this.#retry = this.#timers.setTimeout(() => {
      this.#retry = undefined;
      this.#onRetry();
    }, interval);
    this.#retry.unref?.();
  }

  /** The server answers again: send calls. `true` if it was tripped (report the change). */
  reset(): boolean {
    if (!this.#tripped || this.#stopped) return false;
    this.#tripped = false;
    this.#cancel();
    return true;
  }

  /** The owner closed: no more retries, and the state no longer changes. */
  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #cancel(): void {
    if (this.#retry === undefined) return;
    this.#timers.clearTimeout(this.#retry);
    this.#retry = undefined;
  }
}
