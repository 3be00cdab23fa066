import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { AsyncLRU, LRUInvalidator } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis.js';
import { CacheModule, CacheService } from '../../../nest-module/index.js';
import { eventually, rawClient, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

// Lives under test/redis (not test/nest) because it needs the private Redis of jest's global setup.

let loads = 0;
const rows = new Map<number, string>([[1, 'v1']]);

@Injectable()
class ProductsService {
  @AsyncLRU({ store: 'redis' })
  async getProduct(id: number): Promise<string | undefined> {
    loads++;
    return rows.get(id);
  }
}

@Injectable()
class AdminService {
  @LRUInvalidator(() => ProductsService.prototype.getProduct)
  async rename(id: number, name: string): Promise<void> {
    rows.set(id, name);
  }
}

const opened: TestingModule[] = [];
async function app(prefix: string): Promise<TestingModule> {
  @Module({ providers: [ProductsService, AdminService], exports: [ProductsService, AdminService] })
  class CatalogModule {}
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheModule.forRoot({ stores: { redis: `${testRedisUrl()}?prefix=${prefix}` }, isGlobal: true }),
      CatalogModule,
    ],
  }).compile();
  await moduleRef.init();
  opened.push(moduleRef);
  const store = moduleRef.get(CacheService).getStore('redis') as RedisStore;
  if (!(await store.ready(5000))) throw new Error('Redis store did not connect');
  return moduleRef;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((m) => m.close()));
});

describe('CacheModule with a named Redis store (real server)', () => {
  it('two apps with different prefixes on one Redis never read, invalidate or clear each other', async () => {
    const [pa, pb] = [uniquePrefix('app-a'), uniquePrefix('app-b')];
    const [a, b] = [await app(pa), await app(pb)];
    loads = 0;
    rows.set(1, 'v1');
    rows.set(2, 'w1');
    const storeOf = (m: TestingModule) => m.get(CacheService).getStore('redis').namespace('ProductsService.getProduct');
    expect(await a.get(ProductsService).getProduct(1)).toBe('v1');
    expect(await b.get(ProductsService).getProduct(1)).toBe('v1');
    expect(await b.get(ProductsService).getProduct(2)).toBe('w1');
    expect(loads).toBe(3); // b did not read a's entry
    await eventually(
      async () =>
        (await storeOf(a).has?.(1)) === true &&
        (await storeOf(b).has?.(1)) === true &&
        (await storeOf(b).has?.(2)) === true,
    );

    // Every command the server runs while a invalidates and clears its own entries.
    const client = rawClient();
    const monitor = await client.monitor();
    const commands: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => commands.push(args));
    try {
      const cache = a.get(CacheService);
      expect(await cache.invalidateCache(a.get(ProductsService).getProduct, 1)).toBe(true);
      await cache.clearCache(a.get(ProductsService).getProduct);
      await storeOf(a).clear();
      await a.get(CacheService).getStore('redis').clear();
      await eventually(() => commands.some((c) => c.join(' ').includes(pa)), 2000, 5);
    } finally {
      monitor.disconnect();
      client.disconnect();
    }
    expect(commands.filter((c) => /^flush(db|all)$/i.test(c[0] ?? ''))).toEqual([]);
    expect(commands.filter((c) => c.join(' ').includes(pb))).toEqual([]);

    expect(await storeOf(a).has?.(1)).toBe(false);
    expect(await storeOf(b).has?.(1)).toBe(true);
    expect(await storeOf(b).has?.(2)).toBe(true);
    expect(await b.get(ProductsService).getProduct(1)).toBe('v1');
    expect(await b.get(ProductsService).getProduct(2)).toBe('w1');
    expect(loads).toBe(3); // b's entries survived everything a did
  });

  it('two apps on one Redis share entries; an invalidator in one is seen by the other', async () => {
    const prefix = uniquePrefix('nest');
    const [one, two] = [await app(prefix), await app(prefix)];
    loads = 0;
    rows.set(1, 'v1');
    expect(await one.get(ProductsService).getProduct(1)).toBe('v1');
    // the write landed in Redis before the call resolved
    const shared = two.get(CacheService).getStore('redis').namespace('ProductsService.getProduct');
    expect(await shared.has?.(1)).toBe(true);
    expect(await two.get(ProductsService).getProduct(1)).toBe('v1'); // from Redis, no load
    expect(loads).toBe(1);
    await two.get(AdminService).rename(1, 'v2');
    expect(await one.get(ProductsService).getProduct(1)).toBe('v2');
    expect(loads).toBe(2);
    const stats = one.get(CacheService).stats();
    expect(stats.find((s) => s.id === 'ProductsService.getProduct')).toMatchObject({ store: 'redis' });
  });

  it('closes the Redis connection of a store it created, on application shutdown', async () => {
    const moduleRef = await app(uniquePrefix('nest-close'));
    const store = moduleRef.get(CacheService).getStore('redis') as RedisStore;
    expect(store.redisStats().available).toBe(true);
    opened.splice(opened.indexOf(moduleRef), 1);
    await moduleRef.close();
    expect(store.redisStats().available).toBe(false);
    expect(await store.ready(200)).toBe(false);
  });
});
