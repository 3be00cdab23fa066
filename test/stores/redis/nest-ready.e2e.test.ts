import 'reflect-metadata';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, Injectable, Param, ParseIntPipe, type INestApplication } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import request from 'supertest';
import { AsyncLRU, type CacheStore } from '../../../lib/index.js';
import { RedisStore } from '../../../lib/redis.js';
import { TieredStore } from '../../../lib/tiered.js';
import { CacheModule, CacheService, type CacheModuleOptions } from '../../../nest-module/index.js';
import { bootstrap, captureWarnings, closeAll, track } from '../../nest/helpers.js';
import { eventually, testRedisUrl, uniquePrefix } from '../../setup/redis-env.js';

// Ready when the app says it is ready: after app.init(), the module's Redis stores are connected, so
// the very first calls store their values. Under test/redis: it needs the private Redis of jest's setup.

let loads = 0;

@Injectable()
class ProductsService {
  @AsyncLRU({ store: 'redis' })
  async getProduct(id: number): Promise<string> {
    loads++;
    return `product ${id}`;
  }
}

@Injectable()
class DefaultStoreService {
  @AsyncLRU()
  async getProduct(id: number): Promise<string> {
    loads++;
    return `product ${id}`;
  }
}

@Controller('products')
class ProductsController {
  constructor(private readonly products: ProductsService) {}

  @Get(':id')
  async get(@Param('id', ParseIntPipe) id: number): Promise<{ name: string }> {
    return { name: await this.products.getProduct(id) };
  }
}

const readers: RedisStore[] = [];
const ownStores: CacheStore[] = [];

afterEach(async () => {
  await closeAll();
  await Promise.all([...readers.splice(0), ...ownStores.splice(0)].map((store) => store.close()));
});

/** A store of its own on `prefix`, connected, to read what the application wrote. */
async function readerOf(prefix: string): Promise<RedisStore> {
  const store = new RedisStore({ url: testRedisUrl(), prefix });
  readers.push(store);
  if (!(await store.ready(5000))) throw new Error('the reader store did not connect');
  return store;
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

/** The first call of `method` right after init stores its value in Redis, with nothing skipped. */
async function expectFirstValueStored(
  moduleRef: TestingModule,
  storeName: string,
  call: () => Promise<string>,
  namespace: string,
  prefix: string,
): Promise<void> {
  loads = 0;
  expect(await call()).toBe('product 1');
  expect(loads).toBe(1);
  const reader = (await readerOf(prefix)).namespace(namespace);
  await eventually(() => reader.has(1), 2000, 5);
  expect((await reader.get(1))?.value).toBe('product 1');
  const store = moduleRef.get(CacheService).getStore(storeName);
  if (store instanceof RedisStore) expect(store.redisStats()).toMatchObject({ skipped: 0, errors: 0 });
  const method = moduleRef.get(CacheService).stats()[0];
  expect(method?.stats).toMatchObject({ storeErrors: 0 });
}

describe('CacheModule waits for its Redis stores at bootstrap', () => {
  it('apps created one after another in one process each store their first value (stores: { redis: url })', async () => {
    for (let i = 0; i < 4; i++) {
      const prefix = uniquePrefix(`ready-${i}`);
      const warnings = captureWarnings();
      try {
        const moduleRef = await bootstrap({
          imports: [CacheModule.forRoot({ stores: { redis: `${testRedisUrl()}?prefix=${prefix}` }, isGlobal: true })],
          providers: [ProductsService],
        });
        const products = moduleRef.get(ProductsService);
        await expectFirstValueStored(
          moduleRef,
          'redis',
          () => products.getProduct(1),
          'ProductsService.getProduct',
          prefix,
        );
        expect(warnings.messages).toEqual([]);
      } finally {
        warnings.restore();
      }
      await closeAll();
    }
  });

  it('defaultStore given as a redis:// URL: the first call after init stores its value', async () => {
    const prefix = uniquePrefix('ready-default');
    const moduleRef = await bootstrap({
      imports: [CacheModule.forRoot({ defaultStore: `${testRedisUrl()}?prefix=${prefix}` })],
      providers: [DefaultStoreService],
    });
    const service = moduleRef.get(DefaultStoreService);
    await expectFirstValueStored(
      moduleRef,
      'default',
      () => service.getProduct(1),
      'DefaultStoreService.getProduct',
      prefix,
    );
  });

  it('forRootAsync: the first call after init stores its value', async () => {
    const prefix = uniquePrefix('ready-async');
    const moduleRef = await bootstrap({
      imports: [
        CacheModule.forRootAsync({
          useFactory: async (): Promise<CacheModuleOptions> => ({
            stores: { redis: `${testRedisUrl()}?prefix=${prefix}` },
          }),
          isGlobal: true,
        }),
      ],
      providers: [ProductsService],
    });
    const products = moduleRef.get(ProductsService);
    await expectFirstValueStored(
      moduleRef,
      'redis',
      () => products.getProduct(1),
      'ProductsService.getProduct',
      prefix,
    );
  });

  it('a tiered store passed as an instance is waited for too: the first call after init stores its value', async () => {
    const prefix = uniquePrefix('ready-tiered');
    const tiered = new TieredStore({ redis: { url: testRedisUrl(), prefix } });
    ownStores.push(tiered);
    const moduleRef = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { redis: tiered }, isGlobal: true })],
      providers: [ProductsService],
    });
    const products = moduleRef.get(ProductsService);
    await expectFirstValueStored(
      moduleRef,
      'redis',
      () => products.getProduct(1),
      'ProductsService.getProduct',
      prefix,
    );
  });

  it('an unreachable Redis: the app starts within the connect timeout, warns once and serves by calling the method', async () => {
    const port = await closedPort();
    const url = `redis://app:s3cret@127.0.0.1:${port}/0?prefix=${uniquePrefix('ready-down')}`;
    const warnings = captureWarnings();
    let app: INestApplication;
    let started: number;
    try {
      const moduleRef = await Test.createTestingModule({
        imports: [CacheModule.forRoot({ stores: { redis: url }, isGlobal: true })],
        controllers: [ProductsController],
        providers: [ProductsService],
      }).compile();
      app = track(moduleRef.createNestApplication({ logger: false }));
      const store = moduleRef.get(CacheService).getStore('redis') as RedisStore;
      expect(store.connectTimeout).toBe(1000);
      started = performance.now();
      await app.listen(0, '127.0.0.1');
      const elapsed = performance.now() - started;
      // Bounded by the connect timeout (1 s), plus the rest of Nest's bootstrap on a loaded machine.
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(2500);
      expect(warnings.messages).toHaveLength(1);
      const [warning] = warnings.messages;
      expect(warning).toContain('"redis"');
      expect(warning).toContain(`redis://app:***@127.0.0.1:${port}/0`);
      expect(warning).not.toContain('s3cret');
      expect(warning).toContain('until Redis answers');

      loads = 0;
      const server = app.getHttpServer();
      expect((await request(server).get('/products/7').expect(200)).body).toEqual({ name: 'product 7' });
      expect((await request(server).get('/products/7').expect(200)).body).toEqual({ name: 'product 7' });
      expect(loads).toBe(2); // no cache: every request called the method
      expect(warnings.messages).toHaveLength(1);
    } finally {
      warnings.restore();
    }
  });
});
