/**
 * The sizing advisor on the manual `Cache` API: `getOrSet` and
 * `getOrSetMany` calls are sampled, scopes inherit the option or state
 * their own, and `advise()` names the cache when it is off.
 */
import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, adviseCache, Cache, MemoryStore } from '../../lib/index.js';
import { FakeClock } from '../helpers/deferred.js';

describe('Cache advisor', () => {
  it('samples getOrSet and getOrSetMany calls and estimates the size curve of the cache', async () => {
    const clock = new FakeClock();
    const cache = new Cache<string>({ store: new MemoryStore({ clock }), maxSize: 8, advisor: 1 });
    // 12 keys cycled: at 8 entries (LRU) every call misses; from 12 entries on, all but the first round hit.
    for (let round = 0; round < 5; round++) {
      for (let key = 0; key < 12; key++) await cache.getOrSet(key, () => Promise.resolve(`v${key}`));
      clock.advance(500);
    }
    const advice = cache.advise();
    expect(advice.method).toBe('Cache(cache)');
    expect(advice.calls).toBe(60);
    expect(advice.callsPerSecond).toBeCloseTo(60 / 2.5, 6);
    expect(advice.sizes.map((point) => point.size)).toEqual([2, 4, 8, 16, 32, 64]);
    expect(advice.sizes.map((point) => point.hitRate)).toEqual([0, 0, 0, 0.8, 0.8, 0.8]);
    expect(advice.recommendation?.maxSize).toBe(16);
    // 60 calls in 2.5 s, from 0% to 80% hits: 19.2 fewer loads per second.
    expect(advice.recommendation?.loadsPerSecondChange).toBeCloseTo(-19.2, 6);

    await cache.getOrSetMany([1, 2, 3], (missing) => Promise.resolve(new Map(missing.map((k) => [k, `v${k}`]))));
    expect(cache.advise().calls).toBe(63);
  });

  it('lets a scope inherit the advisor or turn it off, and names the cache when it is off', async () => {
    const cache = new Cache({ maxSize: 100, advisor: 1 });
    const inherited = cache.scope('users');
    const off = cache.scope('orders', { advisor: false });
    await inherited.getOrSet('a', () => Promise.resolve(1));
    expect(inherited.advise().calls).toBe(1);
    expect(cache.advise().calls).toBe(0);
    expect(() => off.advise()).toThrow('Cache(scope:orders): the sizing advisor is off; turn it on with advisor: true');
    expect(() => new Cache().advise()).toThrow(/Cache\(cache\): the sizing advisor is off/);
    expect(() => new Cache({ advisor: { rate: 0 } })).toThrow(
      'new Cache(): option "advisor" has rate 0; a sampling rate is a number above 0 and at most 1',
    );
  });
});

describe('decorated hit path with the advisor on', () => {
  it('still returns the same settled promise for repeated hits of a sampled key (nothing allocated per hit)', async () => {
    class Svc {
      @AsyncLRU({ advisor: 1 })
      async get(id: number): Promise<{ id: number }> {
        return { id };
      }
    }
    const svc = new Svc();
    const value = await svc.get(1);
    const hitA = svc.get(1);
    const hitB = svc.get(1);
    expect(hitA).toBe(hitB);
    expect(await hitA).toBe(value);
    expect(adviseCache(svc.get)).toMatchObject({ calls: 3, sampledKeys: 1 });
  });
});
