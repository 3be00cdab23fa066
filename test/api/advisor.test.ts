import { describe, expect, it } from '@jest/globals';
import {
  AsyncLRU,
  AsyncTTL,
  adviseCache,
  cacheStats,
  DEFAULT_ADVISOR_RATE,
  MemoryStore,
  NullStore,
  withCacheOptions,
  type CacheAdvice,
} from '../../lib/index.js';
import { FakeClock } from '../helpers/deferred.js';

/**
 * The sizing advisor through the public API: `advisor` on the decorators and
 * `adviseCache(method)`. Rate 1 samples every key, so the estimates are exact
 * LRU and TTL figures the tests work out by hand; time is a FakeClock given
 * to the MemoryStore, which the advisor reads too.
 */

function sizesOf(advice: CacheAdvice) {
  return advice.sizes.map(({ size, multiple, hitRate }) => ({ size, multiple, hitRate }));
}

describe('the advisor option', () => {
  it('is off unless stated: adviseCache throws a TypeError naming the method', async () => {
    class Plain {
      @AsyncLRU()
      async get(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ advisor: false })
      async off(id: number): Promise<number> {
        return id;
      }
    }
    const plain = new Plain();
    await plain.get(1);
    await plain.off(1);
    expect(() => adviseCache(plain.get)).toThrow(TypeError);
    expect(() => adviseCache(plain.get)).toThrow(/Plain\.get.*advisor/);
    expect(() => adviseCache(plain.off)).toThrow(/Plain\.off.*advisor/);
  });

  it('true samples DEFAULT_ADVISOR_RATE of the keys; a number is the rate', async () => {
    class Sampled {
      @AsyncLRU({ maxSize: 5_000, advisor: true })
      async byDefault(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ maxSize: 5_000, advisor: 0.5 })
      async half(id: number): Promise<number> {
        return id;
      }
    }
    const sampled = new Sampled();
    for (let id = 0; id < 2_000; id++) {
      await sampled.byDefault(id);
      await sampled.half(id);
    }
    const byDefault = adviseCache(sampled.byDefault);
    expect(DEFAULT_ADVISOR_RATE).toBe(0.01);
    expect(byDefault.rate).toBe(DEFAULT_ADVISOR_RATE);
    expect(byDefault.calls).toBe(2_000);
    expect(byDefault.sampledKeys).toBeGreaterThan(5); // ≈ 20 of 2,000
    expect(byDefault.sampledKeys).toBeLessThan(60);
    const half = adviseCache(sampled.half);
    expect(half.rate).toBe(0.5);
    expect(half.sampledKeys).toBeGreaterThan(900); // ≈ 1,000 of 2,000
    expect(half.sampledKeys).toBeLessThan(1_100);
    expect(half.distinctKeys).toBe(Math.round(half.sampledKeys / 0.5));
  });

  it('an object sets the rate, bounds the sampled keys and seeds the hash', async () => {
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    class Bounded {
      @AsyncLRU({ maxSize: 100, store, advisor: { rate: 1, maxKeys: 16, seed: 3 } })
      async get(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ maxSize: 100, store, advisor: { rate: 0.3, seed: 3 } })
      async seeded(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ maxSize: 100, store, advisor: { rate: 0.3, seed: 3 } })
      async sameSeed(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ maxSize: 100, store, advisor: { rate: 0.3, seed: 4 } })
      async otherSeed(id: number): Promise<number> {
        return id;
      }
    }
    const bounded = new Bounded();
    for (let i = 0; i < 400; i++) {
      await bounded.get(i);
      await bounded.seeded(i % 150);
      await bounded.sameSeed(i % 150);
      await bounded.otherSeed(i % 150);
      clock.advance(1);
    }
    const advice = adviseCache(bounded.get);
    expect(advice.sampledKeys).toBeLessThanOrEqual(16);
    expect(advice.rate).toBeLessThan(1); // lowered past 16 keys
    const { method: _a, ...seeded } = adviseCache(bounded.seeded);
    const { method: _b, ...sameSeed } = adviseCache(bounded.sameSeed);
    const { method: _c, ...otherSeed } = adviseCache(bounded.otherSeed);
    expect(seeded.rate).toBe(0.3);
    expect(seeded.sampledKeys).toBeGreaterThan(0);
    expect(sameSeed).toEqual(seeded); // the same seed and calls: the same sample and figures
    expect(otherSeed).not.toEqual(seeded); // another sample of the 150 keys
  });

  it.each([
    [0, /rate 0/],
    [1.5, /rate 1\.5/],
    [-0.1, /rate -0\.1/],
    [Number.NaN, /rate NaN/],
    ['yes', /"yes"/],
    [null, /null/],
    [{ rate: 2 }, /rate 2/],
    [{ rate: '0.1' }, /rate "0\.1"/],
    [{ foo: 1 }, /"foo"/],
    [{ maxKeys: 3 }, /maxKeys 3/],
    [{ maxKeys: 16.5 }, /maxKeys 16\.5/],
    [{ seed: 1.5 }, /seed 1\.5/],
  ])('rejects advisor: %p with a TypeError naming Class.method and the option', (advisor, detail) => {
    const attempt = () => {
      class Opts {
        @AsyncLRU({ advisor: advisor as never })
        async get(): Promise<number> {
          return 1;
        }
      }
      return Opts;
    };
    expect(attempt).toThrow(TypeError);
    expect(attempt).toThrow(/Opts\.get: option "advisor"/);
    expect(attempt).toThrow(detail);
  });

  it('rejects a bad advisor on @AsyncTTL too', () => {
    expect(() => {
      class Sessions {
        @AsyncTTL({ ttl: '1m', advisor: { rate: 0 } })
        async get(): Promise<number> {
          return 1;
        }
      }
      return Sessions;
    }).toThrow(/Sessions\.get: option "advisor" has rate 0/);
  });
});

