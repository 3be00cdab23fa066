import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { AsyncTTL, cacheStats, MemoryStore, TTLInvalidator } from '../../../lib/index.js';
import { TieredStore } from '../../../lib/tiered.js';
import { deferred, FakeClock, type Deferred } from '../../helpers/deferred.js';
import { entryKeys, eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

/**
 * staleWhileRevalidate on the tiered store: L1 runs on an injected clock, and
 * the Redis entry is moved into its stale window with PEXPIRE (Redis keeps its
 * own clock), so nothing waits for an expiry.
 */
const opened: TieredStore[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

const MINUTE = 60_000;

describe('staleWhileRevalidate on the tiered store', () => {
  it('serves the expired value from Redis at once, reloads once, and never serves it after an invalidation', async () => {
    const prefix = uniquePrefix('tiered-swr');
    const clock = new FakeClock();
    const store = new TieredStore({ redis: { url: testRedisUrl(), prefix }, l1: new MemoryStore({ clock }) });
    opened.push(store);
    expect(await store.ready(5000)).toBe(true);
    const raw = rawClient();
    clients.push(raw);
    const state = { loads: 0, auto: true, pending: [] as Deferred<string>[] };
    class Catalog {
      @AsyncTTL({ ttl: '1m', staleWhileRevalidate: '10m', store })
      async item(id: string): Promise<string> {
        state.loads++;
        if (state.auto) return `${id}:${state.loads}`;
        const d = deferred<string>();
        state.pending.push(d);
        return d.promise;
      }

      @TTLInvalidator(() => Catalog.prototype.item)
      async rename(_id: string): Promise<void> {}
    }
    const svc = new Catalog();
    const entryKey = async (): Promise<string> => {
      const [key] = await entryKeys(raw, prefix);
      if (key === undefined) throw new Error('no entry in Redis');
      return key;
    };

    expect(await svc.item('a')).toBe('a:1');
    await raw.pexpire(await entryKey(), 5 * MINUTE); // in Redis: expired 5 minutes ago
    clock.advance(MINUTE + 1); // the L1 copy has expired too
    state.auto = false;
    expect(await svc.item('a')).toBe('a:1');
    await eventually(() => state.pending.length === 1);
    expect(await svc.item('a')).toBe('a:1'); // the reload is still running: same value, no second reload
    expect(state.pending).toHaveLength(1);
    state.pending[0]!.resolve('a:2');
    await eventually(async () => (await svc.item('a')) === 'a:2');
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 1 });

    // Expired again, then invalidated: the next call waits for a fresh load.
    await raw.pexpire(await entryKey(), 5 * MINUTE);
    clock.advance(MINUTE + 1);
    await svc.rename('a');
    const call = svc.item('a');
    await eventually(() => state.pending.length === 2);
    state.pending[1]!.resolve('a:3');
    expect(await call).toBe('a:3');
  });

  it('refreshAhead: a process that re-reads Redis (its L1 copy expired) reloads an entry in the refresh zone', async () => {
    const prefix = uniquePrefix('tiered-ahead');
    const clock = new FakeClock();
    const store = new TieredStore({
      redis: { url: testRedisUrl(), prefix },
      l1: new MemoryStore({ clock }),
      l1Ttl: '10s',
    });
    opened.push(store);
    expect(await store.ready(5000)).toBe(true);
    const raw = rawClient();
    clients.push(raw);
    let loads = 0;
    class Catalog {
      @AsyncTTL({ ttl: '1m', refreshAhead: 0.5, store })
      async item(id: string): Promise<string> {
        loads++;
        return `${id}:${loads}`;
      }
    }
    const svc = new Catalog();
    expect(await svc.item('a')).toBe('a:1');
    const [key] = await entryKeys(raw, prefix);
    expect(key).toBeDefined();
    await raw.pexpire(key!, 20_000); // 20 s left of 60: inside the refresh zone (the last 30 s)
    expect(await svc.item('a')).toBe('a:1'); // an L1 hit: L1 does not know the entry's age
    clock.advance(10_001); // the L1 copy expired
    expect(await svc.item('a')).toBe('a:1'); // read from Redis, found in the refresh zone
    await eventually(async () => {
      clock.advance(10_001);
      return (await svc.item('a')) === 'a:2';
    });
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 1 });
  });
});
