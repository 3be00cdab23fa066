import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, reconnectDelay } from '../../../lib/stores/resilience/circuit-breaker.js';
import { FakeTimers } from './fake-timers.js';

describe('reconnectDelay', () => {
  it('doubles from 100 ms and stays at 1 s', () => {
    expect([1, 2, 3, 4, 5, 6, 50].map(reconnectDelay)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
});

describe('CircuitBreaker', () => {
  it('trips once, retries after retryInterval, and resets once', () => {
    const timers = new FakeTimers();
    let retries = 0;
    const breaker = new CircuitBreaker({ retryInterval: 500, onRetry: () => retries++, timers });
    expect(breaker.tripped).toBe(false);
    expect(breaker.trip()).toBe(true);
    expect(breaker.trip()).toBe(false);
    expect(breaker.tripped).toBe(true);
    expect(breaker.retrying).toBe(true);
    timers.advance(499);
    expect(retries).toBe(0);
    timers.advance(1);
    expect(retries).toBe(1);
    expect(breaker.retrying).toBe(false);
    breaker.retryLater();
    breaker.retryLater(); // one retry at a time
    timers.advance(500);
    expect(retries).toBe(2);
    expect(breaker.reset()).toBe(true);
    expect(breaker.reset()).toBe(false);
    expect(breaker.tripped).toBe(false);
  });

  it('cancels the retry on reset, and never keeps the process alive', () => {
    const timers = new FakeTimers();
    let retries = 0;
    const breaker = new CircuitBreaker({ retryInterval: 100, onRetry: () => retries++, timers });
    breaker.trip();
    expect(timers.handles[0]?.unrefed).toBe(true);
    breaker.reset();
    timers.advance(1000);
    expect(retries).toBe(0);
    expect(timers.pending.size).toBe(0);
  });

  it('once stopped, neither trips, resets nor retries', () => {
    const timers = new FakeTimers();
    let retries = 0;
    const breaker = new CircuitBreaker({ retryInterval: 100, onRetry: () => retries++, timers });
    breaker.trip();
    breaker.stop();
    expect(breaker.reset()).toBe(false);
    breaker.retryLater();
    timers.advance(1000);
    expect(retries).toBe(0);
    const other = new CircuitBreaker({ retryInterval: 100, timers });
    other.stop();
    expect(other.trip()).toBe(false);
  });

  it('without retryInterval arms no timer: the owner retries', () => {
    const timers = new FakeTimers();
    const breaker = new CircuitBreaker({ timers });
    expect(breaker.trip()).toBe(true);
    breaker.retryLater();
    expect(timers.pending.size).toBe(0);
    expect(breaker.reset()).toBe(true);
  });
});
