import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { AsyncTTL, Cache, LoadTimeoutError } from '../../../lib/index.js';
import { controlledLoader } from '../../helpers/loader.js';
import { entryKeys, eventually } from '../../setup/redis-env.js';
import { closeOpened, raw, SHARED_STORES } from '../../setup/shared-stores.js';

/**
 * Load timeouts, the fail-safe throttle, jitter and a TTL from the value on a
 * real Redis (a private server) and on the tiered store over it, checked
 * where they land: what callers get, and each key's expiry in Redis. Redis
 * keeps its own clock: an entry is moved into its stale window with PEXPIRE
 * instead of waiting for it; a tiered process's L1 copies expire on an
 * injected clock. Loads are settled by the test; the timeouts are short real
 * timers that the calls under test await (no test sleeps).
 */
afterAll(closeOpened);

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** The PTTL of every entry under `prefix`. */
async function expiries(redis: Redis, prefix: string): Promise<number[]> {
  const keys = await entryKeys(redis, prefix);
  return Promise.all(keys.map((key) => redis.pttl(key)));
}

describe.each(SHARED_STORES)('freshness policies on the %s store', (_name, open) => {
  it('timeout.soft: a slow reload of an expired entry serves the fail-safe value; the reload is stored when done', async () => {
    const { store, prefix, dropL1 } = await open('soft');
    const redis = raw();
    const cache = new Cache({ store, ttl: '1m', failSafe: '10m', timeout: { soft: '30ms' } });
    const { state, load } = controlledLoader();
    expect(await cache.getOrSet('k', load)).toBe('v1');
    const [key] = await entryKeys(redis, prefix);
    await redis.pexpire(key!, 5 * MINUTE); // expired 5 minutes ago: inside the fail-safe window
    dropL1();
    state.auto = false;
    expect(await cache.getOrSet('k', load)).toBe('v1'); // past soft: the expired value
    expect(cache.stats()).toMatchObject({ timeouts: 1, timeoutServed: 1 });
    state.pending[0]!.resolve('v2');
    await eventually(async () => (await cache.get('k')) === 'v2');
    expect(state.loads).toBe(2);
  });

  it('timeout.hard: nothing to serve, the call rejects with LoadTimeoutError; the load is stored when done', async () => {
    const { store } = await open('hard');
    const cache = new Cache({ store, ttl: '1m', timeout: { hard: '30ms' } });
    const { state, load } = controlledLoader();
    state.auto = false;
    const error = await cache.getOrSet('k', load).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LoadTimeoutError);
    expect(error).toMatchObject({ code: 'E_LOAD_TIMEOUT', timeoutMs: 30 });
    state.pending[0]!.resolve('late');
    await eventually(async () => (await cache.get('k')) === 'late');
    expect(state.loads).toBe(1);
  });

  it('failSafe retryAfter: a failed reload serves the expired value and stores it for retryAfter, within the window', async () => {
    const { store, prefix, dropL1 } = await open('retry');
    const redis = raw();
    const cache = new Cache({ store, ttl: '1m', failSafe: { window: '10m', retryAfter: '30s' } });
    const { state, load } = controlledLoader();
    expect(await cache.getOrSet('k', load)).toBe('v1');
    const [key] = await entryKeys(redis, prefix);
    await redis.pexpire(key!, 8 * MINUTE); // expired 2 minutes ago: 8 minutes of the window left
    dropL1();
    state.fail = true;
    expect(await cache.getOrSet('k', load)).toBe('v1');
    expect(state.loads).toBe(2);
    // Stored again: fresh for 30 s, then stale until the original window ends (8 minutes from now).
    await eventually(async () => {
      const pttl = await redis.pttl(key!);
      return pttl > 7 * MINUTE && pttl <= 8 * MINUTE;
    });
    dropL1();
    expect(await cache.getOrSet('k', load)).toBe('v1'); // throttled: a fresh hit, the loader is not called
    expect(state.loads).toBe(2);
    expect(cache.stats().failSafeServed).toBe(1);
  });

  it('jitter: the entries written together expire at different times within ±jitter of the ttl', async () => {
    const { store, prefix } = await open('jitter');
    const redis = raw();
    const cache = new Cache({ store, ttl: '100s', jitter: 0.5 });
    await Promise.all(Array.from({ length: 40 }, (_, i) => cache.getOrSet(`k${i}`, async () => i)));
    const ttls = await expiries(redis, prefix);
    expect(ttls).toHaveLength(40);
    expect(Math.min(...ttls)).toBeGreaterThanOrEqual(50 * SECOND - 5 * SECOND); // a few seconds for the round trips
    expect(Math.max(...ttls)).toBeLessThanOrEqual(150 * SECOND);
    expect(new Set(ttls.map((t) => Math.round(t / SECOND))).size).toBeGreaterThan(5);
  });

  it('ttl as a function: each entry expires in Redis after the TTL its value chose', async () => {
    const { store, prefix } = await open('ttl-fn');
    const redis = raw();
    class Users {
      @AsyncTTL({ store, ttl: (user: string | null) => (user === null ? '10s' : '10m') })
      async find(id: number): Promise<string | null> {
        return id > 0 ? `user${id}` : null;
      }
    }
    const users = new Users();
    await users.find(0);
    const [missing] = await expiries(redis, prefix);
    expect(missing).toBeGreaterThan(5 * SECOND);
    expect(missing).toBeLessThanOrEqual(10 * SECOND);
    await users.find(1);
    const found = Math.max(...(await expiries(redis, prefix)));
    expect(found).toBeGreaterThan(9 * MINUTE);
    expect(found).toBeLessThanOrEqual(10 * MINUTE);
  });
});