describe('adviseCache: what it counts', () => {
  it('before any call: no calls, no curve, a warning', () => {
    class Idle {
      @AsyncLRU({ maxSize: 10, advisor: 1 })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const advice = adviseCache(new Idle().get);
    expect(advice).toMatchObject({ method: 'Idle.get', store: 'memory', maxSize: 10, calls: 0, callsPerSecond: 0 });
    expect(advice.sizes).toEqual([]);
    expect(advice.recommendation).toBeUndefined();
    expect(advice.bytesPerEntry).toBeUndefined();
    expect(advice.warnings.join('\n')).toMatch(/no calls/);
  });

  it('counts every call that reads the cache: hits, misses and refreshes, not useCache: false', async () => {
    class Counted {
      @AsyncLRU({ maxSize: 10, advisor: 1 })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const counted = new Counted();
    for (const id of [1, 2, 1, 1, 3]) await counted.get(id); // 3 misses, 2 hits
    await withCacheOptions({ useCache: false }, () => counted.get(1));
    await withCacheOptions({ useCache: false }, () => counted.get(9));
    await withCacheOptions({ refresh: true }, () => counted.get(1));
    await withCacheOptions({ refresh: true }, () => counted.get(4));
    const advice = adviseCache(counted.get);
    expect(cacheStats(counted.get).bypassed).toBe(2);
    expect(advice.calls).toBe(7);
    expect(advice.sampledKeys).toBe(4); // 1, 2, 3 and 4: not 9, only seen with useCache: false
  });
});

describe('adviseCache: the size curve and its knee', () => {
  /**
   * 40 keys cycled 45 times; after each round one of 30 rare keys, in turn.
   * A key of the 40 has 39 or 40 others between its calls: it hits from size
   * 50 on, not at 25. A rare key has 30 rounds (40 keys) and 29 rare keys
   * between: 69, so it hits from 100 on, and only after its first 30 calls.
   * 1,845 calls, one every 10 ms: 100 per second.
   */
  async function roundsWithRareKeys(maxSize: number) {
    const clock = new FakeClock();
    class Catalog {
      @AsyncLRU({ maxSize, store: new MemoryStore({ clock }), advisor: 1 })
      async get(id: number): Promise<string> {
        return `product ${id}`;
      }
    }
    const catalog = new Catalog();
    for (let round = 0; round < 45; round++) {
      for (let id = 0; id < 40; id++) {
        await catalog.get(id);
        clock.advance(10);
      }
      await catalog.get(1_000 + (round % 30));
      clock.advance(10);
    }
    return catalog;
  }

  const calls = 45 * 41;
  const frequentHits = 40 * 44;
  const rareHits = 45 - 30;

  it('estimates the hit rate at 0.25×…8× maxSize, exactly at rate 1', async () => {
    const catalog = await roundsWithRareKeys(100);
    const advice = adviseCache(catalog.get);
    expect(advice).toMatchObject({
      method: 'Catalog.get',
      maxSize: 100,
      ttl: undefined,
      calls,
      observedMs: calls * 10,
      callsPerSecond: 100,
      rate: 1,
      sampledKeys: 70,
      distinctKeys: 70,
    });
    const all = (frequentHits + rareHits) / calls;
    expect(sizesOf(advice)).toEqual([
      { size: 25, multiple: 0.25, hitRate: 0 },
      { size: 50, multiple: 0.5, hitRate: frequentHits / calls },
      { size: 100, multiple: 1, hitRate: all },
      { size: 200, multiple: 2, hitRate: all },
      { size: 400, multiple: 4, hitRate: all },
      { size: 800, multiple: 8, hitRate: all },
    ]);
    expect(cacheStats(catalog.get).hitRate).toBe(all); // the cache itself, at 1×
  });

  it('recommends the smallest size within one point of 8×: here 0.5×, costing a few more loads', async () => {
    // 50 entries lose the rare keys' 15 hits: 15 / 1,845 ≈ 0.8 point, within the tolerance.
    const advice = adviseCache((await roundsWithRareKeys(100)).get);
    expect(advice.recommendation).toMatchObject({ maxSize: 50, hitRate: frequentHits / calls });
    expect(advice.recommendation?.loadsPerSecondChange).toBeCloseTo((100 * rareHits) / calls, 12);
    expect(advice.recommendation?.loadsPerSecondChange).toBeGreaterThan(0);
  });

  it('recommends a larger size when the current one thrashes: fewer loads per second', async () => {
    // 50 keys cycled 4 times, one call every 10 ms, in an LRU of 20: every call misses.
    // From 50 entries on, all but the 50 first calls hit: 150 / 200.
    const clock = new FakeClock();
    class Thrashing {
      @AsyncLRU({ maxSize: 20, store: new MemoryStore({ clock }), advisor: 1 })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const thrashing = new Thrashing();
    for (let i = 0; i < 200; i++) {
      await thrashing.get(i % 50);
      clock.advance(10);
    }
    const advice = adviseCache(thrashing.get);
    expect(cacheStats(thrashing.get).hitRate).toBe(0);
    expect(sizesOf(advice)).toEqual([
      { size: 5, multiple: 0.25, hitRate: 0 },
      { size: 10, multiple: 0.5, hitRate: 0 },
      { size: 20, multiple: 1, hitRate: 0 },
      { size: 40, multiple: 2, hitRate: 0 },
      { size: 80, multiple: 4, hitRate: 0.75 },
      { size: 160, multiple: 8, hitRate: 0.75 },
    ]);
    expect(advice.callsPerSecond).toBe(100);
    expect(advice.recommendation).toMatchObject({ maxSize: 80, hitRate: 0.75, loadsPerSecondChange: -75 });
  });

  it('estimates the bytes per entry from the values loaded, and the bytes of each size', async () => {
    class Sized {
      @AsyncLRU({ maxSize: 100, advisor: 1 })
      async small(_id: number): Promise<string> {
        return 's'.repeat(100);
      }

      @AsyncLRU({ maxSize: 100, advisor: 1 })
      async large(_id: number): Promise<string> {
        return 'l'.repeat(1_100);
      }
    }
    const sized = new Sized();
    for (let i = 0; i < 300; i++) {
      await sized.small(i % 60);
      await sized.large(i % 60);
    }
    const small = adviseCache(sized.small);
    const large = adviseCache(sized.large);
    expect(small.bytesPerEntry).toBeGreaterThan(100);
    expect(large.bytesPerEntry! - small.bytesPerEntry!).toBe(1_000); // the same keys; 1,000 more Latin-1 characters
    expect(small.distinctKeys).toBe(60);
    // entries held at each size: the size, or every key when fewer
    expect(small.sizes.map((point) => point.bytes)).toEqual(
      [25, 50, 60, 60, 60, 60].map((held) => held * small.bytesPerEntry!),
    );
    expect(small.recommendation).toMatchObject({ maxSize: 100, bytes: 60 * small.bytesPerEntry! });
  });
});

describe('adviseCache: the TTL curve', () => {
  it('replays 0.25×…4× the TTL on the store clock; 1× is what the cache itself did', async () => {
    // One key every 10 ms with a 25 ms TTL: reloaded every third call. At 6.25 ms every call
    // misses; 12.5: 1 hit in 2; 25: 2 in 3; 50: 5 in 6; 100: 10 in 11 (60 calls: 54 hits).
    const clock = new FakeClock();
    class Rates {
      @AsyncTTL({ ttl: 25, store: new MemoryStore({ clock }), advisor: 1 })
      async rate(currency: string): Promise<number> {
        return currency.length;
      }
    }
    const rates = new Rates();
    for (let i = 0; i < 60; i++) {
      await rates.rate('EUR');
      clock.advance(10);
    }
    const advice = adviseCache(rates.rate);
    expect(advice.ttl).toBe(25);
    expect(advice.ttls).toEqual([
      { ttl: 6.25, multiple: 0.25, hitRate: 0 },
      { ttl: 12.5, multiple: 0.5, hitRate: 30 / 60 },
      { ttl: 25, multiple: 1, hitRate: 40 / 60 },
      { ttl: 50, multiple: 2, hitRate: 50 / 60 },
      { ttl: 100, multiple: 4, hitRate: 54 / 60 },
    ]);
    expect(cacheStats(rates.rate).hitRate).toBe(40 / 60);
  });

  it('at 1× agrees with the cache when a call comes exactly one TTL after the load', async () => {
    // One key every 10 ms with a 50 ms TTL. The memory store serves an entry
    // exactly 50 ms old (it expires after its TTL), so it reloads every 6th
    // call: 50 hits of 60, and so does the replay (an entry at most its TTL old is a hit).
    const clock = new FakeClock();
    class Rates {
      @AsyncTTL({ ttl: 50, store: new MemoryStore({ clock }), advisor: 1 })
      async rate(currency: string): Promise<number> {
        return currency.length;
      }
    }
    const rates = new Rates();
    for (let i = 0; i < 60; i++) {
      await rates.rate('EUR');
      clock.advance(10);
    }
    const actual = cacheStats(rates.rate).hitRate;
    expect(actual).toBe(50 / 60);
    expect(adviseCache(rates.rate).ttls.find((point) => point.multiple === 1)?.hitRate).toBe(actual);
  });

  it('an LRU method has no TTL curve', async () => {
    class Plain {
      @AsyncLRU({ maxSize: 10, advisor: 1 })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const plain = new Plain();
    await plain.get(1);
    await plain.get(1);
    const advice = adviseCache(plain.get);
    expect(advice.ttl).toBeUndefined();
    expect(advice.ttls).toEqual([]);
  });
});

describe('adviseCache: scopes and warnings', () => {
  it('methods in one scope share a sampler: each one’s advice counts the calls of both', async () => {
    const store = new MemoryStore();
    class Users {
      @AsyncLRU({ scope: 'x', store, maxSize: 100, advisor: 1 })
      async find(id: string): Promise<string> {
        return `user ${id}`;
      }

      @AsyncLRU({ scope: 'x', store, maxSize: 100, advisor: 1 })
      async settings(id: string): Promise<string> {
        return `settings ${id}`;
      }
    }
    const users = new Users();
    for (const id of ['a', 'b', 'a']) await users.find(id);
    for (const id of ['s1', 's2']) await users.settings(id);
    const find = adviseCache(users.find);
    const settings = adviseCache(users.settings);
    expect(find.method).toBe('scope:x');
    expect(find.calls).toBe(5);
    expect(find.sampledKeys).toBe(4);
    const { observedMs: _a, callsPerSecond: _b, ...rest } = find;
    expect(settings).toMatchObject(rest);
  });

  it('in a scope shared by methods of different TTLs, the curve is at the TTL of the method that turned it on', async () => {
    // `brief` binds first (its call comes first) and creates the shared sampler, which replays its 100 ms
    // TTL; both methods' reports say so (`ttl` 100). `long`'s calls come 150 ms apart: past 100 ms every one
    // misses; at 200 ms (2×) one in 2 hits, at 400 ms (4×) two in 3 (21 calls of `long`, 1 of `brief`).
    const clock = new FakeClock();
    const store = new MemoryStore({ clock });
    class Quotes {
      @AsyncTTL({ ttl: 100, scope: 'quotes', store, advisor: 1 })
      async brief(id: string): Promise<string> {
        return `brief ${id}`;
      }

      @AsyncTTL({ ttl: 1_000, scope: 'quotes', store, advisor: 1 })
      async long(id: string): Promise<string> {
        return `long ${id}`;
      }
    }
    const quotes = new Quotes();
    await quotes.brief('b');
    for (let i = 0; i < 21; i++) {
      await quotes.long('l');
      clock.advance(150);
    }
    const advice = adviseCache(quotes.long);
    expect(advice.ttl).toBe(100);
    expect(adviseCache(quotes.brief).ttls).toEqual(advice.ttls);
    expect(advice.ttls.map((point) => [point.ttl, point.hitRate])).toEqual([
      [25, 0],
      [50, 0],
      [100, 0],
      [200, 10 / 22],
      [400, 14 / 22],
    ]);
  });

  it('warns when few keys are sampled, and gives no size curve on a store without maxSize', async () => {
    class Few {
      @AsyncLRU({ maxSize: 1_000, advisor: 1 })
      async get(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ maxSize: 1_000, advisor: 1 })
      async many(id: number): Promise<number> {
        return id;
      }

      @AsyncLRU({ store: new NullStore(), advisor: 1 })
      async uncached(id: number): Promise<number> {
        return id;
      }
    }
    const few = new Few();
    for (let id = 0; id < 99; id++) await few.get(id);
    for (let id = 0; id < 100; id++) await few.many(id);
    await few.uncached(1);
    await few.uncached(1);
    expect(adviseCache(few.get).warnings).toEqual([expect.stringMatching(/only 99 keys sampled/)]);
    expect(adviseCache(few.many).warnings).toEqual([]);
    const uncached = adviseCache(few.uncached);
    expect(uncached.maxSize).toBeUndefined();
    expect(uncached.sizes).toEqual([]);
    expect(uncached.recommendation).toBeUndefined();
    expect(uncached.calls).toBe(2);
    expect(uncached.warnings.join('\n')).toMatch(/no maxSize/);
  });
});
