import { afterAll, describe, expect, it } from '@jest/globals';
import { Cache } from '../../../lib/index.js';
import { controlledLoader } from '../../helpers/loader.js';
import { entryKeys, eventually } from '../../setup/redis-env.js';
import { closeOpened, openTiered, raw, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * Freshness policies stated per `getOrSet` call, and `ctx.tags`, on a real
 * Redis (a private server) and on the tiered store over it. Redis keeps its
 * own clock: an entry is moved into its stale window or refresh zone with
 * PEXPIRE instead of waiting.
 */
afterAll(closeOpened);

const MINUTE = 60_000;

describe.each(SHARED_STORES)('getOrSet policies per call on the %s store', (_name, open) => {
  it('staleWhileRevalidate for one call: Redis keeps the entry for its window; an expired read is served at once', async () => {
    const { store, prefix, dropL1 } = await open('call-swr');
    const redis = raw();
    const cache = new Cache({ store, ttl: '1m' });
    const { state, load } = controlledLoader();
    const swr = { staleWhileRevalidate: '10m' } as const;
    expect(await cache.getOrSet('k', load, swr)).toBe('v1');
    const [key] = await entryKeys(redis, prefix);
    expect(key).toBeDefined();
    const pttl = await redis.pttl(key!);
    expect(pttl).toBeGreaterThan(10 * MINUTE); // ttl + the call's window
    expect(pttl).toBeLessThanOrEqual(11 * MINUTE);
    await redis.pexpire(key!, 5 * MINUTE); // expired 5 minutes ago
    dropL1();
    state.auto = false;
    expect(await cache.getOrSet('k', load, swr)).toBe('v1');
    await eventually(() => state.pending.length === 1);
    state.pending[0]!.resolve('v2');
    await eventually(async () => (await cache.getOrSet('k', load, swr)) === 'v2');
    expect(cache.stats()).toMatchObject({ refreshes: 1 });
  });

  it('refreshAhead for one call: a read in its zone reloads once in the background', async () => {
    const { store, prefix, dropL1 } = await open('call-ahead');
    const redis = raw();
    const cache = new Cache({ store, ttl: '1m' });
    const { state, load } = controlledLoader();
    expect(await cache.getOrSet('k', load)).toBe('v1');
    const [key] = await entryKeys(redis, prefix);
    await redis.pexpire(key!, 20_000); // 20 s left of 60
    dropL1();
    expect(await cache.getOrSet('k', load, { refreshAhead: 0.5 })).toBe('v1');
    await eventually(async () => (await cache.get('k')) === 'v2');
    expect(state.loads).toBe(2);
    expect(cache.stats().refreshes).toBe(1);
  });

  it('ctx.tags tags the entry in Redis: invalidating the tag removes it', async () => {
    const { store } = await open('ctx-tags');
    const cache = new Cache({ store, ttl: '1m' });
    let loads = 0;
    const order = (id: number) =>
      cache.getOrSet(`order:${id}`, async (ctx) => {
        loads++;
        ctx.tags = [`customer:${id % 2}`];
        return `order${id}`;
      });
    await order(1);
    await order(2);
    await cache.invalidateTags(['customer:1']);
    expect(await cache.has('order:1')).toBe(false);
    expect(await cache.has('order:2')).toBe(true);
    await order(1);
    await order(2);
    expect(loads).toBe(3);
  });
});

describe('ctx.tags across processes on the tiered store', () => {
  it("another process's tag invalidation drops this process's L1 copy", async () => {
    const a = await openTiered('ctx-tags-peers');
    const { store: b } = await openTiered('ctx-tags-peers', a.prefix);
    const here = new Cache({ store: a.store, ttl: '1m' });
    const there = new Cache({ store: b, ttl: '1m' });
    let loads = 0;
    const read = () =>
      here.getOrSet('profile', async (ctx) => {
        loads++;
        ctx.tags = ['user:7'];
        return `p${loads}`;
      });
    expect(await read()).toBe('p1');
    expect(await read()).toBe('p1'); // an L1 hit
    await there.invalidateTags(['user:7']);
    await eventually(async () => (await read()) === 'p2');
    expect(loads).toBe(2);
  });
});
