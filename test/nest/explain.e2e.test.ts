/**
 * CacheService.explain in a real Nest application: this application's entry
 * for the arguments, named by the module's store name, and its last
 * invalidation.
 */
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { AsyncTTL, TTLInvalidator } from '../../lib/index.js';
import { CacheModule, CacheService, MethodNotBoundError } from '../../nest-module/index.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

@Injectable()
class ProductService {
  @AsyncTTL({ ttl: '5m', store: 'catalog' })
  async product(id: number): Promise<{ id: number }> {
    return { id };
  }

  @TTLInvalidator(ProductService.prototype.product)
  async rename(id: number, name: string): Promise<string> {
    return `${id}:${name}`;
  }
}

class Unbound {
  @AsyncTTL({ ttl: '5m' })
  async get(id: number): Promise<number> {
    return id;
  }
}

describe('CacheService.explain', () => {
  it("explains this application's entry under the module's store name, then its invalidation", async () => {
    const app = await bootstrap({
      imports: [CacheModule.forRoot({ stores: { catalog: { max: 100 } } })],
      providers: [ProductService],
    });
    const products = app.get(ProductService);
    const cache = app.get(CacheService);
    await products.product(7);
    const fresh = await cache.explain(products.product, 7);
    expect(fresh).toMatchObject({ key: 7, store: 'catalog', tier: 'memory', tags: [], window: 'fresh' });
    expect(fresh.ttlLeftMs).toBeGreaterThan(5 * 60_000 - 1_000);
    expect(fresh.lastInvalidation).toBeNull();
    await products.rename(7, 'lamp');
    const after = await cache.explain(products.product, 7);
    expect(after).toMatchObject({ store: 'catalog', tier: null, window: 'absent', lastInvalidation: { kind: 'key' } });
    await expect(cache.explain(new Unbound().get, 1)).rejects.toBeInstanceOf(MethodNotBoundError);
  });
});
