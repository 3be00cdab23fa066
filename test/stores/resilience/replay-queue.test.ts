import { describe, expect, it } from '@jest/globals';
import { ReplayQueue } from '../../../lib/stores/resilience/replay-queue.js';

describe('ReplayQueue', () => {
  it('keeps items in order; an item with the id of an earlier one replaces it and goes last', () => {
    const queue = new ReplayQueue<string>(10);
    expect(queue.empty).toBe(true);
    queue.add('clear users', 'c:users');
    queue.add('delete 1', 'd:1');
    queue.add('clear users again', 'c:users');
    queue.add('anonymous');
    expect(queue.pending().map(([, item]) => item)).toEqual(['delete 1', 'clear users again', 'anonymous']);
    expect(queue.size).toBe(3);
    expect(queue.first()?.[1]).toBe('delete 1');
  });

  it('remove() drops an item only if it was not replaced since', () => {
    const queue = new ReplayQueue<{ v: number }>(10);
    const old = { v: 1 };
    queue.add(old, 'k');
    const [[id, item]] = queue.pending() as [[string | number, { v: number }]];
    const newer = { v: 2 };
    queue.add(newer, 'k');
    queue.remove(id, item);
    expect(queue.pending().map(([, kept]) => kept)).toEqual([newer]);
    queue.remove('k', newer);
    expect(queue.empty).toBe(true);
    expect(queue.first()).toBeUndefined();
  });

  it('past max it empties and reports the overflow until the catch-all was sent', () => {
    const queue = new ReplayQueue<number>(3);
    for (let i = 0; i < 4; i++) queue.add(i);
    expect(queue.size).toBe(0);
    expect(queue.overflowed).toBe(true);
    expect(queue.empty).toBe(false);
    queue.add(99);
    expect(queue.size).toBe(1);
    queue.clearOverflow();
    expect(queue.overflowed).toBe(false);
    expect(queue.pending()).toEqual([[4, 99]]);
  });

  it('a snapshot does not change with later adds', () => {
    const queue = new ReplayQueue<string>(10);
    queue.add('a');
    const snapshot = queue.pending();
    queue.add('b');
    expect(snapshot.map(([, item]) => item)).toEqual(['a']);
  });

  it('add returns the id to ask about later, or undefined when that add overflowed', () => {
    const queue = new ReplayQueue<string>(2);
    const a = queue.add('a');
    const b = queue.add('b', 'named');
    expect([a, b]).toEqual([0, 'named']);
    expect(queue.has(0)).toBe(true);
    queue.remove(0, 'a');
    expect(queue.has(0)).toBe(false);
    expect(queue.has('named')).toBe(true);
    expect(queue.add('c')).toBe(1);
    expect(queue.add('d')).toBeUndefined();
    expect(queue.has('named')).toBe(false);
  });
});
