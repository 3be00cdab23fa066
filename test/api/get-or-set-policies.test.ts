import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Cache, LoadTimeoutError, MemoryStore, type GetOrSetOptions } from '../../lib/index.js';
import { deferred, FakeClock, flush } from '../helpers/deferred.js';
import { controlledLoader } from '../helpers/loader.js';
import { MapStore } from '../testing/map-store.js';

/**
 * Freshness policies stated per `getOrSet` call, and the tags a loader sets
 * from what it loaded (`ctx.tags`), on the memory store. Entry ages read the
 * store's injected clock; load timeouts run on jest's fake timers. No sleeps.
 */

afterEach(() => {
  jest.useRealTimers();
});

describe('freshness policies per getOrSet call (memory store, injected clock)', () => {
  it('staleWhileRevalidate for one call: it gets the expired value at once; a call without it waits', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1s' });
    const { state, load } = controlledLoader();
    const swr = { staleWhileRevalidate: '10s' } as const;
    expect(await cache.getOrSet('k', load, swr)).toBe('v1');
    clock.advance(1_500); // expired; the entry was written with a 10 s window
    state.auto = false;
    expect(await Promise.all([cache.getOrSet('k', load, swr), cache.getOrSet('k', load, swr)])).toEqual(['v1', 'v1']);
    expect(state.pending).toHaveLength(1);
    state.pending[0]!.resolve('v2');
    await flush();
    expect(await cache.getOrSet('k', load, swr)).toBe('v2');
    expect(cache.stats()).toMatchObject({ refreshes: 1, staleWhileRevalidateServed: 2 });

    // The same expired state, asked without the policy: the call waits for its load.
    clock.advance(1_500);
    const waiting = cache.getOrSet('k', load);
    await flush();
    expect(state.pending).toHaveLength(2);
    let settled = false;
    void waiting.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    state.pending[1]!.resolve('v3');
    expect(await waiting).toBe('v3');
    await cache.close();
  });

  it('refreshAhead for one call: a hit in its zone reloads once; the same hit without it does not', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1m' });
    const { state, load } = controlledLoader();
    expect(await cache.getOrSet('k', load)).toBe('v1');
    clock.advance(50_000); // 10 s left: in the zone of refreshAhead 0.8
    expect(await cache.getOrSet('k', load)).toBe('v1');
    await flush();
    expect(state.loads).toBe(1);
    state.auto = false;
    expect(await cache.getOrSet('k', load, { refreshAhead: 0.8 })).toBe('v1');
    expect(await cache.getOrSet('k', load, { refreshAhead: 0.8 })).toBe('v1'); // one reload per key
    expect(state.loads).toBe(2);
    state.pending[0]!.resolve('v2');
    await flush();
    expect(await cache.getOrSet('k', load)).toBe('v2');
    expect(cache.stats().refreshes).toBe(1);
    await cache.close();
  });

  it("refreshAhead with the call's own ttl: the zone is a fraction of that ttl", async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1h' });
    const { state, load } = controlledLoader();
    const options = { ttl: '10s', refreshAhead: 0.5 } as const;
    await cache.getOrSet('k', load, options);
    clock.advance(4_000); // 6 s left of 10: not in the zone
    await cache.getOrSet('k', load, options);
    await flush();
    expect(state.loads).toBe(1);
    clock.advance(2_000); // 4 s left: in the zone
    await cache.getOrSet('k', load, options);
    await flush();
    expect(state.loads).toBe(2);
    await cache.close();
  });

  it('timeout.hard for one call rejects with LoadTimeoutError naming the cache; the load is stored later', async () => {
    jest.useFakeTimers({ doNotFake: ['performance'] });
    const cache = new Cache({ ttl: '1m' });
    const { state, load } = controlledLoader();
    state.auto = false;
    const outcome = cache.getOrSet('k', load, { timeout: { hard: '2s' } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await jest.advanceTimersByTimeAsync(2_000);
    const error = await outcome;
    expect(error).toBeInstanceOf(LoadTimeoutError);
    expect((error as Error).message).toMatch(/Cache\(cache\).*timeout\.hard \(2000 ms\)/);
    state.pending[0]!.resolve('late');
    await flush();
    expect(await cache.get('k')).toBe('late');
    expect(cache.stats().timeouts).toBe(1);
    await cache.close();
  });

  it('failSafe with retryAfter for one call serves the expired value and throttles the loader', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '30s' });
    const { state, load } = controlledLoader();
    const options = { failSafe: { window: '10m', retryAfter: '1m' } } as const;
    expect(await cache.getOrSet('k', load, options)).toBe('v1');
    clock.advance(31_000);
    state.fail = true;
    expect(await cache.getOrSet('k', load, options)).toBe('v1');
    expect(state.loads).toBe(2);
    clock.advance(30_000);
    expect(await cache.getOrSet('k', load, options)).toBe('v1'); // throttled: the loader is not called
    expect(state.loads).toBe(2);
    expect(cache.stats().failSafeServed).toBe(1);
    await cache.close();
  });

  it('jitter for one call spreads the TTLs of the entries it writes', async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '10s' });
    const keys = Array.from({ length: 200 }, (_, i) => `k${i}`);
    for (const key of keys) await cache.getOrSet(key, async () => key, { jitter: 0.5 });
    clock.advance(5_001); // below 1 − 0.5 of the TTL: every entry is alive
    expect((await Promise.all(keys.map((k) => cache.has(k)))).every(Boolean)).toBe(true);
    clock.advance(5_000); // 10 s: some expired (shortened), some alive (lengthened)
    const alive = (await Promise.all(keys.map((k) => cache.has(k)))).filter(Boolean).length;
    expect(alive).toBeGreaterThan(0);
    expect(alive).toBeLessThan(keys.length);
    clock.advance(5_000); // past 1 + 0.5 of the TTL: every entry expired
    expect((await Promise.all(keys.map((k) => cache.has(k)))).some(Boolean)).toBe(false);
    await cache.close();
  });

  it("a call's options override only what they state: the cache's failSafe stays", async () => {
    const clock = new FakeClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1m', failSafe: '1h' });
    const { state, load } = controlledLoader();
    await cache.getOrSet('k', load, { refreshAhead: 0.9 });
    clock.advance(2 * 60_000);
    state.fail = true;
    expect(await cache.getOrSet('k', load, { refreshAhead: 0.9 })).toBe('v1'); // served by the cache's failSafe
    await cache.close();
  });

  it('bad options reject with a TypeError naming the call and the option; the loader is not called', async () => {
    const cache = new Cache({ ttl: '1m' });
    const { state, load } = controlledLoader();
    await expect(cache.getOrSet('k', load, { refreshAhead: 1.5 })).rejects.toThrow(
      /Cache\(cache\)\.getOrSet: option "refreshAhead" must be a number strictly between 0 and 1/,
    );
    await expect(cache.getOrSet('k', load, { timeout: { soft: '2s', hard: '1s' } })).rejects.toThrow(
      /Cache\(cache\)\.getOrSet.*soft/,
    );
    await expect(
      cache.getOrSet('k', load, { staleWhileRevalidat: '1m' } as unknown as GetOrSetOptions),
    ).rejects.toThrow(/Cache\(cache\)\.getOrSet.*staleWhileRevalidat/);
    const untimed = new Cache();
    await expect(untimed.getOrSet('k', load, { staleWhileRevalidate: '1m' })).rejects.toThrow(
      /getOrSet: option "staleWhileRevalidate" needs entries that expire/,
    );
    const nothingKept = new Cache({ store: new MapStore(), ttl: '1m' });
    await expect(nothingKept.getOrSet('k', load, { staleWhileRevalidate: '1m' })).rejects.toThrow(
      'Cache(cache).getOrSet: option "staleWhileRevalidate" needs a store that keeps expired entries',
    );
    await expect(nothingKept.getOrSet('k', load, { failSafe: '1m' })).rejects.toThrow(
      'Cache(cache).getOrSet: option "failSafe" needs a store that keeps expired entries',
    );
    expect(state.loads).toBe(0);
    await Promise.all([cache.close(), untimed.close(), nothingKept.close()]);
  });
});

