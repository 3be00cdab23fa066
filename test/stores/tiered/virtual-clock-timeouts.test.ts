import { afterAll, describe, expect, it } from '@jest/globals';
import { Cache, LoadTimeoutError, MemoryStore } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { VirtualClock } from '../../../lib/testing/index.js';
import { flush } from '../../helpers/deferred.js';
import { controlledLoader } from '../../helpers/loader.js';
import { entryKeys, eventually, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';
import { closeOpened, raw, track } from '../../setup/shared-stores.js';

/**
 * A tiered store whose L1 runs on the test kit's VirtualClock: the load
 * timeouts of what is cached in it fire when the test moves the clock, over
 * a real (private) Redis. The timeouts are an hour long: a real timer would
 * never fire within the test.
 */
afterAll(closeOpened);

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function openTieredOn(clock: VirtualClock, prefix: string): Promise<TieredStore> {
  const store = track(new TieredStore({ redis: { url: testRedisUrl(), prefix }, l1: new MemoryStore({ clock }) }));
  expect(await store.ready(5000)).toBe(true);
  return store;
}

describe('a tiered store with a virtual L1 clock', () => {
  it('its clock drives timeout.hard: the call rejects when the clock passes it; the load is stored in Redis when done', async () => {
    const clock = new VirtualClock();
    const store = await openTieredOn(clock, uniquePrefix('vc-hard'));
    expect(store.namespace('n').clock).toBe(clock);
    const cache = new Cache({ store, ttl: '1d', timeout: { hard: '1h' } });
    const { state, load } = controlledLoader();
    state.auto = false;
    const outcome = cache.getOrSet('k', load).then(
      () => 'resolved',
      (error: unknown) => error,
    );
    await eventually(() => state.loads === 1); // the load starts after L1 and Redis missed
    clock.advance(3_599_999);
    await flush();
    expect(await Promise.race([outcome, Promise.resolve('pending')])).toBe('pending');
    clock.advance(1);
    expect(await outcome).toBeInstanceOf(LoadTimeoutError);
    state.pending[0]!.resolve('late');
    await eventually(async () => (await cache.get('k')) === 'late');
    expect(clock.pendingTimers).toBe(0);
  });

  it('its clock drives timeout.soft: an expired entry within failSafe is served when the clock passes soft', async () => {
    const clock = new VirtualClock();
    const prefix = uniquePrefix('vc-soft');
    const store = await openTieredOn(clock, prefix);
    const cache = new Cache({ store, ttl: '1m', failSafe: '1d', timeout: { soft: '1h' } });
    const { state, load } = controlledLoader();
    expect(await cache.getOrSet('k', load)).toBe('v1');
    state.auto = false;
    // Redis keeps its own time: its copy is moved into the fail-safe window (expired 2 minutes ago) ...
    const redis = raw();
    const [key] = await entryKeys(redis, prefix);
    await redis.pexpire(key!, DAY - 2 * MINUTE);
    clock.advance(MINUTE + 1); // ... and L1's copy expires on the virtual clock
    const slow = cache.getOrSet('k', load);
    await eventually(() => state.loads === 2);
    clock.advance(3_600_000);
    expect(await slow).toBe('v1');
    expect(cache.stats()).toMatchObject({ timeouts: 1, timeoutServed: 1 });
  });
});
