/**
 * Deadlines: the one way a call to a remote server is bounded in time.
 * {@link withDeadline} bounds one promise; a {@link DeadlineQueue} bounds many
 * calls that share one timeout with a single timer.
 */
import { MemokitError } from '../../util/errors.js';
import { systemTimers, type TimerHandle, type Timers } from './timers.js';

/**
 * The rejection of a call {@link withDeadline} gave up on (code
 * `E_DEADLINE_EXCEEDED`). Internal: the Redis store and the bus catch it (the
 * server counts as not answering), so it never reaches users.
 *
 * @example
 * ```ts
 * await withDeadline(client.ping(), 250, 'ping').catch((error) => error instanceof DeadlineExceededError);
 * ```
 */
export class DeadlineExceededError extends MemokitError {
  /** The code of every `DeadlineExceededError`. */
  static readonly code = 'E_DEADLINE_EXCEEDED';
  declare readonly code: typeof DeadlineExceededError.code;
  /** The deadline that passed, in milliseconds. */
  readonly ms: number;

  constructor(what: string, ms: number) {
    super(DeadlineExceededError.code, `${what} timed out after ${ms} ms`);
    this.name = 'DeadlineExceededError';
    this.ms = ms;
  }
}

/**
 * `work`, or a rejection with a {@link DeadlineExceededError} if it has not
 * settled within `ms` milliseconds (whatever `work` does later is ignored).
 * The timer is cleared as soon as `work` settles.
 *
 * @param what - names the call in the error, e.g. `'ping'`
 * @param timers - where the timer is armed
 * @default timers: {@link systemTimers}
 * @example
 * ```ts
 * await withDeadline(redis.ping(), 250, 'heartbeat');
 * ```
 */
export function withDeadline<T>(work: Promise<T>, ms: number, what: string, timers: Timers = systemTimers): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = timers.setTimeout(() => reject(new DeadlineExceededError(what, ms)), ms);
    work.then(
      (value) => {
        timers.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        timers.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/**
 * A call a {@link DeadlineQueue} bounds. `deadline` is set by
 * {@link DeadlineQueue.track}; `settled` by {@link DeadlineQueue.settle}.
 *
 * @example
 * ```ts
 * class Call implements Deadlined { settled = false; deadline = 0; }
 * ```
 */
export interface Deadlined {
  settled: boolean;
  deadline: number;
}

/**
 * Calls in flight that all have the same timeout, bounded by one timer. They
 * wait in the order they were sent, so their deadlines are in that order too
 * and one timer, armed for the oldest, bounds them all (a timer per call costs
 * more than the rest of a pipelined read). No call in flight: no timer, so
 * nothing keeps the process alive.
 *
 * @example
 * ```ts
 * const queue = new DeadlineQueue<Call>(250, (call) => call.reject(new Error('timed out')));
 * queue.track(call);
 * send().then((value) => { if (queue.settle(call)) call.resolve(value); });
 * ```
 */
export class DeadlineQueue<C extends Deadlined> {
  /** Milliseconds each call may take. */
  readonly timeout: number;
  readonly #onExpire: (call: C) => void;
  readonly #timers: Timers;
  readonly #calls: C[] = [];
  #unsettled = 0;
  #timer: TimerHandle | undefined;

  /**
   * @param onExpire - called (once, already settled) for each call whose deadline passed
   * @default timers: {@link systemTimers}
   */
  constructor(timeout: number, onExpire: (call: C) => void, timers: Timers = systemTimers) {
    this.timeout = timeout;
    this.#onExpire = onExpire;
    this.#timers = timers;
  }

  /** Calls tracked and not settled yet. */
  get size(): number {
    return this.#unsettled;
  }

  /** Starts `call`'s deadline: `timeout` from now. */
  track(call: C): void {
    call.deadline = this.#timers.now() + this.timeout;
    this.#calls.push(call);
    this.#unsettled++;
    this.#timer ??= this.#timers.setTimeout(this.#expire, this.timeout);
  }

  /** Marks `call` settled; `false` if it already was (it timed out: ignore its outcome). */
  settle(call: C): boolean {
    if (call.settled) return false;
    call.settled = true;
    if (--this.#unsettled > 0) return true;
    // Nothing in flight: no timer is left to keep the process alive.
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#calls.length = 0;
    return true;
  }

  /** Expires every call whose deadline passed, then waits for the next deadline. */
  readonly #expire = (): void => {
    this.#timer = undefined;
    const calls = this.#calls;
    const now = this.#timers.now();
    let i = 0;
    for (; i < calls.length; i++) {
      const call = calls[i] as C;
      if (call.settled) continue;
      if (call.deadline > now) break;
      this.settle(call);
      this.#onExpire(call);
      if (calls.length === 0) return; // the last call in flight: settle() emptied the queue
    }
    if (i >= calls.length) return;
    calls.splice(0, i);
    const next = calls[0] as C;
    this.#timer = this.#timers.setTimeout(this.#expire, Math.max(1, Math.ceil(next.deadline - now)));
  };
}
