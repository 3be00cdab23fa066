/**
 * A store with only the small contract (get, set, delete, clear, getMany,
 * setMany, namespace, close, kind, name) plugs into decorators and Cache; the
 * capabilities it lacks are done without, or refused with an error naming them.
 */
import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, AsyncTTL, Cache, cacheStats, invalidateCache, type CacheStore } from '../../lib/index.js';
import { MapStore } from '../testing/map-store.js';

describe('a store with only the small contract', () => {
  it('caches a decorated method: a miss, then hits, and an invalidation by key', async () => {
    const store = new MapStore();
    let loads = 0;
    class Users {
      @AsyncLRU({ store })
      async get(id: number): Promise<{ id: number }> {
        loads++;
        return { id };
      }
    }
    const users = new Users();
    const first = await users.get(1);
    expect(await users.get(1)).toBe(first);
    expect(await users.get(1)).toBe(first);
    expect(loads).toBe(1);
    expect(cacheStats(users.get)).toMatchObject({ hits: 2, misses: 1, size: 0, evictions: 0 });
    expect((await store.namespace('Users.get').get(1))?.value).toEqual({ id: 1 });
    expect(await invalidateCache(users.get, 1)).toBe(true);
    expect(await store.namespace('Users.get').get(1)).toBeUndefined();
    expect(await users.get(1)).not.toBe(first);
    expect(loads).toBe(2);
  });

  it('serves Cache.get/set/getOrSet, answers has() through get, and refuses setIfNotExists and expireIn by name', async () => {
    const cache = new Cache<string>({ store: new MapStore(), prefix: 'small' });
    await cache.set('a', 'x');
    expect(await cache.get('a')).toBe('x');
    expect(await cache.has('a')).toBe(true);
    expect(await cache.has('b')).toBe(false);
    expect(await cache.getOrSet('b', async () => 'loaded')).toBe('loaded');
    await expect(cache.setIfNotExists('c', 'y')).rejects.toThrow(TypeError);
    await expect(cache.setIfNotExists('c', 'y')).rejects.toThrow(
      'Cache(small).setIfNotExists: the "map" store has no setIfNotExists()',
    );
    await expect(cache.expireIn('a', '1m')).rejects.toThrow('Cache(small).expireIn: the "map" store has no expireIn()');
    expect(await cache.get('c')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ size: 0 });
  });

  it('refuses failSafe on a method bound to it, naming the method and the option', async () => {
    const store: CacheStore = new MapStore();
    class Rates {
      @AsyncTTL({ store, ttl: '1m', failSafe: '5m' })
      async rate(currency: string): Promise<number> {
        return currency.length;
      }
    }
    await expect(new Rates().rate('EUR')).rejects.toThrow(TypeError);
    await expect(new Rates().rate('EUR')).rejects.toThrow(
      'Rates.rate: option "failSafe" needs a store that keeps expired entries for fail-safe reads (getFailSafe()), and the "map" store has none.',
    );
    expect(() => new Cache({ store, ttl: '1m', failSafe: '5m' })).toThrow(/option "failSafe" needs a store/);
  });
});
