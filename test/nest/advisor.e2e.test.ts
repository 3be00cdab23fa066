/**
 * The sizing advisor in real Nest applications: the module's `advisor`
 * option for methods that state none, a method's own `advisor: false`,
 * `CacheService.advise()` per application, and bad options.
 */
import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Injectable } from '@nestjs/common';
import { AsyncLRU, AsyncTTL, MemoryStore } from '../../lib/index.js';
import { CacheModule, CacheModuleOptionsError, CacheService } from '../../nest-module/index.js';
import { VirtualClock } from '../../lib/testing/index.js';
import { bootstrap, closeAll } from './helpers.js';

afterEach(closeAll);

@Injectable()
class Catalog {
  @AsyncLRU({ maxSize: 40 })
  async product(id: number): Promise<{ id: number; name: string }> {
    return { id, name: `product ${id}` };
  }

  @AsyncTTL({ ttl: '1m', maxSize: 100, advisor: false })
  async price(id: number): Promise<number> {
    return id * 10;
  }

  @AsyncLRU({ maxSize: 10, advisor: { rate: 1, seed: 3 } })
  async category(name: string): Promise<string> {
    return name.toUpperCase();
  }
}

describe('CacheModule advisor option and CacheService.advise()', () => {
  it("advises every method that states no advisor of its own, on the module's store clock", async () => {
    const clock = new VirtualClock();
    const app = await bootstrap({
      imports: [
        CacheModule.forRoot({ stores: { main: new MemoryStore({ clock }) }, defaultStore: 'main', advisor: 1 }),
      ],
      providers: [Catalog],
    });
    const catalog = app.get(Catalog);
    const cache = app.get(CacheService);
    // 20 products cycled 10 times: every product's reuse distance is 19, so a cache of 20 or more hits all but the first round.
    for (let round = 0; round < 10; round++) {
      for (let id = 0; id < 20; id++) await catalog.product(id);
      clock.advance(1_000);
    }
    await catalog.price(1);
    await catalog.category('tools');

    const all = cache.advise();
    expect(all.map((advice) => advice.method).sort()).toEqual(['Catalog.category', 'Catalog.product']);
    const product = cache.advise(catalog.product);
    expect(product.calls).toBe(200);
    expect(product.callsPerSecond).toBeCloseTo(200 / 10, 6);
    expect(product.rate).toBe(1);
    expect(product.sampledKeys).toBe(20);
    expect(product.sizes.map((point) => point.size)).toEqual([10, 20, 40, 80, 160, 320]);
    // Below 20 entries every call misses (LRU over a cycle); from 20 on, 180 of 200 calls hit.
    expect(product.sizes.map((point) => point.hitRate)).toEqual([0, 0.9, 0.9, 0.9, 0.9, 0.9]);
    expect(product.recommendation).toMatchObject({ maxSize: 20, hitRate: 0.9, loadsPerSecondChange: 0 });
    expect(product.bytesPerEntry).toBeGreaterThan(0);
    expect(product.sizes[1]?.bytes).toBe(20 * product.bytesPerEntry!);
    expect(product.store).toBe('main');

    expect(() => cache.advise(catalog.price)).toThrow(
      /CacheService\.advise: the sizing advisor is off for Catalog\.price in this application/,
    );
  });

  it("keeps each application's samples apart", async () => {
    const first = await bootstrap({ imports: [CacheModule.forRoot({ advisor: 1 })], providers: [Catalog] });
    const second = await bootstrap({ imports: [CacheModule.forRoot({ advisor: 1 })], providers: [Catalog] });
    for (let id = 0; id < 5; id++) await first.get(Catalog).product(id);
    await second.get(Catalog).product(1);
    expect(first.get(CacheService).advise(first.get(Catalog).product).calls).toBe(5);
    expect(second.get(CacheService).advise(second.get(Catalog).product).calls).toBe(1);
  });

  it('advises nothing without the option, except methods that turn it on themselves', async () => {
    const app = await bootstrap({ imports: [CacheModule.forRoot({})], providers: [Catalog] });
    await app.get(Catalog).product(1);
    await app.get(Catalog).category('a');
    expect(
      app
        .get(CacheService)
        .advise()
        .map((advice) => advice.method),
    ).toEqual(['Catalog.category']);
  });

  it.each([
    [2, /CacheModule: option "advisor" has rate 2; a sampling rate is a number above 0 and at most 1/],
    ['yes', /CacheModule: option "advisor" is "yes"; write true/],
    [{ rate: 0.1, every: 2 }, /CacheModule: option "advisor" has an unknown field "every"/],
  ])('rejects advisor: %p with an error naming the option', async (advisor, message) => {
    const options = { advisor } as unknown as Parameters<typeof CacheModule.forRoot>[0];
    const failure = bootstrap({ imports: [CacheModule.forRoot(options)], providers: [Catalog] });
    await expect(failure).rejects.toThrow(CacheModuleOptionsError);
    await expect(failure).rejects.toThrow(message);
  });
});