describe('ctx.tags: tags a loader sets from what it loaded', () => {
  it('tags the entry; invalidating the tag removes it', async () => {
    const cache = new Cache({ ttl: '1m' });
    let loads = 0;
    const order = (id: number) =>
      cache.getOrSet(`order:${id}`, async (ctx) => {
        loads++;
        ctx.tags = [`customer:${id % 2}`];
        return { id, customer: id % 2 };
      });
    await order(1);
    await order(2);
    await order(3);
    expect(loads).toBe(3);
    await cache.invalidateTags(['customer:1']);
    await order(1);
    await order(2);
    await order(3);
    expect(loads).toBe(5); // orders 1 and 3 reloaded; 2 kept
    await cache.close();
  });

  it("replaces the call's tags", async () => {
    const cache = new Cache({ ttl: '1m' });
    await cache.getOrSet(
      'k',
      async (ctx) => {
        ctx.tags = ['from-loader'];
        return 'v';
      },
      { tags: ['from-call'] },
    );
    await cache.invalidateTags(['from-call']);
    expect(await cache.has('k')).toBe(true);
    await cache.invalidateTags(['from-loader']);
    expect(await cache.has('k')).toBe(false);
    await cache.close();
  });

  it('a tag invalidated while the loader runs keeps the entry out', async () => {
    const cache = new Cache({ ttl: '1m' });
    const gate = deferred<void>();
    const call = cache.getOrSet('k', async (ctx) => {
      await gate.promise;
      ctx.tags = ['t'];
      return 'v';
    });
    await flush();
    await cache.invalidateTags(['t']);
    gate.resolve();
    expect(await call).toBe('v');
    expect(await cache.has('k')).toBe(false);
    await cache.close();
  });

  it('bad tags: the caller gets the value, nothing is cached, and the error is reported', async () => {
    const cache = new Cache({ ttl: '1m' });
    const errors: unknown[] = [];
    const off = cache.events.on('error', (e) => errors.push(e.error));
    const value = await cache.getOrSet('k', async (ctx) => {
      ctx.tags = [''] as readonly string[];
      return 'v';
    });
    expect(value).toBe('v');
    expect(await cache.has('k')).toBe(false);
    expect(String(errors[0])).toMatch(/getOrSet: ctx\.tags/);
    off();
    await cache.close();
  });
});
