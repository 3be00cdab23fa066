import { describe, expect, it } from '@jest/globals';
import { MemoryStore } from '../../../lib/index.js';
import { FakeClock } from '../../helpers/deferred.js';

/**
 * What the memory store says of an entry's freshness (on an injected clock,
 * so every figure is exact): a stale read carries minus the milliseconds
 * since the entry expired; `sync.expiresIn` the freshness a live entry has left.
 */
function clocked() {
  const clock = new FakeClock();
  const store = new MemoryStore({ clock, max: 3 });
  return { clock, store, sync: store.sync };
}

describe('MemoryStore: expiresIn', () => {
  it('a stale read reports expiresIn ≤ 0: minus the milliseconds since the entry expired, sync and async', async () => {
    const { clock, store, sync } = clocked();
    await store.set('a', 'v', { ttl: 1_000, failSafe: 60_000 });
    clock.advance(1_000); // expires now: stale, 0 ms ago
    expect(await store.get('a')).toBeUndefined();
    expect(sync.getFailSafe('a')).toEqual({ value: 'v', expiresIn: 0 });
    clock.advance(2_500);
    expect(sync.getFailSafe('a')).toEqual({ value: 'v', expiresIn: -2_500 });
    expect(await store.getFailSafe('a')).toEqual({ value: 'v', expiresIn: -2_500 });
    clock.advance(60_000 - 2_500 + 1); // the stale window has passed
    expect(await store.getFailSafe('a')).toBeUndefined();
  });

  it('fresh reads are unchanged (no expiresIn); an entry without expiry reports none either', async () => {
    const { clock, store, sync } = clocked();
    await store.set('a', 'v', { ttl: 1_000, failSafe: 60_000 });
    await store.set('forever', 'f');
    clock.advance(999);
    for (const entry of [await store.get('a'), await store.getFailSafe('a'), sync.get('a'), sync.getFailSafe('a')]) {
      expect(entry?.value).toBe('v');
      expect(entry?.expiresIn).toBeUndefined();
    }
    clock.advance(1_000_000);
    expect((await store.getFailSafe('forever'))?.expiresIn).toBeUndefined();
    expect(sync.getFailSafe('forever')?.expiresIn).toBeUndefined();
    expect(sync.expiresIn?.('forever')).toBeUndefined();
  });

  it('sync.expiresIn: the freshness left of a live entry, without touching its recency; undefined when absent or stale', () => {
    const { clock, sync } = clocked();
    sync.set('old', 1, { ttl: 10_000 });
    sync.set('stale', 2, { ttl: 1_000, failSafe: 60_000 });
    sync.set('x', 3, { ttl: 10_000 });
    clock.advance(400);
    expect(sync.expiresIn?.('old')).toBe(9_600);
    expect(sync.expiresIn?.('stale')).toBe(600);
    expect(sync.expiresIn?.('absent')).toBeUndefined();
    clock.advance(600);
    expect(sync.expiresIn?.('stale')).toBeUndefined(); // in its stale window: no freshness left
    clock.advance(10_000);
    expect(sync.expiresIn?.('old')).toBeUndefined(); // expired
  });

  it('sync.expiresIn does not touch recency: the entry stays the least recently used', () => {
    const { sync } = clocked();
    sync.set('old', 1, { ttl: 10_000 });
    sync.set('b', 2);
    sync.set('c', 3);
    expect(sync.expiresIn?.('old')).toBe(10_000);
    sync.set('d', 4); // max 3: evicts the least recently used
    expect(sync.get('old')).toBeUndefined();
    expect(sync.get('b')?.value).toBe(2);
  });
});
