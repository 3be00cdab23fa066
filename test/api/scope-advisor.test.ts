/**
 * The sizing advisor of decorated methods sharing a scope: one sampler for
 * the scope's one LRU, joined by every method, and a TypeError when their
 * own options disagree (never a method silently left out of the curve).
 */
import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, adviseCache, MemoryStore } from '../../lib/index.js';
import { FakeClock } from '../helpers/deferred.js';

describe('advisor in a shared scope', () => {
  it('records every method of the scope in one sampler, including a method bound before another turned it on', async () => {
    const store = new MemoryStore({ clock: new FakeClock() }); // no time passes: the two reports are equal
    class Users {
      @AsyncLRU({ store, scope: 'people' })
      async byId(id: number): Promise<string> {
        return `user ${id}`;
      }

      @AsyncLRU({ store, scope: 'people', maxSize: 50, advisor: 1 })
      async byName(name: string): Promise<string> {
        return name;
      }
    }
    const users = new Users();
    await users.byId(1); // bound first, without a sampler: the scope is not advised yet
    await users.byName('ada'); // turns it on for the scope
    await users.byId(2);
    await users.byId(2);
    const byName = adviseCache(users.byName);
    expect(byName.method).toBe('scope:people');
    expect(byName.calls).toBe(3); // byName once, byId twice after the scope was advised
    expect(byName.sampledKeys).toBe(2);
    expect(adviseCache(users.byId)).toEqual(byName);
  });

  it.each([
    ['false next to true', false, true],
    ['different rates', 0.5, 1],
  ])('rejects methods of one scope whose advisor options disagree (%s), naming both', async (_name, first, second) => {
    const store = new MemoryStore();
    class Orders {
      @AsyncLRU({ store, scope: 'orders', advisor: first })
      async open(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ store, scope: 'orders', advisor: second })
      async closed(id: number): Promise<number> {
        return id;
      }
    }
    const orders = new Orders();
    await orders.open(1);
    await expect(orders.closed(1)).rejects.toThrow(
      `Orders.closed: its "advisor" option disagrees with Orders.open's, and both share the scope "orders"`,
    );
  });

  it('measures calls per second over about the last minute, not since the start', async () => {
    const clock = new FakeClock();
    class Feed {
      @AsyncLRU({ store: new MemoryStore({ clock }), advisor: 1 })
      async item(id: number): Promise<number> {
        return id;
      }
    }
    const feed = new Feed();
    // A burst: 100 calls per second for 60 s, then 2 per second for 3 minutes.
    for (let s = 0; s < 60; s++) {
      for (let i = 0; i < 100; i++) await feed.item(i);
      clock.advance(1_000);
    }
    expect(adviseCache(feed.item).callsPerSecond).toBeCloseTo(100, 6);
    for (let s = 0; s < 180; s++) {
      for (let i = 0; i < 2; i++) await feed.item(i);
      clock.advance(1_000);
    }
    const advice = adviseCache(feed.item);
    expect(advice.calls).toBe(6_000 + 360);
    // Over the window (60 to 70 s back), about 2 per second; since the start it would be 6,360 / 240 s = 26.5.
    expect(advice.callsPerSecond).toBeGreaterThan(1.9);
    expect(advice.callsPerSecond).toBeLessThan(2.1);
  });
});
