import { describe, expect, it } from '@jest/globals';
import { hostname } from 'node:os';
import {
  AsyncLRU,
  AsyncTTL,
  Cache,
  explainCache,
  invalidateCache,
  clearCache,
  MemoryStore,
  NullStore,
  type CacheExplanation,
} from '../../lib/index.js';
import { VirtualClock } from '../../lib/testing/index.js';

/** explain() on the memory store: where an entry is, its age, freshness and window, and its last invalidation. */
const THIS_PROCESS = `${hostname().slice(0, 64)}#${process.pid}`;
const MINUTE = 60_000;

describe('explainCache on a memory store', () => {
  it('a fresh entry: tier, age and TTL left on the store clock, then its refresh-ahead and stale windows', async () => {
    const clock = new VirtualClock();
    class Rates {
      @AsyncTTL({
        ttl: '10m',
        refreshAhead: 0.8,
        staleWhileRevalidate: '5m',
        failSafe: '1h',
        store: new MemoryStore({ clock }),
      })
      async rate(currency: string): Promise<number> {
        return currency.length;
      }
    }
    const rates = new Rates();
    await rates.rate('EUR');
    clock.advance(MINUTE);
    const first: CacheExplanation = await explainCache(rates.rate, 'EUR');
    expect(first).toEqual({
      key: 'EUR',
      store: 'memory',
      tier: 'memory',
      ageMs: MINUTE,
      ttlLeftMs: 9 * MINUTE,
      tags: [],
      window: 'fresh',
      lastInvalidation: null,
    });
    clock.advance(8 * MINUTE + 30_000); // 30 s left: below the refresh-ahead zone (the last 2 minutes)
    expect(await explainCache(rates.rate, 'EUR')).toMatchObject({ window: 'refresh-ahead', ttlLeftMs: 30_000 });
    clock.advance(2 * MINUTE); // expired 90 s ago: within stale-while-revalidate
    expect(await explainCache(rates.rate, 'EUR')).toMatchObject({
      window: 'stale-while-revalidate',
      ttlLeftMs: -90_000,
      ageMs: 11 * MINUTE + 30_000,
    });
    clock.advance(10 * MINUTE); // past SWR, within the fail-safe window
    expect(await explainCache(rates.rate, 'EUR')).toMatchObject({ window: 'fail-safe', tier: 'memory' });
    clock.advance(MINUTE * 60);
    expect(await explainCache(rates.rate, 'EUR')).toMatchObject({ window: 'absent', tier: null, ttlLeftMs: undefined });
  });

  it('reads only: explaining neither loads, nor counts, nor changes the LRU order', async () => {
    let loads = 0;
    class Users {
      @AsyncLRU({ maxSize: 2, store: new MemoryStore() })
      async get(id: number): Promise<number> {
        loads++;
        return id;
      }
    }
    const users = new Users();
    await users.get(1);
    await users.get(2);
    expect(await explainCache(users.get, 1)).toMatchObject({ tier: 'memory', ageMs: undefined, ttlLeftMs: undefined });
    expect(await explainCache(users.get, 3)).toMatchObject({ window: 'absent', tier: null });
    await users.get(3); // evicts the least recent: 1, as explaining 1 did not touch it
    expect((await explainCache(users.get, 1)).window).toBe('absent');
    expect((await explainCache(users.get, 2)).window).toBe('fresh');
    expect(loads).toBe(3);
  });

  it('an entry just invalidated is absent and names the invalidation: the key, or the namespace after a clear', async () => {
    class Users {
      @AsyncTTL({ ttl: '1m', store: new MemoryStore() })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const users = new Users();
    await users.get(1);
    const before = Date.now();
    await invalidateCache(users.get, 1);
    const explained = await explainCache(users.get, 1);
    expect(explained).toMatchObject({ window: 'absent', lastInvalidation: { kind: 'key', from: THIS_PROCESS } });
    expect(explained.lastInvalidation?.at).toBeGreaterThanOrEqual(before);
    expect(explained.lastInvalidation?.at).toBeLessThanOrEqual(Date.now());
    expect(explained.lastInvalidation?.traceId).toBeUndefined();
    expect((await explainCache(users.get, 2)).lastInvalidation).toBeNull();
    await users.get(1);
    await clearCache(users.get);
    expect((await explainCache(users.get, 2)).lastInvalidation).toMatchObject({
      kind: 'namespace',
      from: THIS_PROCESS,
    });
    expect((await explainCache(users.get, 1)).lastInvalidation?.kind).toBe('namespace');
  });

  it('each entry keeps its own age: TTLs that differ (jitter), expireIn, a namespace whose limits change', async () => {
    const clock = new VirtualClock();
    const store = new MemoryStore({ clock });
    class Feeds {
      @AsyncTTL({ ttl: '10m', jitter: 0.5, store })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    const feeds = new Feeds();
    await feeds.get(0);
    clock.advance(MINUTE);
    for (let id = 1; id < 20; id++) await feeds.get(id); // written a minute later, each with its own TTL
    clock.advance(MINUTE);
    const first = await explainCache(feeds.get, 0);
    expect(first.ageMs).toBe(2 * MINUTE);
    expect(first.ttlLeftMs).toBeGreaterThanOrEqual(5 * MINUTE - 2 * MINUTE);
    expect(first.ttlLeftMs).toBeLessThanOrEqual(15 * MINUTE - 2 * MINUTE);
    const ages = await Promise.all(
      Array.from({ length: 19 }, async (_, i) => (await explainCache(feeds.get, i + 1)).ageMs),
    );
    expect(new Set(ages)).toEqual(new Set([MINUTE]));

    // A new TTL from now on: the entry was still written two minutes ago.
    const cache = new Cache({ store, prefix: 'sessions', ttl: '10m' });
    await cache.set('s', 'v');
    clock.advance(2 * MINUTE);
    await store.namespace('sessions').expireIn('s', 30 * MINUTE);
    clock.advance(MINUTE);
    expect(await cache.explain('s')).toMatchObject({ ageMs: 3 * MINUTE, ttlLeftMs: 29 * MINUTE });
    await store.namespace('sessions').expireIn('s', undefined); // eternal from now on: no age, no TTL
    expect(await cache.explain('s')).toMatchObject({ ageMs: undefined, ttlLeftMs: undefined, window: 'fresh' });

    // A limit stated later rebuilds the namespace's LRU: ages and TTLs move with the entries.
    const limited = new Cache({ store, prefix: 'limited', ttl: '10m' });
    await limited.set('a', 1);
    clock.advance(MINUTE);
    store.namespace('limited', { maxSize: 10 });
    expect(await limited.explain('a')).toMatchObject({ ageMs: MINUTE, ttlLeftMs: 9 * MINUTE });
  });

  it('Cache.explain: tags of a tagged entry; a store without inspect answers from a read', async () => {
    const clock = new VirtualClock();
    const cache = new Cache({ store: new MemoryStore({ clock }), ttl: '1m', prefix: 'users' });
    await cache.set('u:1', { id: 1 }, { tags: ['user:1', 'team:7'] });
    expect(await cache.explain('u:1')).toMatchObject({
      key: 'u:1',
      tags: ['user:1', 'team:7'],
      ttlLeftMs: MINUTE,
      window: 'fresh',
    });
    await cache.invalidateTags(['team:7']);
    expect(await cache.explain('u:1')).toMatchObject({ window: 'absent', tags: [] });
    await expect(cache.explain({} as unknown as string)).rejects.toThrow(TypeError);

    const nothing = new Cache({ store: new NullStore(), prefix: 'nothing' });
    expect(await nothing.explain('k')).toEqual({
      key: 'k',
      store: 'null',
      tier: null,
      ageMs: undefined,
      ttlLeftMs: undefined,
      tags: [],
      window: 'absent',
      lastInvalidation: null,
    });
  });

  it('a method whose store is a CacheModule name and that no application bound is a TypeError saying what to use', async () => {
    class Remote {
      @AsyncTTL({ ttl: '1m', store: 'redis' })
      async get(id: number): Promise<number> {
        return id;
      }
    }
    await expect(explainCache(new Remote().get, 1)).rejects.toThrow(
      'explainCache(Remote.get): the method is not bound to a store in this process yet: its store is a CacheModule ' +
        'store name. Use CacheService.explain(method, ...args) in the application that binds it.',
    );
  });
});
