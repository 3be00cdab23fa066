import { afterAll, describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { AsyncTTL, cacheStats, TTLInvalidator } from '../../../lib/index.js';
import type { RedisStore } from '../../../lib/stores/redis/index.js';
import { deferred, type Deferred } from '../../helpers/deferred.js';
import { connectedStore, entryKeys, eventually, rawClient, uniquePrefix } from '../../setup/redis-env.js';

/**
 * Freshness policies on a real Redis (a private server). Redis keeps its own
 * clock, so instead of waiting for an expiry the tests move an entry into its
 * stale window with PEXPIRE: the entry's header holds the window, and an entry
 * whose PTTL is at most the window is expired.
 */
const stores: RedisStore[] = [];
const clients: Redis[] = [];
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  for (const c of clients) c.disconnect();
});

const MINUTE = 60_000;

async function setup(label: string) {
  const prefix = uniquePrefix(label);
  const store = await connectedStore({ label, prefix });
  stores.push(store);
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
  return { svc: new Catalog(), state, raw, entryKeys: () => entryKeys(raw, prefix) };
}

describe('staleWhileRevalidate on the Redis store', () => {
  it('keeps the entry for ttl + window, serves it at once when expired, and reloads it once', async () => {
    const { svc, state, raw, entryKeys } = await setup('swr');
    expect(await svc.item('a')).toBe('a:1');
    const [key] = await entryKeys();
    expect(key).toBeDefined();
    const pttl = await raw.pttl(key!);
    expect(pttl).toBeGreaterThan(10 * MINUTE);
    expect(pttl).toBeLessThanOrEqual(11 * MINUTE); // the window, and not longer
    await raw.pexpire(key!, 5 * MINUTE); // expired 5 minutes ago: inside the window

    state.auto = false;
    expect(await Promise.all([svc.item('a'), svc.item('a')])).toEqual(['a:1', 'a:1']);
    expect(state.pending).toHaveLength(1);
    state.pending[0]!.resolve('a:2');
    await eventually(async () => (await svc.item('a')) === 'a:2');
    expect(state.loads).toBe(2);
    expect(cacheStats(svc.item)).toMatchObject({ refreshes: 1 });
    expect(cacheStats(svc.item).staleWhileRevalidateServed).toBeGreaterThanOrEqual(2);
  });

  it('makes callers wait once the window has passed, and never serves an invalidated entry', async () => {
    const { svc, state, raw, entryKeys } = await setup('swr-gone');
    await svc.item('a');
    const [key] = await entryKeys();
    await raw.pexpire(key!, 5 * MINUTE);
    await svc.rename('a'); // deletes it, stale or not
    state.auto = false;
    const call = svc.item('a');
    await eventually(() => state.pending.length === 1);
    state.pending[0]!.resolve('a:fresh');
    expect(await call).toBe('a:fresh');
    expect(cacheStats(svc.item).staleWhileRevalidateServed).toBe(0);
  });

  it('a stale read reports how long ago the entry expired (a negative expiresIn); a fresh one what is left', async () => {
    const { raw, entryKeys } = await setup('swr-age');
    const store = stores.at(-1)!;
    await store.set('k', 'v', { ttl: MINUTE, failSafe: 10 * MINUTE });
    const fresh = await store.getFailSafe('k');
    expect(fresh?.expiresIn).toBeGreaterThan(MINUTE - 5_000);
    expect(fresh?.expiresIn).toBeLessThanOrEqual(MINUTE);
    const [key] = await entryKeys();
    await raw.pexpire(key!, 4 * MINUTE); // window 10 min: expired 6 min ago
    const stale = await store.getFailSafe('k');
    expect(stale?.value).toBe('v');
    expect(stale?.expiresIn).toBeLessThanOrEqual(-6 * MINUTE);
    expect(stale?.expiresIn).toBeGreaterThan(-6 * MINUTE - 5_000);
    expect(await store.get('k')).toBeUndefined();
    await store.set('forever', 'w');
    expect((await store.getFailSafe('forever'))?.expiresIn).toBeUndefined();
  });

  it('refreshAhead with lease: a hit read under the lease in the refresh zone starts one background reload', async () => {
    const prefix = uniquePrefix('ahead-lease');
    const store = await connectedStore({ label: 'ahead-lease', prefix });
    stores.push(store);
    const raw = rawClient();
    clients.push(raw);
    let loads = 0;
    class Rates {
      @AsyncTTL({ ttl: '1m', refreshAhead: 0.5, lease: true, store })
      async rate(currency: string): Promise<string> {
        loads++;
        return `${currency}:${loads}`;
      }
    }
    const svc = new Rates();
    expect(await svc.rate('EUR')).toBe('EUR:1');
    expect(await svc.rate('EUR')).toBe('EUR:1'); // 60 s left of 60: no reload
    expect(loads).toBe(1);
    const [key] = await entryKeys(raw, prefix);
    await raw.pexpire(key!, 20_000); // 20 s left: inside the refresh zone (the last 30 s)
    expect(await svc.rate('EUR')).toBe('EUR:1'); // the current value, at once
    await eventually(async () => (await svc.rate('EUR')) === 'EUR:2');
    expect(cacheStats(svc.rate)).toMatchObject({ refreshes: 1, loads: 2 });
  });
});
