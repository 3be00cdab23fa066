import { describe, expect, it } from '@jest/globals';
import { AsyncLRU, AsyncTTL, Cache, cacheStats, InvalidateTags, invalidateTags, MemoryStore } from '../../lib/index.js';
import { deferred, flush } from '../helpers/deferred.js';

describe('tags (seed 002 agent cache resource tagging), memory store', () => {
  it('invalidateTags removes every entry with the tag across methods, without touching others', async () => {
    const store = new MemoryStore();
    let loads = 0;
    class Shop {
      @AsyncLRU({ store, tags: ([userId]: [string]) => [`user:${userId}`] })
      async cart(userId: string): Promise<string> {
        loads++;
        return `cart of ${userId}`;
      }
      @AsyncTTL({ store, tags: ([userId]: [string]) => [`user:${userId}`, 'orders'] })
      async orders(userId: string): Promise<string> {
        loads++;
        return `orders of ${userId}`;
      }
    }
    const shop = new Shop();
    await Promise.all([shop.cart('u1'), shop.orders('u1'), shop.cart('u2'), shop.orders('u2')]);
    expect(loads).toBe(4);
    await invalidateTags(['user:u1']);
    await Promise.all([shop.cart('u1'), shop.orders('u1'), shop.cart('u2'), shop.orders('u2')]);
    expect(loads).toBe(6); // only u1's two entries reloaded
    await invalidateTags(['orders']);
    await Promise.all([shop.cart('u1'), shop.orders('u1'), shop.cart('u2'), shop.orders('u2')]);
    expect(loads).toBe(8);
    expect(cacheStats(shop.cart).hits).toBe(3); // u2 in round 2, u1 and u2 in round 3
  });

  it('manual set with tags and cache.invalidateTags, across scopes of one store', async () => {
    const cache = new Cache();
    const carts = cache.scope('carts');
    await cache.set('profile:u1', 'p', { tags: ['user:u1'] });
    await carts.set('u1', 'c', { tags: ['user:u1'] });
    await carts.set('u2', 'c2', { tags: ['user:u2'] });
    await cache.invalidateTags(['user:u1']);
    expect(await cache.has('profile:u1')).toBe(false);
    expect(await carts.get('u1')).toBeUndefined();
    expect(await carts.get('u2')).toBe('c2');
  });

  it('getOrSet with tags: a load in flight when its tag is invalidated never becomes reachable', async () => {
    const cache = new Cache();
    const gate = deferred<string>();
    const loading = cache.getOrSet('k', () => gate.promise, { tags: ['t'] });
    await flush();
    await cache.invalidateTags(['t']);
    gate.resolve('old');
    expect(await loading).toBe('old');
    expect(await cache.get('k')).toBeUndefined();
    expect(await cache.getOrSet('k', async () => 'new', { tags: ['t'] })).toBe('new');
    expect(await cache.get('k')).toBe('new');
  });

  it('@InvalidateTags (seed 003 AgentCacheInvalidator): evicts before the mutation and keeps in-flight loads out', async () => {
    const db = new Map([['u1', ['pen']]]);
    const readGates: ReturnType<typeof deferred<void>>[] = [];
    let loads = 0;
    class CartService {
      @AsyncTTL({ ttl: '1m', tags: ([userId]: [string]) => [`cart:${userId}`] })
      async getCart(userId: string): Promise<string[]> {
        loads++;
        const snapshot = [...(db.get(userId) ?? [])];
        const gate = readGates.shift();
        if (gate) await gate.promise;
        return snapshot;
      }

      @InvalidateTags(([userId]: [string, string]) => [`cart:${userId}`])
      async addToCart(userId: string, item: string): Promise<number> {
        db.set(userId, [...(db.get(userId) ?? []), item]);
        return db.get(userId)?.length ?? 0;
      }

      @InvalidateTags(['cart:u1'])
      async failingClear(): Promise<void> {
        db.set('u1', []);
        throw new Error('partial failure');
      }
    }
    const svc = new CartService();
    expect(await svc.getCart('u1')).toEqual(['pen']); // cached
    const gate = deferred<void>();
    readGates.push(gate);
    await svc.getCart('u1'); // hit, no gate consumed
    expect(loads).toBe(1);
    await invalidateTags(['cart:u1']);
    const stale = svc.getCart('u1'); // snapshot ['pen'], parked
    await flush();
    expect(await svc.addToCart('u1', 'laptop')).toBe(2); // result passes through
    gate.resolve();
    expect(await stale).toEqual(['pen']);
    expect(await svc.getCart('u1')).toEqual(['pen', 'laptop']);
    await expect(svc.failingClear()).rejects.toThrow('partial failure');
    expect(await svc.getCart('u1')).toEqual([]);
  });

  it('rejects malformed tags with messages naming them', async () => {
    expect(() => {
      class Bad {
        @AsyncLRU({ tags: [''] })
        async get(): Promise<number> {
          return 1;
        }
      }
      return Bad;
    }).toThrow(/option "tags".*must be an array of non-empty strings/);
    await expect(invalidateTags('user:1' as never)).rejects.toThrow(/invalidateTags: tags must be an array/);
    class FnTags {
      @AsyncLRU({ tags: () => [42] as never })
      async get(): Promise<number> {
        return 1;
      }
    }
    const svc = new FnTags();
    expect(await svc.get()).toBe(1); // the value still reaches the caller...
    expect(cacheStats(svc.get)).toMatchObject({ size: 0, storeErrors: 1 }); // ...uncached, the error counted
  });

  it('stays bounded: past 100,000 remembered tags, older tagged entries are treated as invalid (never stale)', async () => {
    const cache = new Cache();
    await cache.set('old', 'value', { tags: ['keep-me'] });
    for (let i = 0; i < 100_001; i++) await cache.invalidateTags([`t${i}`]);
    expect(await cache.get('old')).toBeUndefined();
    await cache.set('new', 'value', { tags: ['keep-me'] });
    expect(await cache.get('new')).toBe('value');
  });
});
