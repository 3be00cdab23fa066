import { expect } from '@jest/globals';

/** Runs `run`, asserts it throws a TypeError, and returns the message. */
export function typeErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(TypeError);
    return (error as TypeError).message;
  }
  throw new Error('expected a TypeError, but nothing was thrown');
}
