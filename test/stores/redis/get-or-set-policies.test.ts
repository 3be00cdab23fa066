import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { Cache, MemoryStore, type CacheStore } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { deferred, FakeClock, type Deferred } from '../../helpers/deferred.js';
import { connectedStore, entryKeys, eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/**
 * Freshness policies stated per `getOrSet` call, and `ctx.tags`, on a real
 * Redis (a private server) and on the tiered store over it. Redis keeps its
 * own clock: an entry is moved into its stale window or refresh zone with
 * PEXPIRE instead of waiting.
 */
const closing: { close(): Promise<void> }[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(closing.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

const MINUTE = 60_000;

/** A store under test; `dropL1()` lets this process's in-memory copies expire (tiered), so the next read goes to Redis. */
interface Opened {
  readonly store: CacheStore;
  readonly prefix: string;
  readonly dropL1: () => void;
}

async function redisStore(label: string): Promise<Opened> {
  const prefix = uniquePrefix(label);
  const store = await connectedStore({ label, prefix });
  closing.push(store);
  return { store, prefix, dropL1: () => {} };
}

async function tieredStore(label: string): Promise<Opened> {
  const prefix = uniquePrefix(label);
  const clock = new FakeClock();
  const store = new TieredStore({ redis: { url: testRedisUrl(), prefix }, l1: new MemoryStore({ clock }) });
  closing.push(store);
  expect(await store.ready(5000)).toBe(true);
  return { store, prefix, dropL1: () => clock.advance(MINUTE + 1) };
}

function raw(): Redis {
  const client = rawClient();
  clients.push(client);
  return client;
}

/** A loader the test settles by hand once `auto` is off. */
function loader() {
  const state = { loads: 0, auto: true, pending: [] as Deferred<string>[] };
  const load = (): Promise<string> => {
    state.loads++;
    if (state.auto) return Promise.resolve(`v${state.loads}`);
    const d = deferred<string>();
    state.pending.push(d);
    return d.promise;
  };
  return { state, load };
}

describe.each([
  ['Redis', (label: string) => redisStore(label)],
  ['tiered', (label: string) => tieredStore(label)],
])('getOrSet policies per call on the %s store', (_name, open) => {
  it('staleWhileRevalidate for one call: Redis keeps the entry for its window; an expired read is served at once', async () => {
    const { store, prefix, dropL1 } = await open('call-swr');
    const redis = raw();
    const cache = new Cache({ store, ttl: '1m' });
    const { state, load } = loader();
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
    const { state, load } = loader();
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
    const a = await tieredStore('ctx-tags-peers');
    const b = new TieredStore({ redis: { url: testRedisUrl(), prefix: a.prefix } });
    closing.push(b);
    expect(await b.ready(5000)).toBe(true);
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
