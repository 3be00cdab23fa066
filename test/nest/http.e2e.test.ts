import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheModule } from '../../nest-module/index.js';
import { CatalogModule } from './fixtures/catalog.app.js';
import { closeAll, track } from './helpers.js';

describe('HTTP over a real socket', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [CacheModule.forRoot({ stores: { search: { max: 100 } }, isGlobal: true }), CatalogModule],
    }).compile();
    app = track(moduleRef.createNestApplication({ logger: false }));
    await app.listen(0, '127.0.0.1');
  });

  afterAll(closeAll);

  const queries = async (): Promise<number> => {
    const response = await request(app.getHttpServer()).get('/cache/stats').expect(200);
    return (response.body as { queries: number }).queries;
  };

  it('serves the second request from the cache: the query counter does not move', async () => {
    const server = app.getHttpServer();
    const address = server.address();
    expect(typeof address === 'object' && address !== null && address.port > 0).toBe(true);

    const start = await queries();
    const first = await request(server).get('/products/15').expect(200);
    expect(first.body).toEqual({ id: 15, name: 'Product 15', priceCents: 1500 });
    expect(await queries()).toBe(start + 1);

    const second = await request(server).get('/products/15').expect(200);
    expect(second.body).toEqual(first.body);
    expect(await queries()).toBe(start + 1);
  });

  it('a write through another provider evicts the entry; the next read reloads it', async () => {
    const server = app.getHttpServer();
    await request(server).get('/products/16').expect(200);
    await request(server).put('/products/16/price').send({ priceCents: 42 }).expect(200);
    const before = await queries();
    const reread = await request(server).get('/products/16').expect(200);
    expect(reread.body).toMatchObject({ priceCents: 42 });
    expect(await queries()).toBe(before + 1);
    await request(server).get('/products/16').expect(200);
    expect(await queries()).toBe(before + 1);

    const stats = await request(server).get('/cache/stats').expect(200);
    expect((stats.body as { methods: { id: string; store: string }[] }).methods).toEqual([
      expect.objectContaining({ id: 'CatalogService.getProduct', store: 'default' }),
      expect.objectContaining({ id: 'CatalogService.search', store: 'search' }),
    ]);
  });

  it('a missing product is a 404, and null is cached like any value', async () => {
    const server = app.getHttpServer();
    await request(server).get('/products/999').expect(404);
    const before = await queries();
    await request(server).get('/products/999').expect(404);
    expect(await queries()).toBe(before);
  });
});
