import { describe, expect, it } from '@jest/globals';
import {
  DeadlineExceededError,
  DeadlineQueue,
  withDeadline,
  type Deadlined,
} from '../../../lib/stores/resilience/deadline.js';
import { MemokitError } from '../../../lib/util/errors.js';
import { FakeTimers } from './fake-timers.js';

/** A promise settled by hand. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('withDeadline', () => {
  it('resolves with the work and clears its timer', async () => {
    const timers = new FakeTimers();
    const work = deferred<string>();
    const bounded = withDeadline(work.promise, 100, 'ping', timers);
    expect(timers.pending.size).toBe(1);
    work.resolve('PONG');
    await expect(bounded).resolves.toBe('PONG');
    expect(timers.pending.size).toBe(0);
  });

  it('passes on the work’s rejection and clears its timer', async () => {
    const timers = new FakeTimers();
    const work = deferred<string>();
    const bounded = withDeadline(work.promise, 100, 'ping', timers);
    const cause = new Error('refused');
    work.reject(cause);
    await expect(bounded).rejects.toBe(cause);
    expect(timers.pending.size).toBe(0);
  });

  it('rejects with a DeadlineExceededError naming the call once the deadline passed, ignoring the work after', async () => {
    const timers = new FakeTimers();
    const work = deferred<string>();
    const bounded = withDeadline(work.promise, 100, 'heartbeat', timers);
    timers.advance(99);
    timers.advance(1);
    const error = await bounded.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DeadlineExceededError);
    expect((error as DeadlineExceededError).ms).toBe(100);
    expect((error as Error).message).toBe('heartbeat timed out after 100 ms');
    work.resolve('late');
    await expect(bounded).rejects.toBe(error);
  });

  it('rejects with a MemokitError of code E_DEADLINE_EXCEEDED', () => {
    const error = new DeadlineExceededError('ping', 250);
    expect(error).toBeInstanceOf(MemokitError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('E_DEADLINE_EXCEEDED');
    expect(DeadlineExceededError.code).toBe('E_DEADLINE_EXCEEDED');
    expect(error.name).toBe('DeadlineExceededError');
    expect(error.message).toBe('ping timed out after 250 ms');
    expect(error.cause).toBeUndefined();
  });
});

class Call implements Deadlined {
  settled = false;
  deadline = 0;
  constructor(readonly name: string) {}
}

describe('DeadlineQueue', () => {
  it('bounds many calls with one timer, expiring each at its own deadline, in order', () => {
    const timers = new FakeTimers();
    const expired: string[] = [];
    const queue = new DeadlineQueue<Call>(100, (call) => expired.push(`${call.name}@${timers.now()}`), timers);
    const a = new Call('a');
    const b = new Call('b');
    const c = new Call('c');
    queue.track(a);
    timers.advance(30);
    queue.track(b);
    timers.advance(30);
    queue.track(c);
    expect(timers.pending.size).toBe(1);
    expect(queue.size).toBe(3);
    expect(queue.settle(b)).toBe(true);
    timers.advance(40); // t = 100: a's deadline
    expect(expired).toEqual(['a@100']);
    expect(a.settled).toBe(true);
    timers.advance(59); // t = 159: b settled, c not due yet
    expect(expired).toEqual(['a@100']);
    timers.advance(1); // t = 160: c's deadline
    expect(expired).toEqual(['a@100', 'c@160']);
    expect(queue.size).toBe(0);
    expect(timers.pending.size).toBe(0);
  });

  it('settle() is false for a call that already timed out (its outcome is ignored)', () => {
    const timers = new FakeTimers();
    const queue = new DeadlineQueue<Call>(50, () => undefined, timers);
    const call = new Call('late');
    queue.track(call);
    timers.advance(50);
    expect(queue.settle(call)).toBe(false);
  });

  it('leaves no timer once every call settled, and arms a new one for the next call', () => {
    const timers = new FakeTimers();
    const expired: Call[] = [];
    const queue = new DeadlineQueue<Call>(100, (call) => expired.push(call), timers);
    const first = new Call('first');
    queue.track(first);
    expect(queue.settle(first)).toBe(true);
    expect(timers.pending.size).toBe(0);
    timers.advance(500);
    const second = new Call('second');
    queue.track(second);
    expect(second.deadline).toBe(600);
    expect(timers.pending.size).toBe(1);
    timers.advance(100);
    expect(expired).toEqual([second]);
  });
});
